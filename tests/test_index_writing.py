"""The indexer analyses a passage once for all its word fields: the index it writes must be
the one Whoosh's own field analyzers write from the text, term for term."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from search.indexing import store
from search.indexing.indexer import _rows, compound_dictionary, searchable_texts
from search.models import Document
from search.service import SearchService
from search.settings import Settings
from search.text.analysis import FOLDED_FIELD, field_for_language, folded_text
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


def _postings(reader: Any) -> dict[tuple[str, bytes], list[tuple[int, float, object]]]:
    """Every posting: (field, term) → [(passage, weight, positions or value)]. Positions
    count from a passage's first indexed word: Whoosh's stop filter numbers from the first
    word that is not a stopword (a passage opening with "the" starts at 1), a list from 0;
    phrases compare positions only with each other."""
    out: dict[tuple[str, bytes], list[tuple[int, float, object]]] = {}
    first: dict[tuple[str, int], int] = {}
    for field, term in reader.all_terms():
        fmt = reader.schema[field].format
        m = reader.postings(field, term)
        rows = out[field, term] = []
        for d in m.all_ids():
            value: object = m.value()
            if fmt.supports("positions"):
                positions: list[int] = fmt.decode_positions(value)
                first[field, d] = min(first.get((field, d), 1 << 30), *positions)
                value = positions
            rows.append((d, m.weight(), value))
    return {
        (field, term): [
            (d, w, [p - first[field, d] for p in v] if isinstance(v, list) else v)
            for d, w, v in rows
        ]
        for (field, term), rows in out.items()
    }


def test_a_passage_analysed_once_is_indexed_as_each_fields_analyzer_would(
    tmp_path: Path,
) -> None:
    service, docs = _documents(tmp_path)
    assert {p.language for d in docs for p in d.passages} >= {"sv", "lv", "ru", "en", "be"}
    service.build_from(docs)
    _, ours = store.open_current(tmp_path / "index")

    gen, theirs = store.create_generation(tmp_path / "by-whoosh")
    known = compound_dictionary(docs)
    writer = theirs.writer()  # Whoosh's own writer, not the indexer's
    for doc in docs:
        for row, text in zip(_rows(doc, known), searchable_texts(doc), strict=True):
            language = row["lang"]
            assert isinstance(row[FOLDED_FIELD], list)  # the indexer's analysed terms
            row[field_for_language(language)] = text
            row[FOLDED_FIELD] = folded_text(text, language)
            row["spelling"] = text
            writer.add_document(**row)
    writer.commit()
    theirs = store.open_generation(gen)

    with ours.reader() as a, theirs.reader() as b:
        assert a.doc_count() == b.doc_count() > 200
        expected = _postings(b)
        assert _postings(a) == expected
        assert ("text_ru", "елк".encode()) in expected  # ё read as е
        for field, term in expected:  # the statistics scoring reads, as Whoosh wrote them
            x, y = a.term_info(field, term), b.term_info(field, term)
            assert (x.weight(), x.doc_frequency(), x.min_length(), x.max_length()) == (
                y.weight(),
                y.doc_frequency(),
                y.min_length(),
                y.max_length(),
            ), (field, term)
        for field in (FOLDED_FIELD, "spelling", "text_sv", "text_lv", "text_ru", "text_en"):
            assert [a.doc_field_length(d, field) for d in range(a.doc_count())] == [
                b.doc_field_length(d, field) for d in range(b.doc_count())
            ]
