"""`search add URL`: fetch a web page within limits and save it as a corpus file.

http(s) only, timeouts, a size cap and a redirect cap. The snapshot goes under
`corpus/web/` with a sidecar holding the URL and the retrieval date, so reindexing
treats it like any other saved page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from search.errors import FetchError
from search.ingest.metadata import SIDECAR_SUFFIX
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


_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_ENCODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def _checked_url(url: str) -> str:
    """The URL if it is an http(s) address httpx can use; else a FetchError saying why."""
    if _CONTROL.search(url.strip()):
        raise FetchError(f"{url!r}: an address cannot contain spaces or control characters")
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise FetchError(f"{url}: not a valid address ({exc})") from exc
    if scheme not in ("http", "https"):
        raise FetchError(
            f"{url}: only http and https addresses can be added (got '{scheme or 'none'}:')"
        )
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"{url}: not a valid address ({exc})") from exc
    if not parsed.host:
        raise FetchError(f"{url}: the address has no host")
    return url


def _decode(body: bytes, encodings: str, cap: int, url: str) -> bytes:
    """Undo the response's content encodings (however many are stacked), never producing
    more than `cap` bytes at any step: a small compressed bomb stays small."""
    for name in reversed([e.strip().lower() for e in encodings.split(",") if e.strip()]):
        if name == "identity":
            continue
        if name not in _ENCODINGS:
            raise FetchError(
                f"{url}: the page is sent in an encoding this tool cannot read ({name})"
            )
        decoder = zlib.decompressobj(_ENCODINGS[name])
        try:
            out = decoder.decompress(body, cap + 1)
        except zlib.error as exc:
            raise FetchError(f"{url}: the page's {name} data is corrupt") from exc
        if len(out) > cap or decoder.unconsumed_tail:
            raise FetchError(f"{url}: page too large once decompressed (over {cap} bytes)")
        body = out
    return body


def fetch_page(url: str, corpus_dir: Path, limits: Limits, today: dt.date | None = None) -> Saved:
    """Download one page and save it with its sidecar; raises FetchError with the reason.

    One deadline (`fetch_timeout`) covers the whole fetch, redirects and a server that
    drips one byte at a time included; the body is capped before and after decompression."""
    url = _checked_url(url)
    deadline = time.monotonic() + limits.fetch_timeout
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=limits.fetch_max_redirects,
                timeout=httpx.Timeout(limits.fetch_timeout),
                headers={
                    "User-Agent": "multilingual-search/0.1 (+offline document search)",
                    "Accept-Encoding": "gzip, deflate",
                },
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
            for chunk in response.iter_raw():
                body.extend(chunk)
                if len(body) > limits.fetch_max_bytes:
                    raise FetchError(f"{url}: page too large (over {limits.fetch_max_bytes} bytes)")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the whole fetch took too long")
            final_url = str(response.url)
            encodings = response.headers.get("content-encoding", "")
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{url}: too many redirects (limit {limits.fetch_max_redirects})") from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out after {limits.fetch_timeout:.0f} s") from exc
    except httpx.UnsupportedProtocol as exc:
        raise FetchError(f"{url}: redirected to an address that is not http or https") from exc
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise FetchError(f"{url}: {exc}") from exc
    except ValueError as exc:  # a malformed header or redirect target
        raise FetchError(f"{url}: the server's answer could not be read ({exc})") from exc
    body = bytearray(_decode(bytes(body), encodings, limits.fetch_max_bytes, url))
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
