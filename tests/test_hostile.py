"""Hostile folders, files and servers, and an unlucky user: nothing of the user's is lost,
nothing outside the corpus is read, nothing hangs, every failure is one line.

Each test reproduces one finding of the second hostile-input review and is bounded in time;
`make fuzz` repeats the hostile corpus and server with more variety (FUZZ_SCALE).
"""

from __future__ import annotations

import contextlib
import ctypes
import gzip
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.cli import main
from search.errors import FetchError, QuerySyntaxError
from search.indexing.doctor import check
from search.indexing.lock import writer_lock
from search.ingest.fetch import fetch_page
from search.models import SearchRequest
from search.retrieval.query import MAX_DEPTH, MAX_FUZZY, parse
from search.service import open_search, run_index
from search.settings import Limits
from tests.conftest import FUZZ_SCALE, PROJECT, settings_for
from tests.fixture_corpus import write_fixture_corpus

# ------------------------------------------------------------------ the corpus walk


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_fixture_corpus(tmp_path / "corpus")


def test_links_out_of_the_corpus_are_not_followed(corpus: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "password.txt").write_text("Hemligt lösenord zebrakod för banken.\n" * 3)
    (corpus / "etcdir").symlink_to(secret)
    (corpus / "leak.txt").symlink_to(secret / "password.txt")
    (corpus / "se" / "alias.md").symlink_to("malmo-atervinning.md")  # inside: once
    settings = settings_for(corpus, tmp_path / "index")
    report = run_index(settings)
    reasons = {s.key: s.reason for s in report.skipped}
    assert reasons["etcdir"] == "a link to outside the corpus, not followed"
    assert reasons["leak.txt"] == "a link to outside the corpus, not followed"
    # the link sorts first and is indexed; the file it names is the same document
    assert reasons["se/malmo-atervinning.md"] == "the same file as se/alias.md"
    assert open_search(settings).search(SearchRequest(text="zebrakod")).total_documents == 0


def test_link_loops_end_and_special_files_are_passed_over(corpus: Path, tmp_path: Path) -> None:
    loop = corpus / "d"
    loop.mkdir()
    (loop / "a").symlink_to(".")
    (loop / "b").symlink_to(".")
    (loop / "up").symlink_to("..")
    os.mkfifo(corpus / "x.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")  # outside the corpus too
    started = time.monotonic()
    code = main(["index", "--corpus", str(corpus), "--index", str(tmp_path / "index")])
    assert time.monotonic() - started < 60
    assert code == 0
    report = run_index(settings_for(corpus, tmp_path / "index"))
    reasons = {s.key: s.reason for s in report.skipped}
    assert reasons["x.txt"] == "a FIFO (named pipe), not a regular file"
    assert reasons["zero.txt"] == "a link to outside the corpus, not followed"
    assert check(settings_for(corpus, tmp_path / "index")) == []  # doctor ends too


