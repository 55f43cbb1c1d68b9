"""`search add URL` against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import threading
import time
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from search.cli import main
from search.errors import FetchError
from search.ingest.fetch import fetch_page
from search.settings import Limits

PAGE = (
    "<html lang='sv'><head><meta charset='utf-8'><title>Sociala företag i Örebro</title></head>"
    "<body><article><h1>Sociala företag i Örebro</h1><p>Kommunen samarbetar med tre sociala "
    "företag om arbetsträning och återbruk.</p></article></body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/page":
            self._send(PAGE)
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(64):  # no Content-Length: the cap must hold while streaming
                self.wfile.write(b"x" * 4096)
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(PAGE)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hanging up on an oversized body is the point of that test


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


LIMITS = Limits(fetch_timeout=0.5, fetch_max_bytes=100_000, fetch_max_redirects=3)


def test_a_page_is_saved_with_its_url_and_date(server: str, tmp_path: Path) -> None:
    saved = fetch_page(f"{server}/page", tmp_path, LIMITS, today=dt.date(2026, 11, 29))
    assert saved.path.parent == tmp_path / "web"
    assert saved.path.read_bytes() == PAGE
    meta = tomllib.loads(saved.path.with_name(saved.path.name + ".meta.toml").read_text())
    assert meta == {"url": f"{server}/page", "retrieved": "2026-11-29", "type": "web page"}


def test_an_oversized_body_is_refused(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="page too large"):
        fetch_page(f"{server}/big", tmp_path, LIMITS)
    assert not (tmp_path / "web").exists() or not any((tmp_path / "web").iterdir())


def test_a_slow_server_times_out(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="timed out"):
        fetch_page(f"{server}/slow", tmp_path, LIMITS)


def test_a_redirect_loop_is_cut(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="too many redirects"):
        fetch_page(f"{server}/loop", tmp_path, LIMITS)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)"]
)
def test_non_http_urls_are_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch_page(url, tmp_path, LIMITS)


def test_cli_add_then_index_makes_the_page_searchable(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    assert main([*base, "add", f"{server}/page"]) == 0
    assert main([*base, "index"]) == 0
    capsys.readouterr()
    assert main([*base, "query", "arbetsträning", "--json"]) == 0
    out = capsys.readouterr().out
    assert "Sociala företag i Örebro" in out and f"{server}/page" in out


def test_cli_add_reports_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", str(tmp_path), "add", "file:///etc/passwd"]) == 1
    assert "only http and https" in capsys.readouterr().err
