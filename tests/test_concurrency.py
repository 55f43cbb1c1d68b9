"""Readers keep working while a writer commits; writers take turns."""

from __future__ import annotations

import threading
from pathlib import Path

from search.errors import IndexLockedError
from search.models import SearchRequest
from search.service import index_events, open_search, run_index
from tests.conftest import settings_for
from tests.fixture_corpus import write_fixture_corpus


def test_searches_keep_answering_while_a_reindex_and_a_rebuild_commit(tmp_path: Path) -> None:
    settings = settings_for(write_fixture_corpus(tmp_path / "corpus"), tmp_path / "index")
    run_index(settings)
    for n in range(60):
        (settings.corpus_dir / f"note-{n:02}.md").write_text(
            f"# Anteckning {n}\n\nKommunen och företaget.\n"
        )
    totals: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def searcher() -> None:
        engine = open_search(settings)
        try:
            while not done.is_set():
                totals.append(engine.search(SearchRequest(text="Valmierā")).total_documents)
        except BaseException as exc:  # any failure of a reader is the test's failure
            errors.append(exc)
        finally:
            engine.close()

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        assert run_index(settings).exit_code == 0
        assert run_index(settings, rebuild=True).exit_code == 0
    finally:
        done.set()
        thread.join(timeout=30)
    assert not errors, errors
    assert totals and set(totals) == {1}


def test_a_second_writer_is_told_who_holds_the_index(tmp_path: Path) -> None:
    settings = settings_for(write_fixture_corpus(tmp_path / "corpus"), tmp_path / "index")
    run_index(settings)
    first = index_events(settings, rebuild=True)
    next(first)  # the first writer now holds the lock
    try:
        try:
            run_index(settings)
        except IndexLockedError as exc:
            assert "being updated by another process" in str(exc)
        else:
            raise AssertionError("the second writer was let in")
    finally:
        first.close()  # cancelling the first run releases the lock and keeps the index
    assert run_index(settings).exit_code == 0
