"""The indexer analyses a passage once for all its word fields: the index it writes must be
the one Whoosh's own field analyzers write from the text, term for term."""

from __future__ import annotations

import io
import itertools
import pickle
import random
import shutil
import struct
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.formats import Existence, Positions

from search.errors import IndexWriteError
from search.indexing import indexer, segment_writer, store, word_forms
from search.indexing.indexer import _rows, compound_dictionary, searchable_texts
from search.indexing.segment_writer import QuickSegmentWriter
from search.indexing.term_arrays import open_arrays
from search.models import Document
from search.retrieval import whoosh_layout
from search.service import SearchService
from search.settings import Settings
from search.text import analysis, compounds, lemmas
from search.text.analysis import (
    FOLDED_FIELD,
    LANGUAGE_FIELDS,
    OTHER_FIELD,
    field_for_language,
    folded_text,
)
from tests.conftest import PROJECT


def _documents(tmp_path: Path) -> tuple[SearchService, list[Document]]:
    corpus = tmp_path / "corpus"
    shutil.copytree(PROJECT / "corpus", corpus)
    # ё (indexed as е), stopwords between content words, an apostrophe inside a word
    (corpus / "jolka.txt").write_text(
        "Ёлка у её дома. Её ёжик ест всё, что найдёт в лесу у муниципалитета.\n\n"
        "The municipality's social enterprises don't stop at the town's border.\n",
        encoding="utf-8",
    )
    service = SearchService(Settings(index_dir=tmp_path / "index", corpus_dir=corpus))
    return service, [service.read(src) for src in service.corpus_files()]


def _postings(reader: Any) -> dict[tuple[str, bytes], list[tuple[str, float, object]]]:
    """Every posting: (field, term) → [(passage id, weight, positions or value)], in passage
    order. Positions count from a passage's first indexed word: Whoosh's stop filter numbers
    from the first word that is not a stopword (a passage opening with "the" starts at 1),
    a list from 0; phrases compare positions only with each other. Passages by their ids,
    since a merge numbers them in another order."""
    ids = {d: reader.stored_fields(d)["id"] for d in reader.all_doc_ids()}
    out: dict[tuple[str, bytes], list[tuple[int, float, object]]] = {}
    first: dict[tuple[str, int], int] = {}
    for field, term in reader.all_terms():
        fmt = reader.schema[field].format
        m = reader.postings(field, term)
        rows = out[field, term] = []
        while m.is_active():  # not all_ids(): over segments it leaves `m` behind
            d = m.id()
            # an Existence field stores no value (Whoosh's reader fails to give its None
            # for a segment's last block)
            value: object = None if isinstance(fmt, Existence) else m.value()
            if fmt.supports("positions"):
                positions: list[int] = fmt.decode_positions(value)
                first[field, d] = min(first.get((field, d), 1 << 30), *positions)
                value = positions
            rows.append((d, m.weight(), value))
            m.next()
    return {
        (field, term): sorted(
            (ids[d], w, [p - first[field, d] for p in v] if isinstance(v, list) else v)
            for d, w, v in rows
        )
        for (field, term), rows in out.items()
    }


def _by_whoosh(docs: list[Document], where: Path, contents: dict[str, str] | None = None) -> Any:
    """The index of `docs` as Whoosh's own writer makes it from the text, field by field
    (`contents`: each document's content hash, as the indexer stores it)."""
    gen, theirs = store.create_generation(where)
    known = compound_dictionary(docs)
    writer = theirs.writer()  # Whoosh's own writer, not the indexer's
    for doc in docs:
        content = (contents or {}).get(doc.doc_id, "")
        for row, text in zip(_rows(doc, known, content), searchable_texts(doc), strict=True):
            language = row["lang"]
            assert isinstance(row[FOLDED_FIELD], list)  # the indexer's analysed terms
            row[field_for_language(language)] = text
            row[FOLDED_FIELD] = folded_text(text, language)
            row["spelling"] = text
            writer.add_document(**row)
    writer.commit()
    return store.open_generation(gen)


