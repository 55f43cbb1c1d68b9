"""`search add URL`: fetch a web page within limits and save it as a corpus file.

http(s) only, timeouts, a size cap and a redirect cap. The snapshot goes under
`corpus/web/` with a sidecar holding the URL and the retrieval date, so reindexing
treats it like any other saved page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from search.errors import FetchError
from search.metadata import SIDECAR_SUFFIX
from search.settings import Limits


@dataclass(frozen=True, slots=True)
class Saved:
    url: str
    path: Path
    bytes: int


def _file_name(url: str) -> str:
    parts = urlsplit(url)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", (parts.netloc + parts.path).strip("/")).strip("-")[:80]
    return f"{slug or 'page'}-{hashlib.sha1(url.encode()).hexdigest()[:8]}.html"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_page(url: str, corpus_dir: Path, limits: Limits, today: dt.date | None = None) -> Saved:
    """Download one page and save it with its sidecar; raises FetchError with the reason."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            f"{url}: only http and https addresses can be added (got '{scheme or 'none'}:')"
        )
    timeout = httpx.Timeout(limits.fetch_timeout)
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=limits.fetch_max_redirects,
                timeout=timeout,
                headers={"User-Agent": "multilingual-search/0.1 (+offline document search)"},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise FetchError(f"{url}: the server answered {response.status_code}")
            declared = int(response.headers.get("content-length") or 0)
            if declared > limits.fetch_max_bytes:
                raise FetchError(
                    f"{url}: page too large ({declared} bytes, limit {limits.fetch_max_bytes})"
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > limits.fetch_max_bytes:
                    raise FetchError(f"{url}: page too large (over {limits.fetch_max_bytes} bytes)")
            final_url = str(response.url)
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{url}: too many redirects (limit {limits.fetch_max_redirects})") from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out after {limits.fetch_timeout:.0f} s") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {exc}") from exc
    if urlsplit(final_url).scheme.lower() not in ("http", "https"):
        raise FetchError(f"{url}: redirected to a non-http address")
    target_dir = corpus_dir / "web"
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / _file_name(url)
    path.write_bytes(bytes(body))
    retrieved = (today or dt.date.today()).isoformat()
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    sidecar.write_text(
        f'url = {_toml_string(url)}\nretrieved = {_toml_string(retrieved)}\ntype = "web page"\n',
        encoding="utf-8",
    )
    return Saved(url, path, len(body))
