"""The three jobs as a person meets them: `python tui.py` and `python -m search` started as
separate processes in a pseudo-terminal, on a copy of the sample corpus, asserting what is
on the screen. In-process Pilot tests (test_tui.py) cover detail; these prove the whole.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.terminal import Terminal, cli, tui
from search.ingest.extract import ocr
from search.service import run_index
from tests.conftest import PROJECT, TESTDATA, settings_for

RESULTS = r"Results: \d+ documents?"
COUNTRIES = ("BY", "LV", "SE")


def _copy_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    shutil.copytree(PROJECT / "corpus", corpus)
    return corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the sample corpus with its index, for the journeys that only read."""
    root = tmp_path_factory.mktemp("e2e-read")
    corpus = _copy_corpus(root)
    report = run_index(settings_for(corpus, root / "index"))
    assert not report.failed
    return corpus, root / "index"


@pytest.fixture
def own(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the sample corpus with an index of its own, for journeys that change it."""
    corpus = _copy_corpus(tmp_path)
    report = run_index(settings_for(corpus, tmp_path / "index"))
    assert not report.failed
    return corpus, tmp_path / "index"


@pytest.fixture
def app(built: tuple[Path, Path]) -> Iterator[Terminal]:
    corpus, index = built
    with tui(index, corpus) as term:
        term.wait_for(RESULTS)
        yield term


def _results_line(screen: str) -> str:
    return next(line for line in screen.splitlines() if "Results:" in line)


# ------------------------------------------------------------------ the three jobs


def test_first_run_offers_to_build_the_index_and_builds_it(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    with tui(tmp_path / "index", corpus) as term:
        term.wait_for("There is no index yet")
        term.press("enter")
        screen = term.wait_for(r"Index (built|updated|rebuilt): 37 added", timeout=90)
        screen = term.wait_for(r"Results: 37 documents")
        for country in ("SE", "LV", "BY"):
            assert f"□ {country} 13" in screen
        assert term.alive()


def test_keyword_search_as_you_type(app: Terminal) -> None:
    app.type("kooperativ")
    screen = app.wait_for(r"Results: [1-9] documents?\b")  # not the 37 before the search
    assert "kooperativ" in screen.lower()
    assert "Results: 37" not in screen


def test_browse_by_country(app: Terminal) -> None:
    app.press("tab")  # the facet panel
    screen = app.text()
    assert "□ BY 13" in screen
    # under the COUNTRY heading: BY, LV, SE (equal counts, by name)
    app.press("down", "down", "enter")
    screen = app.wait_for(r"Results: 13 documents")
    assert "Filters: country: LV" in screen
    lines = [line for line in screen.splitlines() if any(f" {c} 13" in line for c in COUNTRIES)]
    # the chosen value stays in its row, the others keep theirs with their counts (OR)
    assert [line.split("│")[1].strip() for line in lines[:3]] == ["□ BY 13", "■ LV 13", "□ SE 13"]
    # the cursor stayed on LV: enter again unselects it
    app.press("enter")
    screen = app.wait_for(r"Results: 37 documents")
    assert "■" not in screen


def test_new_files_are_found_after_f5(own: tuple[Path, Path]) -> None:
    corpus, index = own
    with tui(index, corpus) as term:
        term.wait_for(r"Results: 37 documents")
        new = corpus / "new"
        new.mkdir()
        (new / "kvarnbyn.txt").write_text(
            "Kvarnbyns återbruk samarbetar med Luleå kommun om arbetsträning.\n" * 3,
            encoding="utf-8",
        )
        shutil.copy(TESTDATA / "pdf/ru/fstec_1_cut.pdf", new / "fstec.pdf")
        shutil.copy(TESTDATA / "html/ru/dedoc_law_doc_000008.html", new / "law.html")
        term.press("f5")
        screen = term.wait_for(r"Index updated: 3 added", timeout=60)
        assert "Traceback" not in screen and term.alive()
        term.wait_for(r"Results: 40 documents")
        term.type("Kvarnbyns")
        screen = term.wait_for(r"Results: 1 document\b")
        assert "kvarnbyn" in screen.lower()
        term.press("ctrl+u")
        term.type("ФСТЭК")
        screen = term.wait_for(r"Results: [1-9] documents?\b")
        assert "fstec" in screen.lower() or "ФСТЭК" in screen


def test_f6_rebuilds_and_the_app_lives(own: tuple[Path, Path]) -> None:
    corpus, index = own
    with tui(index, corpus) as term:
        term.wait_for(r"Results: 37 documents")
        (corpus / "gone.txt").write_text("Ett dokument som strax byggs in.\n" * 3, encoding="utf-8")
        term.press("f6")
        term.wait_for(r"Index rebuilt: 38 added", timeout=90)
        term.wait_for(r"Results: 38 documents")
        assert term.alive()


def test_ask_a_question_and_export_the_answers(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = built
    with tui(index, cwd=tmp_path) as term:
        term.wait_for(RESULTS)
        term.press("f9")
        term.wait_for("Ask mode")
        term.type("Сколько человек работает в пекарне Каравай?")
        term.press("enter")
        screen = term.wait_for(r"Answers: \d+", timeout=30)
        assert "Каравай" in screen and "Гомел" in screen  # the sentence and its citation
        # the filter pane counts the answers, not the whole collection
        assert "□ BY" in screen and "□ BY 13" not in screen
        term.press("f3")
        term.wait_for("Export every result")
        term.press("enter")  # CSV, the first format
        term.wait_for(r"Exported to", timeout=15)
        exported = next(tmp_path.glob("answers-*.csv"))
        rows = list(csv.DictReader(exported.open(encoding="utf-8")))
        assert rows and "одиннадцать" in rows[0]["answer"] and "Гомел" in rows[0]["citation"]
        # a question with no word to look for is answered with a message, and the app lives
        term.press("ctrl+u")
        term.type("?")
        term.press("enter")
        term.wait_for("no word to look for")
        assert term.alive()


def test_reader_pages_and_copies_the_citation_of_the_page_on_screen(app: Terminal) -> None:
    app.type("upphandling type:report lang:sv")
    app.wait_for(r"Results: 1 document\b")
    app.press("tab", "tab")  # facets, then results
    app.press("enter")
    screen = app.wait_for(r"page \d+ \(\d+ of \d+\)")
    _, nth, pages, _ = _reader_position(screen)
    assert pages > 1 and "Traceback" not in screen
    app.press("right")
    screen = app.wait_for(rf"page \d+ \({nth % pages + 1} of {pages}\)")
    _, _, _, shown = _reader_position(screen)
    # the title line's citation names the page on screen, and so does the copied one
    assert f"p. {shown}," in screen
    app.press("c")
    screen = app.wait_for("Copied|Sent to the terminal")
    assert f"p. {shown}," in " ".join(screen.split())
    # n goes from match to match, on to the next page that has one
    app.press("n", "n", "n", "n", "n", "n")
    assert app.alive()
    app.press("escape")
    app.wait_for(RESULTS)


def _reader_position(screen: str) -> tuple[str, int, int, int]:
    """(unit, n-th, of how many, page number) from the reader's title line."""
    m = re.search(r"(page|section) (\d+) \((\d+) of (\d+)\)", screen)
    assert m, screen
    return m.group(1), int(m.group(3)), int(m.group(4)), int(m.group(2))


def test_export_search_results_from_the_tui(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = built
    with tui(index, cwd=tmp_path) as term:
        term.wait_for(RESULTS)
        term.type("pašvaldība")
        term.wait_for(r"Results: [1-9]\d* documents?\b")
        term.press("f3")
        term.wait_for("Export every result")
        term.press("down", "enter")  # JSON
        term.wait_for(r"Exported to", timeout=15)
        data = json.loads(next(tmp_path.glob("search-results-*.json")).read_text("utf-8"))
        assert data["hits"] and all(h["country"] for h in data["hits"])


def test_unreadable_files_do_not_stop_the_tui_and_are_listed(tmp_path: Path) -> None:
    """What `make run` does: index (exit 3: an encrypted PDF and an empty one fail; a scan is
    read by OCR, or fails with the install hint), then the TUI."""
    corpus = _copy_corpus(tmp_path)
    shutil.copy(TESTDATA / "pdf/hard/scanned_no_text_layer.pdf", corpus / "scan.pdf")
    shutil.copy(TESTDATA / "pdf/hard/encrypted_password-test.pdf", corpus / "locked.pdf")
    (corpus / "empty.pdf").write_bytes(b"")
    index = tmp_path / "index"
    code, out = cli("--index", str(index), "--corpus", str(corpus), "index")
    assert code == 3, out
    assert "failed: locked.pdf: encrypted: password needed" in out
    failing, documents = (2, 38) if ocr.available() else (3, 37)
    with tui(index) as term:  # no --corpus: the index knows its corpus
        term.wait_for(rf"Results: {documents} documents")
        term.wait_for(rf"{failing} files not indexed \(ctrl\+n\)")
        term.press("ctrl+n")
        screen = term.wait_for("could not be")
        assert "locked.pdf" in screen and "password needed" in screen
        assert "empty.pdf" in screen and "empty file" in screen
        assert ("scan.pdf" in screen) is not ocr.available()
        term.press("escape")
        term.wait_gone("password needed")
        # F5 does not read them again, and says they still fail
        term.press("f5")
        term.wait_for(rf"removed, {failing} failed", timeout=30)
        if ocr.available():  # the scan is searchable, and its card says it was read by OCR
            term.type("regeringsprotokollet")
            screen = term.wait_for("scan \\(OCR\\)")
            assert "Results: 1 document" in screen


def test_a_file_indexed_with_a_note_is_said_and_listed(tmp_path: Path) -> None:
    """F5 on a real order saved as .html without markup: it is indexed, read as text, and
    the message and ctrl+n say so."""
    corpus = _copy_corpus(tmp_path)
    index = tmp_path / "index"
    assert cli("--index", str(index), "--corpus", str(corpus), "index")[0] == 0
    with tui(index, corpus) as term:
        term.wait_for(RESULTS)
        shutil.copy(TESTDATA / "html/ru/dedoc-bashkortostan-prikaz-53.html", corpus / "order.html")
        term.press("f5")
        screen = term.wait_for(r"1 added", timeout=30)
        assert "0 removed; 1 note" in screen, screen  # the toast goes on: "(ctrl+n)"
        term.press("ctrl+n")
        screen = term.wait_for("indexed, with a note")
        assert "order.html" in screen and "read as plain text" in screen
        term.press("escape")
        term.type("персональных данных")
        term.wait_for(r"Results: 1 document\b")


def test_the_tui_at_80_by_24(built: tuple[Path, Path]) -> None:
    corpus, index = built
    with tui(index, corpus, size=(80, 24)) as term:
        screen = term.wait_for(RESULTS)
        lines = screen.splitlines()
        footer = lines[-1]
        for key in ("Help", "Reindex", "Export", "Ask", "Filters", "palette"):
            assert key in footer, footer
        assert all(len(line) <= 80 for line in lines)
        assert "□ BY 13" in screen  # the filter pane fits, narrower
        term.press("ctrl+b")  # and can be hidden for the results' sake
        term.wait_gone(r"□ BY 13")
        term.press("ctrl+b")
        term.wait_for(r"□ BY 13")
        # a misspelling offers a spelling, and ctrl+t takes it
        term.type("kooperatv")
        term.wait_for(r"did you mean: kooperativ \(ctrl\+t\)")
        term.press("ctrl+t")
        term.wait_for(r"Results: [1-9] documents?\b")


# ------------------------------------------------------------------------ the CLI


def test_cli_in_a_terminal(built: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, index = built
    code, out = cli("query", "-kommun", "samarbete", "--index", str(index), "--country", "Sverige")
    assert code == 0, out
    assert re.search(r"^\d+ documents? \(", out, re.M)
    assert "kommun" not in out.split("\n", 1)[1].lower().replace("kommuner", "")
    code, out = cli("--index", str(index), "query", "skola", "--country", "Narnia")
    assert code == 2 and "unknown country 'Narnia': use SE (Sweden), LV (Latvia) or BY" in out
    code, out = cli("--index", str(index), "ask", "?")
    assert code == 2 and "no word to look for" in out and "Traceback" not in out
    # `show` with a path as typed, from wherever the user stands
    rel = Path(os.path.relpath(corpus / "cases/se/byalaget-ydre.pdf", tmp_path))
    code, out = cli("show", "--index", str(index), str(rel), cwd=tmp_path)
    assert code == 0, out
    assert "Ydre" in out.splitlines()[0]


def test_cli_output_into_head_ends_quietly(built: tuple[Path, Path]) -> None:
    _, index = built
    done = subprocess.run(
        f"{sys.executable} -m search --index {index} query '' --limit 50 | head -2",
        shell=True,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=60,
        check=False,
    )
    assert len(done.stdout.splitlines()) == 2
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_the_terminal_starts_a_program_as_a_shell_does_even_from_a_background_job() -> None:
    """Started from a job that ignores ctrl+c (a background job, some CI runners), the
    program under test must still get ctrl+c, as it does from a person's shell: ignored
    signals are inherited, and this once made the ctrl+c test below hang."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        probe = (
            "import signal; print('ctrl+c stops it:', signal.getsignal(2) is not signal.SIG_IGN)"
        )
        with Terminal([sys.executable, "-c", probe]) as term:
            term.wait_for("ctrl[+]c stops it: True", timeout=10)
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_watched_corpus_indexes_new_changed_and_removed_files(tmp_path: Path) -> None:
    """`index --watch` in a terminal: a line per update as files come and go; ctrl+c ends it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ydre.txt").write_text(
        "Föreningen i Ydre driver lanthandeln tillsammans med kommunen.\n" * 3, encoding="utf-8"
    )
    index = tmp_path / "index"
    argv = [sys.executable, "-m", "search", "--index", str(index), "--corpus", str(corpus)]
    with Terminal([*argv, "index", "--watch"]) as term:
        term.wait_for(r"1 added, 0 updated, 0 removed", timeout=30)
        (corpus / "talsi.txt").write_text(
            "Biedrība Talsos gatavo pusdienas skolēniem kopā ar pašvaldību.\n" * 3,
            encoding="utf-8",
        )
        term.wait_for(r"1 added, 0 updated, 0 removed, 1 unchanged", timeout=5)
        (corpus / "ydre.txt").unlink()
        term.wait_for(r"0 added, 0 updated, 1 removed", timeout=5)
        term.press("ctrl+c")
        term.wait_for("Stopped watching")
    code, out = cli("--index", str(index), "query", "pusdienas")
    assert code == 0 and "1 document" in out


def test_the_tui_watching_the_corpus_finds_a_new_file_without_f5(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    index = tmp_path / "index"
    with tui(index, corpus, options=["--watch"]) as term:  # builds the missing index too
        term.wait_for(r"Results: 37 documents", timeout=60)
        term.wait_for("watching")
        (corpus / "talsi.txt").write_text(
            "Biedrība Talsos gatavo pusdienas skolēniem kopā ar pašvaldību.\n" * 3,
            encoding="utf-8",
        )
        term.wait_for(r"Results: 38 documents", timeout=5)  # searchable within 5 s
        screen = term.wait_for(r"watching: talsi\.txt at \d\d:\d\d")
        term.type("Talsos pusdienas")
        screen = term.wait_for(r"Results: 1 document\b")
        assert "Talsos" in screen
        term.press("ctrl+g")  # off again
        term.wait_for("No longer watching")