def _assert_same_index(ours: Any, theirs: Any) -> dict[tuple[str, bytes], Any]:
    with ours.reader() as a, theirs.reader() as b:
        assert a.doc_count() == b.doc_count() > 200
        expected = _postings(b)
        assert _postings(a) == expected
        for field, term in expected:  # the statistics scoring reads, as Whoosh wrote them
            x, y = a.term_info(field, term), b.term_info(field, term)
            assert (
                x.weight(),
                x.doc_frequency(),
                x.min_length(),
                x.max_length(),
                x.max_weight(),
            ) == (
                y.weight(),
                y.doc_frequency(),
                y.min_length(),
                y.max_length(),
                y.max_weight(),
            ), (field, term)
        ids_a = {a.stored_fields(d)["id"]: d for d in a.all_doc_ids()}
        ids_b = {b.stored_fields(d)["id"]: d for d in b.all_doc_ids()}
        assert ids_a.keys() == ids_b.keys()
        for passage, d in ids_b.items():
            assert a.stored_fields(ids_a[passage]) == b.stored_fields(d)
            for field in (FOLDED_FIELD, "spelling", "text_sv", "text_lv", "text_ru", "text_en"):
                mine, whose = (
                    a.doc_field_length(ids_a[passage], field),
                    b.doc_field_length(d, field),
                )
                assert (mine or 0) == (whose or 0)  # a reader of segments says 0 for None
    _assert_arrays_agree(ours)
    return expected


def _assert_arrays_agree(ix: Any) -> int:
    """Every term of every segment's arrays (`term_arrays`) has the postings and positions
    Whoosh's blocks of the segment have, read through its public API; returns how many
    segments have arrays."""
    with ix.reader() as reader:
        held = 0
        for leaf, _ in reader.leaf_readers():
            arrays = open_arrays(leaf)
            if arrays is None:
                continue
            # as searches read them: the file mapped into memory, where it can be
            mapped = open_arrays(leaf, whoosh_layout.mapped)
            assert mapped is not None and mapped.fields == arrays.fields
            held += 1
            assert (
                {FOLDED_FIELD, "title"}
                <= arrays.fields
                <= {FOLDED_FIELD, OTHER_FIELD, "title", *LANGUAGE_FIELDS.values()}
            )
            for field in arrays.fields:
                for term in leaf.lexicon(field):
                    row = arrays.find(field, term)
                    assert row is not None, (field, term)
                    assert mapped.find(field, term) == row
                    assert mapped.positions(row).tolist() == arrays.positions(row).tolist()
                    ids, weights = whoosh_layout.public_postings(leaf.postings(field, term))
                    assert arrays.doc_frequency(row) == leaf.doc_frequency(field, term)
                    kept = arrays.postings(row)
                    assert ids.tolist() == kept[0].tolist(), (field, term)
                    assert weights.tolist() == kept[1].tolist(), (field, term)
                    keys = whoosh_layout.public_positions(leaf.postings(field, term))
                    assert keys.tolist() == arrays.positions(row).tolist(), (field, term)
                for absent in (b"", b"\xff", "ёлка".encode()):
                    assert arrays.find(field, absent) is None
                # many terms at once, as an update looks up the parts of compounds
                asked = [*leaf.lexicon(field), b"", b"\xff", "ёлка".encode()]
                assert arrays.holds(field, asked).tolist() == [(field, t) in leaf for t in asked]
            arrays.close()
        return held


def _assert_word_forms_kept(ix: Any) -> int:
    """Every segment keeps each word of its passages in a language with a dictionary, with
    the term the analysis gives it now, asked afresh (`word_forms`); returns how many words
    were compared."""
    analysis._stems.cache_clear()  # asked afresh, not as the writer's cache had it
    compared = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            kept = word_forms.read(leaf)
            assert kept is not None
            for stored in leaf.all_stored_fields():
                language = stored["lang"]
                if language not in lemmas.DICTIONARIES:
                    continue
                for token, _, _ in analysis.tokens(stored["text"]):
                    word = token.lower().replace("ё", "е")
                    if word.isalpha() and word not in analysis.stopwords(language):
                        assert kept[language][word] == analysis.stem_of(language)(word)
                        compared += 1
    return compared


