"""Incremental reindexing, atomic rebuilds and one writer at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from search.cli import main
from search.indexing import store
from search.indexing.lock import LOCK_NAME, writer_lock
from search.indexing.watch import watch_index
from search.models import IndexProgress, IndexReport, SearchRequest
from search.service import index_events, open_search, run_index
from search.settings import Settings
from tests.conftest import PROJECT, settings_for
from tests.fixture_corpus import write_fixture_corpus


@pytest.fixture
def fresh(tmp_path: Path) -> Settings:
    corpus = write_fixture_corpus(tmp_path / "corpus")
    settings = settings_for(corpus, tmp_path / "index")
    run_index(settings)
    return settings


def _titles(settings: Settings, text: str) -> set[str]:
    engine = open_search(settings)
    try:
        return {h.title for h in engine.search(SearchRequest(text=text, page_size=50)).hits}
    finally:
        engine.close()


def test_an_unchanged_corpus_extracts_nothing(fresh: Settings) -> None:
    events = list(index_events(fresh))
    extract = [e for e in events if isinstance(e, IndexProgress) and e.phase == "extract"]
    report = events[-1]
    assert isinstance(report, IndexReport)
    assert extract == [IndexProgress("extract", 0, 0)]
    assert (report.added, report.updated, report.removed, report.failed) == ((), (), (), ())
    assert report.unchanged == 6


def test_touching_a_file_without_changing_it_extracts_nothing(fresh: Settings) -> None:
    path = fresh.corpus_dir / "lv/riga.md"
    os.utime(path, ns=(time.time_ns(), time.time_ns()))
    report = run_index(fresh)
    assert report.updated == () and report.unchanged == 6


def test_one_added_one_changed_one_deleted(fresh: Settings) -> None:
    (fresh.corpus_dir / "se/new.md").write_text(
        "# Ny rapport\n\nKommunen i Lund har tecknat ett avtal med ett socialt företag om "
        "trädgårdsskötsel i parkerna, och avtalet gäller i fem år.\n",
        encoding="utf-8",
    )
    riga = fresh.corpus_dir / "lv/riga.md"
    riga.write_text(
        riga.read_text(encoding="utf-8").replace("programmēšanu", "keramiku"), encoding="utf-8"
    )
    (fresh.corpus_dir / "se/malmo-atervinning.md").unlink()
    report = run_index(fresh)
    assert report.added == ("se/new.md",)
    assert report.updated == ("lv/riga.md",)
    assert report.removed == ("se/malmo-atervinning.md",)
    assert report.unchanged == 4
    assert _titles(fresh, "trädgårdsskötsel") == {"Ny rapport"}
    assert _titles(fresh, "keramiku") == {"Jauniešu centrs Rīgā"}
    assert _titles(fresh, "programmēšanu") == set()
    assert _titles(fresh, "kooperativ") == set()


def test_a_changed_sidecar_reindexes_its_file(fresh: Settings) -> None:
    sidecar = fresh.corpus_dir / "lv/riga.md.meta.toml"
    sidecar.write_text('year = 2023\nmunicipality = ["Rīga"]\n', encoding="utf-8")
    report = run_index(fresh)
    assert report.updated == ("lv/riga.md",)


def test_a_file_that_breaks_keeps_its_old_version(fresh: Settings) -> None:
    (fresh.corpus_dir / "lv/riga.md").write_bytes(b"")
    report = run_index(fresh)
    assert [f.key for f in report.failed] == ["lv/riga.md"]
    assert _titles(fresh, "jauniešu") == {"Jauniešu centrs Rīgā"}


def test_bad_metadata_skips_that_file_with_a_clear_reason(fresh: Settings) -> None:
    (fresh.corpus_dir / "se/bad.md").write_text(
        "# Rapport\n\nText om kommuner och företag.\n", encoding="utf-8"
    )
    (fresh.corpus_dir / "se/bad.md.meta.toml").write_text('country = "Sweden"\n', encoding="utf-8")
    (fresh.corpus_dir / "se/bad2.md").write_text(
        "# Rapport\n\nText om kommuner.\n", encoding="utf-8"
    )
    (fresh.corpus_dir / "se/bad2.md.meta.toml").write_text('year = "förra året"\nauthor = "x"\n')
    report = run_index(fresh)
    reasons = {f.key: f.reason for f in report.failed}
    assert "field 'country'" in reasons["se/bad.md"] and "bad.md.meta.toml" in reasons["se/bad.md"]
    assert "bad2.md.meta.toml" in reasons["se/bad2.md"]
    assert report.exit_code == 3


def test_rebuild_swaps_in_a_new_generation_and_removes_the_old(fresh: Settings) -> None:
    before = store.current_generation(fresh.index_dir)
    report = run_index(fresh, rebuild=True)
    after = store.current_generation(fresh.index_dir)
    assert report.rebuilt and before != after and after is not None
    assert len(report.added) == 6
    assert _titles(fresh, "Valmierā") == {"Sociālais uzņēmums Valmierā"}


def test_a_second_writer_is_refused_without_touching_anything(
    fresh: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    gen = store.current_generation(fresh.index_dir)
    with writer_lock(fresh.index_dir):
        code = main(
            [
                "--corpus",
                str(fresh.corpus_dir),
                "--index",
                str(fresh.index_dir),
                "index",
                "--rebuild",
            ]
        )
    err = capsys.readouterr().err
    assert code == 1
    assert f"the index is being updated by another process (pid {os.getpid()})" in err
    assert store.current_generation(fresh.index_dir) == gen


def test_a_stale_lock_from_a_dead_process_is_taken_over(fresh: Settings) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (fresh.index_dir / LOCK_NAME).write_text(dead.stdout.strip())
    assert run_index(fresh).exit_code == 0
    assert not (fresh.index_dir / LOCK_NAME).exists()


def test_a_rebuild_killed_midway_leaves_the_old_index_working(tmp_path: Path) -> None:
    corpus = write_fixture_corpus(tmp_path / "corpus")
    bulk = corpus / "bulk"
    bulk.mkdir()
    for n in range(400):
        (bulk / f"note-{n:03}.md").write_text(
            f"# Note {n}\n\n" + "Kommunen och det sociala företaget träffas varje vecka. " * 30,
            encoding="utf-8",
        )
    settings = settings_for(corpus, tmp_path / "index")
    run_index(settings)
    before = _titles(settings, "Valmierā")
    old_gen = store.current_generation(settings.index_dir)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search",
            "--corpus",
            str(corpus),
            "--index",
            str(settings.index_dir),
            "index",
            "--rebuild",
        ],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(settings.index_dir.glob("gen-*"))) < 2:
        time.sleep(0.01)
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(list(settings.index_dir.glob("gen-*"))) == 2, (
        "the kill came too late to test anything"
    )
    assert store.current_generation(settings.index_dir) == old_gen
    assert _titles(settings, "Valmierā") == before
    report = run_index(settings)  # the stale lock and the half-built generation are cleaned up
    assert report.exit_code == 0
    assert old_gen is not None
    assert [g.name for g in settings.index_dir.glob("gen-*")] == [old_gen.name]


def test_add_documents_replaces_by_doc_id_in_one_commit(fresh: Settings) -> None:
    from search.indexing.indexer import add_documents
    from search.ingest.extract import process_file

    path = fresh.corpus_dir / "lv/riga.md"
    doc = process_file(path, "lv/riga.md", fresh.corpus_dir, fresh.limits)
    assert add_documents(fresh, [doc]) == len(doc.passages)
    assert _titles(fresh, "Rīgā") == {"Jauniešu centrs Rīgā"}
    engine = open_search(fresh)
    try:
        assert engine.search(SearchRequest(text="jauniešu")).total_documents == 1
    finally:
        engine.close()


def _age(path: Path, seconds: float = 60) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_an_open_engine_sees_a_commit_even_after_a_quiet_spell(fresh: Settings) -> None:
    """Between commits a search skips Whoosh's freshness check (a directory listing) on
    the strength of file stamps; a commit or a rebuild must still be seen at once."""
    engine = open_search(fresh)
    try:
        assert engine.search(SearchRequest(text="zebraord")).total_documents == 0
        gen = store.current_generation(fresh.index_dir)
        assert gen is not None
        _age(fresh.index_dir / store.CURRENT_NAME)
        _age(gen)
        stamp = store.change_stamp(fresh.index_dir, gen)
        assert stamp is not None and stamp == store.change_stamp(fresh.index_dir, gen)
        engine.search(SearchRequest(text="kommun"))  # takes the quick path from here on
        (fresh.corpus_dir / "new.md").write_text("# Ny\n\nEtt zebraord i texten.\n")
        run_index(fresh)
        assert engine.search(SearchRequest(text="zebraord")).total_documents == 1
        _age(fresh.index_dir / store.CURRENT_NAME)
        _age(gen)
        engine.search(SearchRequest(text="kommun"))
        (fresh.corpus_dir / "new.md").unlink()
        run_index(fresh, rebuild=True)
        assert engine.search(SearchRequest(text="zebraord")).total_documents == 0
    finally:
        engine.close()


def _seen(engine: Any) -> tuple[object, ...]:
    """What searches show: counts, facets, the hits and their copies."""
    everything = engine.search(SearchRequest(page_size=50))
    found = engine.search(SearchRequest(text="kommun", page_size=50))
    filtered = engine.search(SearchRequest(text="kommun", filters=(("country", ("SE",)),)))
    changed = engine.search(SearchRequest(text="nams"))
    return tuple(
        (
            r.total_documents,
            r.total_passages,
            r.facets,
            [(h.passage_id, h.copies) for h in r.hits],
        )
        for r in (everything, found, filtered, changed)
    )


def _changes(corpus: Path) -> list[Callable[[], object]]:
    """A new file, a changed one, a deleted one, a copy, and a segment left with deleted
    passages only: each a commit of its own."""
    return [
        lambda: (corpus / "se/new.md").write_text(
            "# Ny rapport\n\nKommunen i Lund har tecknat ett avtal med ett socialt företag.\n",
            encoding="utf-8",
        ),
        lambda: (corpus / "lv/riga.md").write_text(
            (corpus / "lv/riga.md").read_text(encoding="utf-8").replace("centrs", "nams"),
            encoding="utf-8",
        ),
        lambda: (corpus / "se/malmo-atervinning.md").unlink(),
        lambda: (corpus / "se/kopia av new.md").write_bytes((corpus / "se/new.md").read_bytes()),
        lambda: (corpus / "se/new.md").unlink(),
    ]


def test_an_open_engine_after_each_commit_counts_as_one_opened_afresh(fresh: Settings) -> None:
    """After a commit an open engine reads again only the segments it has not read (new
    ones, and old ones that lost passages): its counts, facets, copies and results must
    be those of an engine opened afresh on the same version."""
    engine = open_search(fresh)
    try:
        before = _seen(engine)
        for step in _changes(fresh.corpus_dir):
            step()
            assert run_index(fresh).exit_code == 0
            afresh = open_search(fresh)
            try:
                now = _seen(engine)
                assert now == _seen(afresh)
                assert now != before
                before = now
            finally:
                afresh.close()
        found = engine.search(SearchRequest(text="tecknat")).hits
        assert [(h.source_key, h.copies) for h in found] == [("se/kopia av new.md", ())]
    finally:
        engine.close()


def test_a_new_process_reads_what_was_kept_of_each_segment_not_its_documents(
    fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A segment's facet table, and that its layout was checked, are kept beside its files
    when it is first opened; an engine opened later reads those files instead of every
    document's stored fields and the layout's probes, and shows what reading them shows,
    after every kind of commit. A kept file cut short, or written by another version, is
    read past (and written again); the files go with their segments."""
    from search.retrieval import facets, kept_tables, ranking, whoosh_layout

    monkeypatch.setattr(kept_tables, "SMALLEST", 0)  # the fixture's segments are small
    reads: list[int] = []
    read = facets._SegmentDocs.read

    def counted(leaf: Any, described: Any) -> Any:
        reads.append(leaf.doc_count_all())
        return read(leaf, described)

    monkeypatch.setattr(facets._SegmentDocs, "read", staticmethod(counted))
    probed: list[str] = []
    probes = whoosh_layout._probes

    def counted_probes(reader: Any, field: str, count: int) -> list[bytes]:
        probed.append(field)
        return probes(reader, field, count)

    monkeypatch.setattr(whoosh_layout, "_probes", counted_probes)

    def kept(extension: str = facets.KEPT_EXTENSION) -> list[Path]:
        live = store.current_generation(fresh.index_dir)
        assert live is not None
        return sorted(live.glob(f"*.{extension}"))

    def segments() -> list[str]:
        with store.open_current(fresh.index_dir)[1].reader() as reader:
            return sorted(leaf.segment().segment_id() for leaf, _ in reader.leaf_readers())

    def opened() -> tuple[object, ...]:
        engine = open_search(fresh)
        try:
            return _seen(engine)
        finally:
            engine.close()

    for step in [lambda: None, *_changes(fresh.corpus_dir)]:
        step()
        reads.clear()
        assert run_index(fresh).exit_code == 0
        first = opened()  # the segments new to the folder are read, their tables kept
        assert [p.stem for p in kept()] == segments()
        assert [p.stem for p in kept(ranking.CHECKED_EXTENSION)] == segments()
        reads.clear()
        probed.clear()
        assert opened() == first and not reads and not probed  # all from the kept files
        monkeypatch.setattr(kept_tables, "SMALLEST", 10**9)  # none kept: all read
        assert opened() == first and reads
        monkeypatch.setattr(kept_tables, "SMALLEST", 0)

    cut = kept()[0]
    cut.write_bytes(cut.read_bytes()[:40])
    reads.clear()
    assert opened() == first and len(reads) == 1 and cut.stat().st_size > 40
    monkeypatch.setattr(kept_tables, "VERSION", kept_tables.VERSION + 1)
    reads.clear()
    probed.clear()
    assert opened() == first and len(reads) == len(kept()) and probed

    before = kept()
    _, ix = store.open_current(fresh.index_dir)
    ix.optimize()  # one segment of them all: the others' files are deleted with them
    assert not any(p.exists() for p in before) and len(kept(ranking.CHECKED_EXTENSION)) == 0
    assert opened() == first and len(kept()) == 1


