"""Document-level facet counts with per-facet exclusion (Solr's tag/exclude).

Facet values are read once per segment: a passage → document table from the `doc_id`
terms, each document's values from its first stored passage, each passage's language
from the `lang` postings, all as arrays. An index version joins its segments' tables; a
version opened after a commit reads only the segments it has not read (`SegmentsRead`).
Counting a query is then a few numpy operations over its matching passages, far cheaper
than Whoosh's `groupedby` per search.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from search import fields
from search.models import Facet, FacetValue, YearRange
from search.retrieval import kept_tables, whoosh_layout
from search.retrieval.array_sets import sorted_distinct
from search.text import fingerprint
from search.text.analysis import fold


def document_facets() -> tuple[fields.Field, ...]:
    """Facets whose values belong to a document; `lang` belongs to each passage."""
    return tuple(f for f in fields.table() if not f.per_passage)


@dataclass(frozen=True, slots=True)
class Selection:
    """Chosen facet values: several values of one facet OR, different facets AND."""

    values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    years: YearRange = YearRange()
    """Applies to the numeric facet (the year)."""

    def active(self, facet: fields.Field) -> bool:
        return bool(facet.numeric and self.years) or bool(self.values.get(facet.name))


@dataclass(frozen=True, slots=True)
class Counted:
    """The outcome of counting one query under a selection."""

    facets: tuple[Facet, ...]
    allowed: NDArray[np.bool_]
    """Per passage: it matches and its document (and language) pass the selection."""
    passages_per_doc: NDArray[np.int64]
    """Per document: how many of its passages are allowed."""
    documents: int
    passages: int


@dataclass(frozen=True, slots=True)
class _Values:
    """One facet's values as codes: `names[code]`, and (document, code) pairs."""

    names: list[str]
    codes: dict[str, int]
    pair_doc: NDArray[np.int64]
    pair_value: NDArray[np.int64]

    @staticmethod
    def of(per_doc: list[tuple[str, ...]]) -> _Values:
        codes: dict[str, int] = {}
        docs: list[int] = []
        values: list[int] = []
        for d, vs in enumerate(per_doc):
            for v in dict.fromkeys(vs):
                docs.append(d)
                values.append(codes.setdefault(v, len(codes)))
        return _Values(
            list(codes), codes, np.array(docs, dtype=np.int64), np.array(values, dtype=np.int64)
        )

    @staticmethod
    def joined(parts: list[tuple[_Values, NDArray[np.int64]]]) -> _Values:
        """Segments' values as one: each segment's, with its documents' numbers in the
        whole (-1: a document another segment gave already)."""
        codes: dict[str, int] = {}
        docs: list[NDArray[np.int64]] = []
        values: list[NDArray[np.int64]] = []
        for part, to_doc in parts:
            recode = np.array([codes.setdefault(n, len(codes)) for n in part.names], dtype=np.int64)
            kept = to_doc[part.pair_doc] >= 0
            docs.append(to_doc[part.pair_doc[kept]])
            values.append(recode[part.pair_value[kept]])
        empty = np.empty(0, dtype=np.int64)
        return _Values(
            list(codes),
            codes,
            np.concatenate(docs) if docs else empty,
            np.concatenate(values) if values else empty,
        )

    def docs_with(self, chosen: Iterable[str], documents: int) -> NDArray[np.bool_]:
        wanted = [self.codes[v] for v in chosen if v in self.codes]
        mask = np.zeros(documents, dtype=bool)
        mask[self.pair_doc[np.isin(self.pair_value, wanted)]] = True
        return mask