def _assert_compound_parts_kept(ix: Any) -> int:
    """Every part of a segment's Swedish words its file of parts keeps has the stem the
    analysis gives it now, asked afresh (`word_forms.PARTS`); returns how many."""
    analysis._stems.cache_clear()
    analysis.analyze_token.cache_clear()
    compared = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            kept = word_forms.read(leaf, word_forms.PARTS)
            assert kept is not None
            for part, term in kept["sv"].items():
                assert term == analysis.stem_of("sv")(part), part
                compared += 1
    return compared


def _assert_stored_uncompressed(ix: Any) -> int:
    """Every passage's stored fields are kept in zlib's stored blocks (`STORED_LEVEL`):
    no longer than they are, and what Whoosh reads from them; returns how many."""
    from whoosh.codec.whoosh3 import STORED_COLUMN

    compared = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            inner = leaf._perdoc._cached_reader("_stored", STORED_COLUMN)._child
            for docnum in range(leaf.doc_count_all()):
                at, length = inner._offsets[docnum], inner._lengths[docnum]
                kept = bytes(inner._dbfile.get(inner._basepos + at, length))
                pickled = zlib.decompress(kept)
                assert len(kept) > len(pickled)  # stored, not deflated
                assert pickle.loads(pickled) == leaf.stored_fields(docnum)
                compared += 1
    return compared


def test_a_passage_analysed_once_is_indexed_as_each_fields_analyzer_would(
    tmp_path: Path,
) -> None:
    service, docs = _documents(tmp_path)
    assert {p.language for d in docs for p in d.passages} >= {"sv", "lv", "ru", "en", "be"}
    service.build_from(docs)
    _, ours = store.open_current(tmp_path / "index")
    expected = _assert_same_index(ours, _by_whoosh(docs, tmp_path / "by-whoosh"))
    assert ("text_ru", "елк".encode()) in expected  # ё read as е
    assert _assert_arrays_agree(ours) == len(ours._segments()) == 1


def test_segments_past_the_memory_limit_spills_and_merges_write_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build past the writer's memory limit writes a new segment each time it is
    reached; an update past it hands its postings to Whoosh's pool (which spills to
    disk); Whoosh merges five small segments into a new one, whose postings are held
    with the new passages' and get arrays. The index is the same."""
    service, docs = _documents(tmp_path)
    largest = max(docs, key=lambda d: len(d.passages))
    built = [d for d in docs if d is not largest]
    monkeypatch.setattr(segment_writer, "POSTING_BYTES", 256)  # 1 MB holds 4096 postings
    service.build_from(built, limitmb=1)
    _, ix = store.open_current(tmp_path / "index")
    assert len(ix._segments()) >= 3

    handed: list[int] = []
    hand_over = QuickSegmentWriter._to_pool

    def counted(writer: QuickSegmentWriter) -> None:
        handed.append(writer.docnum)
        hand_over(writer)

    monkeypatch.setattr(QuickSegmentWriter, "_to_pool", counted)
    monkeypatch.setattr(segment_writer, "POSTING_BYTES", 1 << 20)  # 128 MB holds 128
    service.add_documents([largest])
    assert handed and handed[0] < len(largest.passages)  # spilled while it was written

    monkeypatch.setattr(segment_writer, "POSTING_BYTES", 26)
    small = []
    lines = ("Liten förening i Ydre.", "Maza biedrība Talsos.", "Small town.") * 2
    for i, line in enumerate(lines):
        (service.settings.corpus_dir / f"small{i}.txt").write_text(line, encoding="utf-8")
        files = {source.key: source for source in service.corpus_files()}
        small.append(service.read(files[f"small{i}.txt"]))
    handed.clear()
    counts = [len(store.open_current(tmp_path / "index")[1]._segments())]
    for doc in small:  # Whoosh's merge policy merges segments into one of these adds
        service.add_documents([doc])
        counts.append(len(store.open_current(tmp_path / "index")[1]._segments()))
    assert any(b <= a for a, b in itertools.pairwise(counts)), counts  # a merge
    assert not handed  # its postings held with the new passage's, not Whoosh's pool

    _, ours = store.open_current(tmp_path / "index")
    _assert_same_index(ours, _by_whoosh([*built, largest, *small], tmp_path / "by-whoosh"))
    # the spilled segment, which had none, was merged: every segment has arrays
    assert _assert_arrays_agree(ours) == len(ours._segments())
    assert _assert_stored_uncompressed(ours) == ours.doc_count_all()
    # and the words of every segment, the merged one's from the segments merged into it
    assert _assert_word_forms_kept(ours) > 1000
    assert _assert_compound_parts_kept(ours) > 100


