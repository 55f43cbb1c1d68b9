"""The three jobs as a person meets them: `python tui.py` and `python -m search` started as
separate processes in a pseudo-terminal, on a copy of the sample corpus, asserting what is
on the screen. In-process Pilot tests (test_tui.py) cover detail; these prove the whole.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.service import run_index
from tests.conftest import PROJECT, TESTDATA, settings_for
from tests.terminal import Terminal, tui

RESULTS = r"Results: \d+ documents?"
COUNTRIES = ("BY", "LV", "SE")


def _copy_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    shutil.copytree(PROJECT / "corpus", corpus)
    return corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the sample corpus with its index, shared by journeys that only read."""
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
    screen = app.wait_for(r"Results: [1-9]\d? documents?\b")
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