@dataclass(frozen=True, slots=True)
class _SegmentDocs:
    """One segment's passages as documents: read once, from its `doc_id` terms and `lang`
    postings and each document's first stored passage, and kept while the segment is (a
    segment's files never change; its deletions, which do, are applied when segments are
    joined: an F5 on a changed file deletes its old passages, and its segment is not read
    again for it)."""

    doc_ids: list[str]
    passage_doc: NDArray[np.int64]
    """Per passage of the segment, deleted or not: its document."""
    values: dict[str, _Values]
    """Per facet: its values' codes for the segment's documents."""
    contents: list[str]
    """Per document: the content hash of its file."""
    keys: list[str]
    """Per document: its file's path."""
    printed: NDArray[np.int64]
    """The documents with a MinHash of their text, and it (a row each, `prints`)."""
    prints: NDArray[np.uint64]
    langs: list[str]
    passage_lang: NDArray[np.int64]

    def passage_docs(self, leaf: Any) -> NDArray[np.int64]:
        """Per passage: its document, -1 where the segment's reader has it deleted."""
        deleted = getattr(leaf, "deleted_docs_set", ())
        if not deleted:
            return self.passage_doc
        local = self.passage_doc.copy()
        local[np.fromiter(deleted, np.int64, len(deleted))] = -1
        return local

    def numbered(
        self, local: NDArray[np.int64], codes: dict[str, int]
    ) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        """Each document with a passage in `local` (`passage_docs`) numbered among all
        segments' (`codes`: the numbers given so far, by doc id; new ones are added), -1
        for the others; and whether this segment is the first to give it (a build may
        write a document into two segments)."""
        alive = np.zeros(len(self.doc_ids), dtype=bool)
        alive[local[local >= 0]] = True
        to_doc = np.full(len(self.doc_ids), -1, dtype=np.int64)
        fresh = np.zeros(len(self.doc_ids), dtype=bool)
        for i in np.flatnonzero(alive).tolist():
            number = codes.get(self.doc_ids[i])
            if number is None:
                number = codes[self.doc_ids[i]] = len(codes)
                fresh[i] = True
            to_doc[i] = number
        return to_doc, fresh

    @staticmethod
    def kept_or_read(leaf: Any, described: tuple[fields.Field, ...]) -> _SegmentDocs:
        """The segment's table as kept beside it (`kept_tables`), else read, and kept."""
        key = (repr(described), kept_tables.code_digest(sys.modules[__name__], fingerprint))
        docs = kept_tables.load(leaf, KEPT_EXTENSION, key)
        if isinstance(docs, _SegmentDocs):
            return docs
        docs = _SegmentDocs.read(leaf, described)
        kept_tables.save(leaf, KEPT_EXTENSION, key, docs)
        return docs

    @staticmethod
    def read(leaf: Any, described: tuple[fields.Field, ...]) -> _SegmentDocs:
        total = leaf.doc_count_all()
        passage_doc = np.full(total, -1, dtype=np.int64)
        doc_ids: list[str] = []
        first: list[int] = []
        for term, info in leaf.iter_field("doc_id"):
            low, high = info.min_id(), info.max_id()
            if high - low + 1 == info.doc_frequency():
                # a document's passages are written one after another: its postings are
                # the run between its first and last (read from the terms table alone,
                # a seventh of the time of opening its postings)
                ids = np.arange(low, high + 1)
            else:  # deleted passages included, as in the run
                ids = whoosh_layout.public_postings(leaf.postings("doc_id", term))[0]
            if len(ids):
                passage_doc[ids] = len(doc_ids)
                doc_ids.append(term.decode("utf-8"))
                first.append(int(ids[0]))
        langs: list[str] = []
        passage_lang = np.full(total, -1, dtype=np.int64)
        for term in leaf.lexicon("lang"):
            passage_lang[list(leaf.postings("lang", term).all_ids())] = len(langs)
            langs.append(term.decode("utf-8"))
        values: dict[str, list[tuple[str, ...]]] = {f.name: [] for f in described}
        contents, keys, printed, prints = [], [], [], []
        stored_fields = whoosh_layout.stored_fields(leaf) or leaf.stored_fields
        for d, n in enumerate(first):
            stored = stored_fields(n)
            for f in described:
                values[f.name].append(fields.decode(f, stored.get(f.name)))
            contents.append(stored.get("content", ""))
            keys.append(stored.get("source_key", ""))
            print_ = fingerprint.values(stored.get("fingerprint", ""))
            if print_ is not None:
                printed.append(d)
                prints.append(print_)
        return _SegmentDocs(
            doc_ids,
            passage_doc,
            {name: _Values.of(per_doc) for name, per_doc in values.items()},
            contents,
            keys,
            np.array(printed, dtype=np.int64),
            np.stack(prints) if prints else np.empty((0, fingerprint.SIZE), dtype=np.uint64),
            langs,
            passage_lang,
        )


KEPT_EXTENSION = "facets"
"""Of the file a segment's table is kept in (`kept_tables`)."""

SegmentsRead = dict[str, _SegmentDocs]
"""Segments read before, by segment id."""