def test_a_rebuild_past_the_memory_limit_writes_segments_with_arrays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indexing the corpus into a new index goes on in a new segment each time the memory
    limit is reached, each with its arrays, none through Whoosh's pool; the index is the
    same."""
    service, docs = _documents(tmp_path)
    handed: list[int] = []
    monkeypatch.setattr(QuickSegmentWriter, "_to_pool", lambda writer: handed.append(1))
    monkeypatch.setattr(segment_writer, "POSTING_BYTES", 256)  # 1 MB holds 4096 postings
    monkeypatch.setattr(indexer, "WRITER_MB", 1)
    report = service.run_index(rebuild=True)
    assert not report.failed
    _, ours = store.open_current(tmp_path / "index")
    assert len(ours._segments()) >= 3
    assert not handed
    with ours.searcher() as searcher:
        contents = {f["doc_id"]: f["content"] for f in searcher.all_stored_fields()}
    _assert_same_index(ours, _by_whoosh(docs, tmp_path / "by-whoosh", contents))
    assert _assert_arrays_agree(ours) == len(ours._segments())
    assert _assert_word_forms_kept(ours) > 1000


def test_a_build_in_two_processes_writes_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each process writes a segment; their blocks compressed, as a large segment's are
    (a small one's are not, as in the other tests)."""
    monkeypatch.setattr(segment_writer, "COMPRESSED_FROM", 0)
    service, docs = _documents(tmp_path)
    service.build_from(docs, procs=2)
    _, ours = store.open_current(tmp_path / "index")
    assert len(ours._segments()) == 2  # one a process
    _assert_same_index(ours, _by_whoosh(docs, tmp_path / "by-whoosh"))
    assert _assert_word_forms_kept(ours) > 1000  # each process kept its segment's words
    with ours.reader() as reader:
        infos = [
            info
            for leaf, _ in reader.leaf_readers()
            for term in leaf.lexicon(FOLDED_FIELD)
            for info in _block_infos(leaf, FOLDED_FIELD, term)
        ]
    assert {info[3] for info in infos if info[0] >= segment_writer.SMALL_BLOCK} == {3}
    assert {info[3] for info in infos if info[0] < segment_writer.SMALL_BLOCK} == {0}


def _block_infos(leaf: Any, field: str, term: bytes) -> list[tuple[Any, ...]]:
    """The statistics tuple of each block of a term's postings in a segment, as written:
    Whoosh's magic, then a length and a pickled tuple a block (the fifth its compression)."""
    if (field, term) not in leaf:
        return []
    raw = whoosh_layout._w3_postings(leaf.postings(field, term))
    assert raw is not None and raw[:4] == WHOOSH3_HEADER_MAGIC
    infos, at = [], 4
    while at < len(raw):
        (length,) = struct.unpack_from("!i", raw, at)
        stream = io.BytesIO(raw[at + 4 :])
        infos.append(pickle.load(stream))
        at += 4 + abs(length)
    return infos