def _stats_from_every_passage(settings: Settings) -> dict[str, object]:
    """What `stats` counts, from every passage's stored fields (as it read them before)."""
    from collections import Counter

    first: dict[str, dict[str, object]] = {}
    languages: dict[str, set[str]] = {}
    passages_by_language: Counter[str] = Counter()
    _, ix = store.open_current(settings.index_dir)
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            lang = str(fields.get("lang", ""))
            passages_by_language[lang] += 1
            first.setdefault(fields["doc_id"], fields)
            languages.setdefault(fields["doc_id"], set()).add(lang)
        passages = s.doc_count()
    by_country: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    by_language: Counter[str] = Counter()
    for doc_id, f in first.items():
        by_country.update(str(f.get("country") or "(none)").split(","))
        by_type[str(f.get("doc_type", ""))] += 1
        by_language.update(languages[doc_id])
    return {
        "documents": len(first),
        "passages": passages,
        "by_country": tuple(sorted(by_country.items())),
        "by_language": tuple(sorted(by_language.items())),
        "by_type": tuple(sorted(by_type.items())),
        "passages_by_language": tuple(sorted(passages_by_language.items())),
    }


@pytest.mark.parametrize("kept", [False, True], ids=["read", "kept"])
def test_stats_count_what_every_passage_says_after_every_kind_of_commit(
    fresh: Settings, kept: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stats` counts from each segment's facet table (kept beside it or read), with the
    segment's deletions; copies count as the documents they are. It says what reading
    every passage's stored fields says."""
    from search.retrieval import kept_tables
    from search.service import stats

    if kept:
        monkeypatch.setattr(kept_tables, "SMALLEST", 0)
    (fresh.corpus_dir / "notes").mkdir()
    (fresh.corpus_dir / "notes" / "plain.txt").write_text(  # a document without a country
        "A plain note on cooperation, with no place named in it at all.\n", encoding="utf-8"
    )
    for step in [lambda: None, *_changes(fresh.corpus_dir)]:
        step()
        assert run_index(fresh).exit_code == 0
        counted = stats(fresh)
        expected = _stats_from_every_passage(fresh)
        assert {k: getattr(counted, k) for k in expected} == expected
        assert ("(none)", 1) in counted.by_country


def test_a_watch_keeps_a_file_that_arrives_while_a_run_is_reported(fresh: Settings) -> None:
    """The folder is watched from before the first run: a file written while the watch's
    caller is still busy with a report (or while a run writes) is in the next run. A
    watch begun anew after each run missed it until some other change came."""
    stop = threading.Event()
    timer = threading.Timer(20, stop.set)  # a watch that missed the file would wait on
    timer.start()
    watching = watch_index(fresh, stop)
    try:
        first = next(watching)
        assert isinstance(first, IndexReport) and not first.added
        # written while this caller holds the first report, before it asks for more
        (fresh.corpus_dir / "arrived.txt").write_text(
            "Biedrība Talsos gatavo pusdienas skolēniem.\n" * 3, encoding="utf-8"
        )
        time.sleep(0.5)
        second = next(watching)
        assert isinstance(second, IndexReport) and second.added == ("arrived.txt",), second
        assert not stop.is_set()
    finally:
        stop.set()
        timer.cancel()
        watching.close()


def test_stats_count_a_document_written_into_two_segments_once(tmp_path: Path) -> None:
    """A build writes a segment whenever its memory limit is reached, which can fall
    inside a document: its passages are then in two segments, and it is one document."""
    from bench import synthetic
    from search.service import SearchService

    settings = settings_for(PROJECT / "corpus", tmp_path / "index")
    service = SearchService(settings)
    service.build_from(synthetic.documents(PROJECT / "corpus", 800), procs=1, limitmb=1)
    _, ix = store.open_current(settings.index_dir)
    with ix.reader() as reader:
        segments_of: dict[str, int] = {}
        for leaf, _ in reader.leaf_readers():
            for term in leaf.lexicon("doc_id"):
                segments_of[term] = segments_of.get(term, 0) + 1
    assert any(n > 1 for n in segments_of.values()), "no document was split"
    expected = _stats_from_every_passage(settings)
    counted = service.stats()
    assert {k: getattr(counted, k) for k in expected} == expected