class FacetIndex:
    """Per-document facet values of one opened index version, as arrays."""

    def __init__(self, reader: Any, kept: SegmentsRead | None = None) -> None:
        """`kept`: the segments of the index version opened before, as read then; those
        still in this version are not read again (the search after an F5 waits only for
        the new segment), and it is left holding this version's."""
        self.described = document_facets()
        total = reader.doc_count_all()
        self.passage_doc = np.full(total, -1, dtype=np.int64)
        self.passage_lang = np.full(total, -1, dtype=np.int64)
        lang_codes: dict[str, int] = {}
        codes: dict[str, int] = {}
        values: dict[str, list[tuple[_Values, NDArray[np.int64]]]] = {
            f.name: [] for f in self.described
        }
        contents: list[str] = []
        keys: list[str] = []
        printed: list[NDArray[np.int64]] = []
        prints: list[NDArray[np.uint64]] = []
        read: SegmentsRead = {}
        for leaf, offset in reader.leaf_readers():
            key = whoosh_layout.segment_id(leaf)
            docs = (kept or {}).get(key) if key else None
            if docs is None:
                docs = _SegmentDocs.kept_or_read(leaf, self.described)
            if key:
                read[key] = docs
            local = docs.passage_docs(leaf)
            to_doc, fresh = docs.numbered(local, codes)
            for i in np.flatnonzero(fresh).tolist():  # numbered in this order
                contents.append(docs.contents[i])
                keys.append(docs.keys[i])
            given = np.where(fresh, to_doc, -1)  # the documents this segment gives
            for name, parts in values.items():
                parts.append((docs.values[name], given))
            new_prints = fresh[docs.printed]
            printed.append(to_doc[docs.printed[new_prints]])
            prints.append(docs.prints[new_prints])
            here = slice(offset, offset + len(local))
            self.passage_doc[here] = _through(local, to_doc)
            to_lang = np.array(
                [lang_codes.setdefault(lang, len(lang_codes)) for lang in docs.langs],
                dtype=np.int64,
            )
            self.passage_lang[here] = _through(docs.passage_lang, to_lang)
        if kept is not None:
            kept.clear()
            kept.update(read)
        self.langs = list(lang_codes)
        self.documents = len(contents)
        self._coded = {name: _Values.joined(parts) for name, parts in values.items()}
        self._every = _EveryValue.of(self._coded)
        self._copies = self._collapse_copies(
            keys,
            _same_document(
                contents,
                np.concatenate(printed) if printed else np.empty(0, dtype=np.int64),
                np.concatenate(prints) if prints else np.empty((0, fingerprint.SIZE), np.uint64),
            ),
        )
        self.doc_year = np.zeros(self.documents, dtype=np.int64)
        if "year" in self._coded:
            years = self._coded["year"]
            as_numbers = np.array([int(y) for y in years.names], dtype=np.int64)
            np.maximum.at(self.doc_year, years.pair_doc, as_numbers[years.pair_value])
        self._canonical: dict[str, dict[str, str]] = {
            name: {fold(v): v for v in coded.names if v} for name, coded in self._coded.items()
        }
        self._canonical["lang"] = {fold(v): v for v in self.langs if v}

    def _collapse_copies(
        self, keys: list[str], groups: list[list[int]]
    ) -> dict[str, tuple[str, ...]]:
        """Files with the same content (the same PDF saved twice), or the same text in two
        formats (a PDF and its web page, a .docx and an .odt: their fingerprints agree),
        are one document (`groups`, of documents by number; `keys`: each one's path): the
        one nearest the corpus root with the shortest name is kept (copies are the deeper,
        longer names: `inbox/Kopia av …`, `… (1).pdf`), the others' passages leave every
        search and count. Returns, per path of a group, the group's other paths."""
        copies: dict[str, tuple[str, ...]] = {}
        dropped: list[int] = []
        for members in groups:
            ranked = sorted(members, key=lambda d: _path_rank(keys[d]))
            paths = [keys[d] for d in ranked]
            copies.update((path, tuple(p for p in paths if p != path)) for path in paths)
            dropped += ranked[1:]
        if dropped:
            self.passage_doc[np.isin(self.passage_doc, dropped)] = -1
        return copies

    def copies_of(self, key: str) -> tuple[str, ...]:
        """The paths of the other files that are the same document as this one."""
        return self._copies.get(key, ())

    def canonical(self, facet: str, value: str) -> str:
        """The stored spelling of a user's value (case and diacritics forgiven)."""
        return self._canonical.get(facet, {}).get(fold(value.strip()), value.strip())

    def live_passages(self) -> NDArray[np.int64]:
        return np.flatnonzero(self.passage_doc >= 0)

    def _passes(self, facet: fields.Field, sel: Selection) -> NDArray[np.bool_]:
        """Per document: it passes the selection of this facet."""
        coded = self._coded[facet.name]
        ok = np.ones(self.documents, dtype=bool)
        if facet.numeric and sel.years:
            inside = np.array([sel.years.holds(int(v)) for v in coded.names], dtype=bool)
            ok = np.zeros(self.documents, dtype=bool)
            ok[coded.pair_doc[inside[coded.pair_value]]] = True
        chosen = sel.values.get(facet.name)
        if chosen:
            ok &= coded.docs_with(chosen, self.documents)
        return ok

    def count(self, matched: NDArray[np.int64], sel: Selection) -> Counted:
        """Facet counts (documents) for the matching passages, and what passes the selection."""
        ids = matched[self.passage_doc[matched] >= 0]
        doc_of = self.passage_doc[ids]
        lang_of = self.passage_lang[ids]
        hit = np.zeros(self.documents, dtype=bool)
        hit[doc_of] = True
        chosen_langs = sel.values.get("lang")
        passage_lang_ok: NDArray[np.bool_] | None = None
        lang_ok = hit
        if chosen_langs:
            lang_codes = [i for i, lang in enumerate(self.langs) if lang in chosen_langs]
            passage_lang_ok = np.isin(lang_of, lang_codes)
            lang_ok = np.zeros(self.documents, dtype=bool)
            lang_ok[doc_of[passage_lang_ok]] = True
        passes = {f.name: self._passes(f, sel) for f in self.described if sel.active(f)}
        clear, failures = hit, None
        if passes:
            failures = np.zeros(self.documents, dtype=np.int64)
            for ok in passes.values():
                failures += ~ok
            clear = hit & (failures == 0)
        counts: dict[str, dict[str, int]] = {}
        # the language facet ignores its own selection: languages of the matching passages
        # of every document that passes the other facets, once per document
        width = len(self.langs) + 1  # code 0: a passage without a language
        shown = clear[doc_of]
        pairs = sorted_distinct(doc_of[shown] * width + lang_of[shown] + 1)
        counts["lang"] = _named(np.bincount(pairs % width), ["", *self.langs])
        # each facet's counts ignore that facet's own selection: every facet counted at
        # once over the documents that pass, a selected one again over its own
        documents = clear & lang_ok
        tally = self._every.tally(documents)
        if failures is not None:
            for f, ok in passes.items():
                eligible = (clear | ((failures == 1) & ~ok)) & lang_ok
                self._every.recount(tally, f, self._coded[f], eligible)
        counts.update(self._every.named(tally))
        kept = documents[doc_of]
        if passage_lang_ok is not None:
            kept &= passage_lang_ok
        allowed_ids = ids[kept]
        allowed = np.zeros(len(self.passage_doc), dtype=bool)
        allowed[allowed_ids] = True
        per_doc = np.bincount(self.passage_doc[allowed_ids], minlength=self.documents)
        facets = []
        for f in fields.facet_names():
            chosen = sel.values.get(f, frozenset())
            counted = counts[f]
            for v in chosen:
                counted.setdefault(v, 0)  # a selected value stays visible to be unselected
            ordered = sorted(counted.items(), key=_facet_order(f))
            facets.append(Facet(f, tuple(FacetValue(v, c, v in chosen) for v, c in ordered)))
        return Counted(tuple(facets), allowed, per_doc, int(documents.sum()), len(allowed_ids))