def test_an_update_in_two_processes_writes_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update of many documents is written by two processes at once, a segment each,
    the documents of a language in one. The index is the one Whoosh's writer makes of the
    documents; written again, they replace their passages."""
    service, docs = _documents(tmp_path)
    half = len(docs) // 2
    service.build_from(docs[:half])
    monkeypatch.setattr(indexer, "SHARED_FROM", 1)
    collected: list[tuple[int, int]] = []
    collect = store.SharesElsewhere.collect

    def counted(elsewhere: store.SharesElsewhere) -> tuple[list[Any], int]:
        segments, passages = collect(elsewhere)
        collected.append((len(segments), passages))
        return segments, passages

    monkeypatch.setattr(store.SharesElsewhere, "collect", counted)
    assert service.add_documents(docs[half:]) == sum(len(d.passages) for d in docs[half:])
    assert len(collected) == 1 and collected[0][0] == 1 and collected[0][1] > 0
    _, ours = store.open_current(tmp_path / "index")
    _assert_same_index(ours, _by_whoosh(docs, tmp_path / "by-whoosh"))
    assert _assert_word_forms_kept(ours) > 1000

    service.add_documents(docs[: half + 2])  # written again
    assert len(collected) == 2
    _, ours = store.open_current(tmp_path / "index")
    with ours.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    assert sorted(ids) == sorted(p.id for d in docs for p in d.passages)


def test_an_index_run_writes_new_files_in_two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indexing new files into an index writes them as `add_documents` does: in two
    processes at once, from SHARED_FROM passages on; the index is the one a single process
    writes."""
    service, _ = _documents(tmp_path)
    corpus = service.settings.corpus_dir
    alone = SearchService(Settings(index_dir=tmp_path / "alone", corpus_dir=corpus))
    aside = tmp_path / "aside"
    later = sorted(source.key for source in service.corpus_files())[::2]
    for key in later:
        (aside / key).parent.mkdir(parents=True, exist_ok=True)
        (corpus / key).rename(aside / key)
    assert not service.run_index().failed and not alone.run_index().failed
    for key in later:
        (aside / key).rename(corpus / key)
    assert len(alone.run_index().added) == len(later)

    monkeypatch.setattr(indexer, "SHARED_FROM", 1)
    collected: list[int] = []
    collect = store.SharesElsewhere.collect

    def counted(elsewhere: store.SharesElsewhere) -> tuple[list[Any], int]:
        segments, passages = collect(elsewhere)
        collected.append(passages)
        return segments, passages

    monkeypatch.setattr(store.SharesElsewhere, "collect", counted)
    report = service.run_index()
    assert len(report.added) == len(later) and not report.failed
    assert len(collected) == 1 and collected[0] > 0
    _, ours = store.open_current(tmp_path / "index")
    _, theirs = store.open_current(tmp_path / "alone")
    _assert_same_index(ours, theirs)


def test_a_postings_positions_are_encoded_as_whooshs_positions_format_encodes_them() -> None:
    rng = random.Random(5)
    for count in range(1, 40):
        positions = sorted(rng.sample(range(200_000), count))
        assert segment_writer._positions_value(positions) == Positions().encode(positions)


def test_an_update_asks_the_dictionary_for_no_compound_part_the_index_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Swedish documents written again: the parts of their compounds were kept by the
    segments that hold them, and are not looked up in the dictionary; the compounds are
    split as they are with the dictionary asked."""
    service, docs = _documents(tmp_path)
    service.build_from(docs)
    swedish = [d for d in docs if indexer._main_language(d) == "sv"]
    _, ix = store.open_current(tmp_path / "index")
    asked: list[str] = []
    lemma = lemmas.lemma

    def counted(language: str, word: str) -> str | None:
        if word.isalpha():
            asked.append(word)
        return lemma(language, word)

    monkeypatch.setattr(lemmas, "lemma", counted)

    def split_afresh() -> tuple[list[str], int]:
        analysis._stems.cache_clear()
        analysis.analyze_token.cache_clear()
        word_forms._learnt.clear()
        asked.clear()
        with ix.reader() as reader:
            word_forms.learn(reader)  # (the words, as a search or an update learns them)
            known = compound_dictionary(swedish, reader)
            return [known.parts_text(p.text) for d in swedish for p in d.passages], len(asked)

    kept, asked_kept = split_afresh()
    monkeypatch.setattr(word_forms, "learn_parts", lambda reader: None)
    afresh, asked_afresh = split_afresh()
    assert kept == afresh and any(kept)
    assert asked_afresh > 500 and asked_kept < asked_afresh / 10, (asked_kept, asked_afresh)


def test_an_update_shares_its_documents_by_language_unless_threads_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two shares of about equal work, each language's documents in one; all written here
    when the update is small, or when another thread runs (a fork would copy its locks)."""
    _, docs = _documents(tmp_path)
    assert indexer._shares(docs) == (docs, [])  # a few passages: not worth a process
    monkeypatch.setattr(indexer, "SHARED_FROM", 1)
    mine, theirs = indexer._shares(docs)
    assert mine and theirs and sorted(map(id, mine + theirs)) == sorted(map(id, docs))
    languages = [{indexer._main_language(d) for d in share} for share in (mine, theirs)]
    assert not languages[0] & languages[1]
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert indexer._shares(docs) == (docs, [])
    finally:
        stop.set()
        thread.join()