def _without_root_reading() -> None:
    """Drop root's power to read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from the
    capability bounding set, so the program started next is refused a chmod-000 file as
    any user would be."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            os._exit(99)


def test_an_unreadable_file_fails_alone(corpus: Path, tmp_path: Path) -> None:
    """chmod 000: as root every file is readable, so the run drops to user nobody."""
    locked = corpus / "locked.txt"
    locked.write_text("Ett dokument ingen får läsa.\n" * 3)
    locked.chmod(0)
    index = tmp_path / "index"
    root = os.geteuid() == 0
    done = subprocess.run(
        [sys.executable, "-m", "search", "index", "--corpus", str(corpus), "--index", str(index)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_without_root_reading if root else None,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        check=False,
    )
    if done.returncode == 99:
        pytest.skip("this machine does not let root drop its capabilities")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "failed: locked.txt: cannot be read: permission denied" in done.stdout
    assert "Traceback" not in done.stderr


def test_file_names_that_are_not_utf8_print_and_encode(corpus: Path, tmp_path: Path) -> None:
    name = os.fsencode(corpus) + b"/caf\xe9-rapport.txt"
    with open(name, "wb") as f:
        f.write(b"Rapport om kooperativ och kommuner i Sverige.\n" * 3)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "search", "index", "--json"),
            *("--corpus", str(corpus), "--index", str(tmp_path / "index")),
        ],
        cwd=PROJECT,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(PROJECT), "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout.decode("utf-8"))  # valid UTF-8, strictly
    assert "caf\ufffd-rapport.txt" in data["added"]


def test_hostile_sidecars_fail_alone_with_a_reason(corpus: Path, tmp_path: Path) -> None:
    doc = corpus / "se" / "lang.md"
    doc.write_text("# Lång titel\n\nKommunen och företaget samarbetar.\n")
    (corpus / "se" / "lang.md.meta.toml").write_text('title = "' + "x" * 1_400_000 + '"\n')
    year = corpus / "se" / "year.md"
    year.write_text("# År\n\nKommunen och företaget samarbetar.\n")
    (corpus / "se" / "year.md.meta.toml").write_text("year = " + "9" * 5000 + "\n")
    report = run_index(settings_for(corpus, tmp_path / "index"))
    reasons = {f.key: f.reason for f in report.failed}
    assert reasons["se/lang.md"].startswith("lang.md.meta.toml: metadata file too large")
    assert reasons["se/year.md"].startswith("year.md.meta.toml: a value is out of range")
    assert (tmp_path / "index").stat().st_size < 10_000_000


def test_a_long_html_title_is_capped(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    title = "Kommun " * 50_000
    (corpus / "p.html").write_text(
        f"<html><head><title>{title}</title></head><body><p>"
        + "Kommunen och det sociala företaget samarbetar om arbetsträning. " * 20
        + "</p></body></html>"
    )
    settings = settings_for(corpus, tmp_path / "index")
    assert run_index(settings).failed == ()
    hit = open_search(settings).search(SearchRequest(text="arbetsträning")).hits[0]
    assert len(hit.title) <= 1001


# --------------------------------------------------------------- the index folder


def test_a_killed_disk_leaves_the_old_index_and_no_partial_generation(
    corpus: Path, tmp_path: Path
) -> None:
    """A full disk during --rebuild (a file-size limit makes writes fail as ENOSPC would)."""
    index = tmp_path / "index"
    settings = settings_for(corpus, index)
    run_index(settings)
    before = open_search(settings).search(SearchRequest(text="kommunen")).total_documents
    generations = sorted(p.name for p in index.glob("gen-*"))

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run(
        [sys.executable, "-m", "search", "index", "--rebuild", "--index", str(index)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_disk,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "could not write the index" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in index.glob("gen-*")) == generations
    assert not (index / "write.lock").exists()
    assert open_search(settings).search(SearchRequest(text="kommunen")).total_documents == before
    assert run_index(settings).exit_code == 0  # and the next run works


def test_a_damaged_index_says_run_doctor_and_doctor_repairs_it(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    base = ["--index", str(index)]
    assert main(["index", "--corpus", str(corpus), *base]) == 0
    gen = next(index.glob("gen-*"))
    for damage in ("deleted segments", "truncated segments", "broken manifest"):
        gen = index / (index / "CURRENT").read_text()
        for seg in gen.glob("*.seg"):
            if damage == "deleted segments":
                seg.unlink()
            elif damage == "truncated segments":
                os.truncate(seg, 100)
        if damage == "broken manifest":
            (gen / "manifest.json").write_text("{broken")
        capsys.readouterr()
        for command in (["query", "kommunen"], ["stats"], ["index"]):
            code = main([*base, *command])
            err = capsys.readouterr().err
            if code != 0:
                assert code == 1 and err.count("\n") == 1 and "doctor --repair" in err, err
        assert main([*base, "doctor"]) == 1
        assert main([*base, "doctor", "--repair"]) == 0
        capsys.readouterr()
        assert main([*base, "query", "kommunen", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["total_documents"] > 0


def test_the_lock_never_has_two_holders(tmp_path: Path) -> None:
    """Two processes take and release the lock in a tight loop, with a killed holder's
    stale lock in the middle; one log both write to shows whether two ever held it at once."""
    log = tmp_path / "log"
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from search.indexing.lock import writer_lock\n"
        "from search.errors import IndexLockedError\n"
        f"d, log = Path({str(tmp_path / 'ix')!r}), {str(log)!r}\n"
        "held = 0\n"
        "end = time.monotonic() + 4\n"
        "while time.monotonic() < end:\n"
        "    try:\n"
        "        with writer_lock(d):\n"
        "            with open(log, 'a') as f: f.write(f'+{os.getpid()}\\n')\n"
        "            with open(log, 'a') as f: f.write(f'-{os.getpid()}\\n')\n"
        "            held += 1\n"
        "    except IndexLockedError:\n"
        "        pass\n"
        "print(held)\n"
    )
    (tmp_path / "ix").mkdir()
    (tmp_path / "ix" / "write.lock").write_text("999999")  # a stale lock to take over
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(PROJECT)},
        )
        for _ in range(2)
    ]
    held = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert all(h > 0 for h in held), held
    lines = log.read_text().split()
    for start, end in zip(lines[::2], lines[1::2], strict=True):
        assert start[0] == "+" and end == "-" + start[1:], "two processes held the lock at once"


def test_the_lock_is_never_seen_empty(tmp_path: Path) -> None:
    with writer_lock(tmp_path):
        assert (tmp_path / "write.lock").read_text() == str(os.getpid())


# ------------------------------------------------------------------------- queries


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kommun~6", f"at most {MAX_FUZZY} edits"),
        ("(" * 300 + "a" + ")" * 300, f"nest at most {MAX_DEPTH} deep"),
        (" ".join(f"ord{i}" for i in range(15_000)), "characters long"),
        (" ".join(f"ord{i}" for i in range(100)), "the limit is 64"),
        ('"' + " ".join(["ord"] * 4000) + '"', "characters long"),
        ('"' + " ".join(["ord"] * 40) + '"', "a phrase may have at most 32"),
        ('"kommun samarbete"~50', "at most 20 words between"),
        ('"kommun samarbete"~', "needs a number"),
    ],
)
def test_costly_queries_are_refused_with_a_reason(query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message):
        parse(query)


def test_the_worst_allowed_queries_answer_quickly(fixture_index: object) -> None:
    from search.settings import Settings

    assert isinstance(fixture_index, Settings)
    engine = open_search(fixture_index)
    for query in ("kommun~2 företag~2 pašvaldība~2", "(" * MAX_DEPTH + "kommun" + ")" * MAX_DEPTH):
        started = time.monotonic()
        engine.search(SearchRequest(text=query))
        assert time.monotonic() - started < 10


# ------------------------------------------------------------------------ fetching

BOMB = gzip.compress(gzip.compress(b"\0" * 50_000_000))


class _Hostile(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/bomb":
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip, gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
        elif self.path == "/drip":
            self.send_response(200)
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b"<")
                self.wfile.flush()
                time.sleep(0.2)
        elif self.path == "/endless":
            self.send_response(200)
            self.end_headers()
            with contextlib.suppress(OSError):
                while True:
                    self.wfile.write(b"<p>" * 8192)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/bad-gzip":
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(b"\x1f\x8b not gzip at all")
        elif self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", self.path[4:].replace("%20", " "))
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    httpd = _Quiet(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


LIMITS = Limits(fetch_timeout=2.0, fetch_max_bytes=1_000_000)


def test_stacked_gzip_stays_within_the_cap(hostile: str, tmp_path: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(FetchError, match="too large once decompressed"):
        fetch_page(f"{hostile}/bomb", tmp_path, LIMITS)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200


def test_a_dripping_server_meets_one_deadline(hostile: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch_page(f"{hostile}/drip", tmp_path, LIMITS)
    assert time.monotonic() - started < LIMITS.fetch_timeout + 3


@pytest.mark.parametrize(
    "url",
    [
        "/to/data:text/html,hi",
        "/to/javascript:alert(1)",
        "/to/http://[::1",
        "/to/file:///etc/passwd",
    ],
)
def test_bad_redirects_are_one_line_refusals(hostile: str, tmp_path: Path, url: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch_page(f"{hostile}{url}", tmp_path, LIMITS)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("url", ["http://exa\tmple.org/", "http://[::1", "http://", "https:// x"])
def test_malformed_urls_are_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError):
        fetch_page(url, tmp_path, LIMITS)
    assert not (tmp_path / "web").exists()


def test_cli_add_of_a_bad_url_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--corpus", str(tmp_path), "add", "http://[::1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_no_file_leaks_from_a_failed_fetch(tmp_path: Path) -> None:
    shutil.rmtree(tmp_path)
    tmp_path.mkdir()
    with pytest.raises(FetchError):
        fetch_page("http://127.0.0.1:9/", tmp_path, Limits(fetch_timeout=1.0))
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------- the passes `make fuzz` runs 20 times more

HOSTILE_KINDS = (
    "link to a secret file",
    "link to a secret folder",
    "link loop",
    "fifo",
    "link to /dev/zero",
    "name not utf-8",
    "huge sidecar",
    "year of 5000 digits",
    "stray byte",
    "empty file",
    "huge html title",
    "unreadable file",
    "link to the corpus itself",
)
SECRET = "Hemligt zebrakod ur en fil utanför korpusen."


def _hostile_corpus(root: Path, kinds: list[str], seed: int) -> Path:
    corpus = write_fixture_corpus(root / "corpus")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET * 3)
    for n, kind in enumerate(kinds):
        name = f"h{seed}-{n}"
        if kind == "link to a secret file":
            (corpus / f"{name}.txt").symlink_to(outside / "secret.txt")
        elif kind == "link to a secret folder":
            (corpus / name).symlink_to(outside)
        elif kind == "link loop":
            (corpus / name).mkdir()
            (corpus / name / "a").symlink_to(".")
            (corpus / name / "b").symlink_to("..")
        elif kind == "fifo":
            os.mkfifo(corpus / f"{name}.txt")
        elif kind == "link to /dev/zero":
            (corpus / f"{name}.pdf").symlink_to("/dev/zero")
        elif kind == "name not utf-8":
            with open(os.fsencode(corpus) + f"/{name}-\xe9".encode("latin-1") + b".txt", "wb") as f:
                f.write(b"Kommunen och kooperativet.\n" * 3)
        elif kind == "huge sidecar":
            (corpus / f"{name}.md").write_text("# Titel\n\nKommunen samarbetar.\n")
            (corpus / f"{name}.md.meta.toml").write_text('title = "' + "x" * 200_000 + '"\n')
        elif kind == "year of 5000 digits":
            (corpus / f"{name}.md").write_text("# År\n\nKommunen samarbetar.\n")
            (corpus / f"{name}.md.meta.toml").write_text("year = " + "7" * 5000 + "\n")
        elif kind == "stray byte":
            (corpus / f"{name}.txt").write_bytes("Pašvaldība strādā.\n".encode() * 3 + b"\xff")
        elif kind == "empty file":
            (corpus / f"{name}.pdf").write_bytes(b"")
        elif kind == "huge html title":
            (corpus / f"{name}.html").write_text(
                f"<title>{'=HYPERLINK(1) ' * 20_000}</title><p>{'Kommunen samarbetar. ' * 30}</p>"
            )
        elif kind == "unreadable file":
            (corpus / f"{name}.txt").write_text("Kommunen.\n" * 3)
            (corpus / f"{name}.txt").chmod(0)
        elif kind == "link to the corpus itself":
            (corpus / name).symlink_to(corpus)
    return corpus


@settings(
    max_examples=3 * FUZZ_SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(st.sampled_from(HOSTILE_KINDS), min_size=1, max_size=6),
    seed=st.integers(0, 9999),
)
def test_hostile_corpus_pass(
    tmp_path_factory: pytest.TempPathFactory, kinds: list[str], seed: int
) -> None:
    """A corpus full of traps: the run ends within its bound, reads nothing outside the
    corpus, fails only the bad files (each with a reason), and the index stays consistent."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = _hostile_corpus(root, kinds, seed)
    settings = settings_for(corpus, root / "index", seconds_per_file=20)
    started = time.monotonic()
    report = run_index(settings)
    assert time.monotonic() - started < 90
    assert report.added, "the good files of the corpus are indexed"
    assert all(f.reason for f in (*report.failed, *report.skipped))
    engine = open_search(settings)
    assert engine.search(SearchRequest(text="zebrakod")).total_documents == 0
    problems = {f.kind for f in check(settings)} - {"failed", "new-source", "stale-source"}
    assert not problems, problems
    json.dumps([f.key for f in (*report.failed, *report.skipped)]).encode("utf-8")