@dataclass(frozen=True, slots=True)
class _EveryValue:
    """The (document, value) pairs of every document facet in one table, each value coded
    apart (`code`: a facet's codes after the facet before it): a count is one look over
    them all, not a few numpy calls for each facet (each dearer than the work it does on
    a small result set)."""

    doc: NDArray[np.int64]
    code: NDArray[np.int64]
    first: dict[str, int]
    """Per facet: its first code."""
    names: list[tuple[str, str]]
    """Per code: (facet, value)."""

    @staticmethod
    def of(coded: dict[str, _Values]) -> _EveryValue:
        first: dict[str, int] = {}
        names: list[tuple[str, str]] = []
        for f, values in coded.items():
            first[f] = len(names)
            names += [(f, v) for v in values.names]
        if not coded:
            return _EveryValue(np.empty(0, np.int64), np.empty(0, np.int64), first, names)
        doc = np.concatenate([v.pair_doc for v in coded.values()])
        code = np.concatenate([v.pair_value + first[f] for f, v in coded.items()])
        return _EveryValue(doc, code, first, names)

    def tally(self, documents: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Per code: the documents of `documents` (per document) with the value."""
        found: NDArray[np.int64] = np.bincount(
            self.code[documents[self.doc]], minlength=len(self.names)
        )
        return found

    def recount(
        self, tally: NDArray[np.int64], facet: str, values: _Values, documents: NDArray[np.bool_]
    ) -> None:
        """One facet's part of `tally` counted again over other documents."""
        first = self.first[facet]
        tally[first : first + len(values.names)] = np.bincount(
            values.pair_value[documents[values.pair_doc]], minlength=len(values.names)
        )

    def named(self, tally: NDArray[np.int64]) -> dict[str, dict[str, int]]:
        """Per facet: each value counted (the empty value left out) → its count."""
        out: dict[str, dict[str, int]] = {f: {} for f in self.first}
        counted = tally.nonzero()[0]
        for code, n in zip(counted.tolist(), tally[counted].tolist(), strict=True):
            facet, value = self.names[code]
            if value:
                out[facet][value] = n
        return out


@dataclass(frozen=True, slots=True)
class Collection:
    """What an index holds, copies included: documents and passages not deleted, documents
    by each value of each facet (`""`: documents without one), by each language their
    passages are in, and passages by language."""

    documents: int
    passages: int
    by_value: dict[str, dict[str, int]]
    by_language: dict[str, int]
    passages_by_language: dict[str, int]


def collection(reader: Any) -> Collection:
    """The index's counts from each segment's table (kept beside it, or read), with its
    deletions: no stored field read again (`search stats` read every passage's, 27 s at
    1M passages). A document whose passages a build wrote into two segments counts once."""
    described = document_facets()
    codes: dict[str, int] = {}
    passages = 0
    by_value: dict[str, Counter[str]] = {f.name: Counter() for f in described}
    languages: set[tuple[int, str]] = set()
    passages_by_language: Counter[str] = Counter()
    for leaf, _ in reader.leaf_readers():
        docs = _SegmentDocs.kept_or_read(leaf, described)
        local = docs.passage_docs(leaf)
        whole, fresh = docs.numbered(local, codes)
        live = local >= 0
        doc_of, lang_of = local[live], docs.passage_lang[live]
        passages += int(live.sum())
        names = ["", *docs.langs]  # code 0: a passage without a language
        held = np.bincount(lang_of + 1, minlength=len(names)).tolist()
        passages_by_language.update({name: n for name, n in zip(names, held, strict=True) if n})
        pairs = np.unique(whole[doc_of] * len(names) + lang_of + 1).tolist()
        languages.update((pair // len(names), names[pair % len(names)]) for pair in pairs)
        for name, values in docs.values.items():
            counted = by_value[name]
            tally = np.bincount(
                values.pair_value[fresh[values.pair_doc]], minlength=len(values.names)
            ).tolist()
            counted.update({v: n for v, n in zip(values.names, tally, strict=True) if n})
            has = np.zeros(len(docs.doc_ids), dtype=bool)
            has[values.pair_doc] = True
            if none := int((fresh & ~has).sum()):
                counted[""] += none
    by_language = Counter(name for _, name in languages)
    return Collection(
        len(codes),
        passages,
        {name: dict(counted) for name, counted in by_value.items()},
        dict(by_language),
        dict(passages_by_language),
    )


def _through(codes: NDArray[np.int64], table: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each of a segment's codes (-1: none) as the table renumbers it for the whole."""
    if not len(table):
        return np.full(len(codes), -1, dtype=np.int64)
    return np.where(codes >= 0, table[np.maximum(codes, 0)], -1)


def _named(tally: NDArray[np.int64], names: list[str]) -> dict[str, int]:
    counted = tally.nonzero()[0]
    return {
        names[i]: n
        for i, n in zip(counted.tolist(), tally[counted].tolist(), strict=True)
        if names[i]
    }


def _facet_order(facet: str) -> Any:
    if fields.named(facet).numeric:
        return lambda item: -int(item[0]) if item[0].isdigit() else 0
    return lambda item: (-item[1], item[0])


def _path_rank(key: str) -> tuple[int, int, str]:
    return key.count("/"), len(key), key


def _same_document(
    contents: list[str], printed: NDArray[np.int64], prints: NDArray[np.uint64]
) -> list[list[int]]:
    """Groups of documents that are one: equal content hashes (`contents`, per document),
    or fingerprints that say they are the same text (`prints`: the fingerprint of each
    document of `printed`; `fingerprint.same_texts`)."""
    parent = list(range(len(contents)))

    def root(d: int) -> int:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    def join(a: int, b: int) -> None:
        parent[root(b)] = root(a)

    first_with: dict[str, int] = {}
    for d, content in enumerate(contents):
        if content:
            join(first_with.setdefault(content, d), d)
    if len(printed):
        first, other = fingerprint.same_texts(prints)
        for a, b in zip(printed[first].tolist(), printed[other].tolist(), strict=True):
            join(a, b)
    groups: dict[int, list[int]] = {}
    for d in range(len(contents)):
        groups.setdefault(root(d), []).append(d)
    return [members for members in groups.values() if len(members) > 1]