def test_word_forms_kept_by_other_analysis_code_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, docs = _documents(tmp_path)
    service.build_from(docs[:3])
    _, ix = store.open_current(tmp_path / "index")
    with ix.reader() as reader:
        assert word_forms.read(reader)
        monkeypatch.setattr(word_forms, "digest", lambda: "another analysis")
        assert word_forms.read(reader) is None


def test_word_forms_are_learnt_while_the_caches_have_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large vocabulary fills the analysis's caches: the segments after are not read."""
    service, docs = _documents(tmp_path)
    service.build_from(docs, procs=2)
    _, ix = store.open_current(tmp_path / "index")
    read: list[Any] = []
    kept = word_forms._kept

    def counted(leaf: Any, extension: str) -> tuple[word_forms.Forms, bool] | None:
        read.append(leaf)
        return kept(leaf, extension)

    monkeypatch.setattr(word_forms, "_kept", counted)
    for room, segments_read in ((0, 0), (analysis.CACHED_STEMS, 2)):
        analysis._stems.cache_clear()
        word_forms._learnt.clear()
        read.clear()
        monkeypatch.setattr(analysis, "CACHED_STEMS", room)
        with ix.reader() as reader:
            word_forms.learn(reader)
        assert len(read) == segments_read
        assert sum(len(analysis._stems(lang)) for lang in lemmas.DICTIONARIES) >= 100 * bool(room)


def test_a_process_that_fails_in_a_build_fails_it_and_the_live_index_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, docs = _documents(tmp_path)
    service.build_from(docs[:5])
    live = store.current_generation(tmp_path / "index")
    rows = indexer._rows

    def poisoned(doc: Document, *args: Any) -> Any:
        if doc is docs[-1]:
            raise ValueError("a passage that cannot be written")
        return rows(doc, *args)

    monkeypatch.setattr(indexer, "_rows", poisoned)
    with pytest.raises(IndexWriteError, match="a passage that cannot be written"):
        service.build_from(docs, procs=2)
    assert store.current_generation(tmp_path / "index") == live
    assert store.generations(tmp_path / "index") == [live]  # the failed one removed


def test_a_passage_without_a_term_in_a_field_leaves_the_others_in_place(tmp_path: Path) -> None:
    """A passage of stopwords gives its language's field an empty list of terms."""
    service, docs = _documents(tmp_path)
    (service.settings.corpus_dir / "stop.txt").write_text("Och det är så och det.\n", "utf-8")
    files = {source.key: source for source in service.corpus_files()}
    stop = service.read(files["stop.txt"])
    rows = list(_rows(stop, compounds.Splitter(set())))
    assert any(row[field_for_language(row["lang"])] == [] for row in rows)
    service.build_from([stop, *docs])  # first: every posting after it is in its place
    _, ours = store.open_current(tmp_path / "index")
    _assert_same_index(ours, _by_whoosh([*docs, stop], tmp_path / "by-whoosh"))