SERVER_KINDS = (
    "/bomb",
    "/drip",
    "/endless",
    "/to/data:text/html,hi",
    "/to/javascript:alert(1)",
    "/to/http://[::1",
    "/to/ftp://example.org/",
    "/loop",
    "/bad-gzip",
)


@settings(
    max_examples=4 * FUZZ_SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    path=st.sampled_from(SERVER_KINDS),
    seconds=st.floats(0.3, 1.5),
    cap=st.integers(10_000, 2_000_000),
)
def test_hostile_server_pass(
    hostile: str, tmp_path_factory: pytest.TempPathFactory, path: str, seconds: float, cap: int
) -> None:
    """Slow, stacked-gzip, endless and badly redirecting answers, under varied deadlines and
    caps: each a one-line refusal within the deadline, nothing saved, memory bounded."""
    target = tmp_path_factory.mktemp("fetch")
    limits = Limits(fetch_timeout=seconds, fetch_max_bytes=cap)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch_page(f"{hostile}{path}", target, limits)
    assert time.monotonic() - started < seconds + 3
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 200
    assert "\n" not in str(info.value)
    assert not (target / "web").exists()


def test_an_emptied_corpus_does_not_empty_the_index(corpus: Path, tmp_path: Path) -> None:
    """An unmounted drive leaves an empty folder: the index keeps its documents."""
    settings = settings_for(corpus, tmp_path / "index")
    run_index(settings)
    moved = tmp_path / "elsewhere"
    shutil.move(corpus, moved)
    corpus.mkdir()
    assert main(["index", "--index", str(settings.index_dir)]) == 1
    assert open_search(settings).search(SearchRequest(text="kommunen")).total_documents > 0
    assert main(["index", "--rebuild", "--index", str(settings.index_dir)]) == 0


def test_a_read_only_index_folder_is_one_line(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    run_index(settings_for(corpus, index))
    (corpus / "new.md").write_text("# Ny\n\nEtt nytt dokument om kommunen.\n")
    index.chmod(0o555)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "search", "index", "--index", str(index)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_without_root_reading if os.geteuid() == 0 else None,
            env={**os.environ, "PYTHONPATH": str(PROJECT)},
            check=False,
        )
    finally:
        index.chmod(0o755)
    if done.returncode == 99:
        pytest.skip("this machine does not let root drop its capabilities")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "permission denied" in done.stderr.lower()
