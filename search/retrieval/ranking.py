"""Matching and scoring a compiled query over whole postings arrays.

A search here needs *every* match, not the top ten: the facet counts are over all of
them. Whoosh finds and scores matches one posting at a time through a tree of Python
matcher objects, which was most of a query's time. Here each term's postings are read in
one piece and decoded into arrays (passage numbers, term frequencies), cached per index
version, and the query tree is evaluated with numpy over the whole collection.

The scores are Whoosh's own BM25F (B 0.75, K1 1.2, idf `log(N / (df + 1)) + 1`, field
lengths quantised to a byte as Whoosh stores them), summed as Whoosh sums them for And,
Or and AndMaybe; a test checks them against Whoosh's. A phrase is matched over its words'
position arrays (each word within `slop` positions after the one before, as Whoosh's
SpanNear2 does) and scored as Whoosh scores it, the sum of its words' scores. Query kinds
with no array path here (ranges) are matched and scored by Whoosh and their results used
as they are. Reading Whoosh's files in one piece uses its private layout: `search.retrieval.whoosh_layout`
holds those reads and checks them against the public API when an index is opened.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from math import log
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray
from whoosh import query as wq
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from search.indexing import term_arrays
from search.indexing.term_arrays import Key, TermArrays, open_arrays
from search.retrieval import kept_tables, whoosh_layout
from search.retrieval.array_sets import distinct, sorted_distinct

B, K1 = 0.75, 1.2
"""Whoosh's BM25F defaults, which the index has always been searched with."""
CACHED_POSTINGS = 4_000_000
"""Postings (passage number + frequency, 8 bytes each) kept between searches: 32 MB."""

CACHED_POSITIONS = 4_000_000
"""Position keys (8 bytes each) of phrase words kept between searches: 32 MB. A phrase's
words are mostly common ones, met again in the next phrase (and at the next keystroke):
their positions are decoded once, as their postings are read once."""

CHECKED_EXTENSION = "checked"
"""Of the file that says a segment's layout held (`kept_tables`)."""

GATHER_ABOVE = 16
"""A phrase's word's positions are gathered passage by passage (bisection) only where it
has more than this many for each passage holding its rarest word; otherwise all of them
are stepped through (at 4, gathering cost more than it saved: the bench's phrases took 5 %
longer at 10k and 12 % at 100k)."""

CACHED_TERMS = 100_000
"""Terms whose document frequency and place in each segment are kept (query building looks
up many; a phrase asks for each word's several times): about 250 bytes each."""
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)

Ids = NDArray[np.int64]
Scores = NDArray[np.float64]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Matches:
    """Matching passage numbers (ascending, unique) and their scores."""

    ids: Ids
    scores: Scores

    @staticmethod
    def empty() -> Matches:
        """No passage (one value shared by every search: most of a query's alternatives
        match nothing, and its arrays, having no element, are never written)."""
        return _NOTHING

    def ranked(self) -> Matches:
        """Best score first, ties in passage order (as Whoosh orders them)."""
        order = np.lexsort((self.ids, -self.scores))
        return Matches(self.ids[order], self.scores[order])


_NOTHING = Matches(np.empty(0, np.int64), np.empty(0, np.float64))
_NO_KEYS: NDArray[np.int64] = np.empty(0, np.int64)

SPREAD_WEIGHT = 0.5
"""A document holding the words only across its passages scores half their sum."""
SPREAD_TIE = 1e-6
"""Orders the passages of one such document by their own score, under the document's."""


class Postings:
    """The array evaluator for one opened index version (one Whoosh searcher)."""

    def __init__(self, searcher: Any, fast: bool = True, checked: set[str] | None = None) -> None:
        """`checked`: the ids of segments whose layout held when an index version was opened
        before (`whoosh_layout.layout_holds`); left holding this version's, if it holds."""
        self._searcher = searcher
        self._reader = searcher.reader()
        self.size: int = self._reader.doc_count_all()
        self._leaves: list[tuple[Any, int]] = list(searcher.leaf_searchers())
        self.alive = np.ones(self.size, dtype=bool)
        for sub, offset in self._leaves:
            deleted = getattr(sub.reader(), "deleted_docs_set", ())
            if deleted:
                self.alive[offset + np.fromiter(deleted, np.int64, len(deleted))] = False
        self._norms: dict[str, NDArray[np.float64]] = {}
        self._held_as: dict[str, str] = {}
        """Field → how the index holds it: "positions" (a phrase's array path), "other"
        (Whoosh matches the phrase), "nothing" (not a field of the schema)."""
        arrays = (
            [open_arrays(sub.reader(), whoosh_layout.mapped) for sub, _ in self._leaves]
            if fast
            else []
        )
        fields = tuple(self._reader.schema.scorable_names())
        kept_key = (kept_tables.code_digest(whoosh_layout, term_arrays), fields)
        leaves = [sub.reader() for sub, _ in self._leaves]
        known = set(checked or ())  # checked by this process, then by an earlier one
        known |= {
            i
            for leaf in leaves
            if (i := whoosh_layout.segment_id(leaf))
            and i not in known
            and kept_tables.load(leaf, CHECKED_EXTENSION, kept_key) is True
        }
        self.fast = fast and whoosh_layout.layout_holds(searcher, fields, arrays, checked=known)
        """Read Whoosh's files directly (checked against its public API at open)."""
        if self.fast:
            for leaf in leaves:
                if whoosh_layout.segment_id(leaf) not in known:
                    kept_tables.save(leaf, CHECKED_EXTENSION, kept_key, True)
        if checked is not None:
            checked.clear()
            if self.fast:
                checked.update(i for i in map(whoosh_layout.segment_id, leaves) if i)
        self._arrays: list[TermArrays | None] = arrays if self.fast else [None] * len(self._leaves)
        """Each segment's word postings as arrays (`term_arrays`), where it has them."""
        self._cache: _Kept[tuple[Ids, Scores]] = _Kept(
            lambda: CACHED_POSTINGS, lambda read: len(read[0])
        )
        self._positions: _Kept[NDArray[np.int64]] = _Kept(lambda: CACHED_POSITIONS, len)
        self._terms: dict[tuple[str, str], _Placed] = {}
        """(field, word) → where the index holds the term (`_Placed`)."""
        self._lock = threading.Lock()
        self._and_parts: dict[int, list[Matches]] = {}
        """The parts of each And of the query `run` last evaluated, for `spread`."""

    def cached_postings(self) -> int:
        return self._cache.held

    def cached_terms(self) -> int:
        return len(self._cache)

    # -- evaluation -----------------------------------------------------------------

    def run(self, q: Any) -> Matches:
        """Every live passage matching the query, with its score (unordered)."""
        self._and_parts = {}
        found = self._eval(q)
        keep = self.alive[found.ids]
        return Matches(found.ids[keep], found.scores[keep])

    def spread(self, q: Any, passage_doc: Ids, found: Ids) -> Matches:
        """Documents that hold every word of the query, though no passage of theirs holds
        them all (`found`: the passages that do): their passages that hold any of the words,
        each document scored by the sum of each word's best score in it, halved, and its
        best passage first.

        Only for a query of words that must all match (a top-level And): a report that names
        the municipality in one section and the enterprise in another is found by both."""
        core = q.a if type(q) is wq.AndMaybe else q
        if type(core) is not wq.And or len(core.subqueries) < 2:
            return Matches.empty()
        # as `run(q)` has just evaluated them; deleted and hidden passages have no document
        parts = self._and_parts.get(id(core)) or [self._eval(s) for s in core.subqueries]
        docs_of = [passage_doc[p.ids] for p in parts]
        wanted = functools.reduce(np.intersect1d, [np.unique(d[d >= 0]) for d in docs_of])
        wanted = np.setdiff1d(wanted, passage_doc[found])
        if not len(wanted):
            return Matches.empty()
        total = np.zeros(len(wanted), dtype=np.float64)
        held = []
        for part, part_docs in zip(parts, docs_of, strict=True):
            inside = np.isin(part_docs, wanted)
            at, scores = np.searchsorted(wanted, part_docs[inside]), part.scores[inside]
            order = np.lexsort((scores, at))  # by document, best passage last
            last = np.flatnonzero(np.append(at[order][1:] != at[order][:-1], True))
            total[at[order][last]] += scores[order][last]
            held.append(Matches(part.ids[inside], scores))
        passages = _union(held, self.size)  # each passage's own score: the sum of its words'
        doc_total = total[np.searchsorted(wanted, passage_doc[passages.ids])]
        # documents in the order of their sum; within one, its best passage first
        return Matches(passages.ids, SPREAD_WEIGHT * doc_total + SPREAD_TIE * passages.scores)

    def _eval(self, q: Any) -> Matches:
        kind = type(q)
        if q is wq.NullQuery:
            return Matches.empty()
        if kind is wq.Term:
            return self._scored(q.fieldname, q.text, q.boost)
        if kind is wq.Every and q.fieldname is None:  # every live passage, scored by boost
            ids = np.flatnonzero(self.alive).astype(np.int64)
            return Matches(ids, np.full(len(ids), q.boost, dtype=np.float64))
        if kind in (wq.Or, wq.And) and q.subqueries:
            parts = [self._eval(s) for s in q.subqueries]
            if kind is wq.And:
                self._and_parts[id(q)] = parts
            if len(parts) == 1:
                return parts[0]  # Whoosh ignores the boost of a one-part compound too
            found = _union(parts, self.size) if kind is wq.Or else _intersection(parts)
            return _boosted(found, q.boost)
        if kind is wq.Phrase and q.words:
            return self._phrase(q)
        if kind in (wq.Prefix, wq.FuzzyTerm) and q.text:
            return self._expanded(q)
        if kind is wq.AndMaybe:
            return _and_maybe(self._eval(q.a), self._eval(q.b))
        if kind is wq.AndNot:
            base, minus = self._eval(q.a), self._eval(q.b)
            keep = ~np.isin(base.ids, minus.ids, assume_unique=True)
            return Matches(base.ids[keep], base.scores[keep])
        return self._by_whoosh(q)

    def _expanded(self, q: Any) -> Matches:
        """A prefix* or fuzzy~ word: the union of its terms' postings arrays. Whoosh scores
        these with a constant score; here every matching passage scores the query's boost."""
        parts = [self._scored(q.fieldname, t, 1.0) for t in q._btexts(self._reader) if t]
        if not parts:
            return Matches.empty()
        found = _union(parts, self.size)
        if q.constantscore:
            return Matches(found.ids, np.full(len(found.ids), q.boost, dtype=np.float64))
        return _boosted(found, q.boost)

    def _phrase(self, q: Any) -> Matches:
        """Passages where each word of the phrase stands 1 to `slop` positions after the
        one before it; scored as Whoosh's And of the words (the sum of their scores), each
        word's frequency in a passage its positions there: only the passages found are
        scored, and the words' postings are not read (their positions are)."""
        field = q.fieldname
        held = self._held_as.get(field)
        if held is None:
            schema = self._reader.schema
            held = self._held_as[field] = (
                "nothing"
                if field not in schema
                else "positions"
                if schema[field].format.supports("positions")
                else "other"
            )
        if held != "positions":
            return Matches.empty() if held == "nothing" else self._by_whoosh(q)
        words = [w.decode("utf-8") if isinstance(w, bytes) else str(w) for w in q.words]
        if any(self.doc_frequency(field, word) == 0 for word in words):
            return Matches.empty()  # as Whoosh: a word not in the field, no phrase
        if len(words) == 1:
            return self._scored(field, words[0], q.boost)
        keys = [self._all_positions(field, word) for word in words]
        fewest = min(keys, key=len)
        if max(map(len, keys)) > GATHER_ABOVE * len(fewest):
            # a far commoner word's positions are taken in the passages of the rarest word
            # alone (bisected), not all stepped through
            passages = distinct(fewest >> 32)
            keys = [
                k if len(k) <= GATHER_ABOVE * len(passages) else _within(k, passages) for k in keys
            ]
        reach = keys[0]
        for following in keys[1:]:
            reach = _following(reach, following, q.slop)
            if not len(reach):
                return Matches.empty()
        ids = distinct(reach >> 32)
        scores = sum(
            (
                self._score_in(field, word, positions, ids)
                for word, positions in zip(words, keys, strict=True)
            ),
            np.zeros(len(ids), dtype=np.float64),
        )
        return _boosted(Matches(ids, scores), q.boost)

    def _score_in(self, field: str, word: str, keys: Ids, ids: Ids) -> Scores:
        """The word's scores in these passages (ascending, each holding it), its frequency
        in each the number of its positions there (`keys`: all of them), weighed by the
        field's boost as the writer weighs a posting."""
        _, counts = _runs_in(keys, ids)
        boost = self._reader.schema[field].format.field_boost
        tf = (counts.astype(np.float64) * boost).astype(np.float32)
        return self._score(field, ids, tf, self.doc_frequency(field, word))

    def _all_positions(self, field: str, word: str) -> NDArray[np.int64]:
        """All the word's position keys, decoded once and cached (LRU, `CACHED_POSITIONS`)."""
        key = (field, word)
        hit = self._positions.get(key)
        if hit is not None:
            return hit
        parts: list[NDArray[np.int64]] = []
        for leaf, row in self._term(field, word).places:
            read = self._leaf_read(leaf, field, word, row, positions=True)
            if self._leaves[leaf][1]:
                read += self._leaves[leaf][1] << 32  # (a fresh array: decoded for this read)
            parts.append(read)
        keys = parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else _NO_KEYS
        self._positions.put(key, keys)
        return keys

    def _by_whoosh(self, q: Any) -> Matches:
        """Whoosh's own matcher for a query kind without an array path."""
        ids: list[int] = []
        scores: list[float] = []
        context = self._searcher.context()
        for sub, offset in self._leaves:
            m = q.matcher(sub, context)
            while m.is_active():
                ids.append(m.id() + offset)
                scores.append(m.score())
                m.next()
        return Matches(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64))

    def _scored(self, field: str, text: Any, boost: float) -> Matches:
        if field not in self._reader.schema:
            return Matches.empty()
        word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        ids, scores = self._postings(field, word)
        return Matches(ids, scores * boost if boost != 1.0 else scores)

    def _score(
        self, field: str, ids: Ids, tf: NDArray[np.float32], df: int | None = None
    ) -> Scores:
        """BM25 of the term's postings (Whoosh's, its frequencies where not scorable);
        `df`: the term's document frequency, where `ids` are not all its postings."""
        if not self._reader.schema[field].scorable:
            return tf.astype(np.float64)
        if df is None:
            df = len(ids)  # postings of deleted passages included, as in Whoosh's own count
        idf = log(self.size / (df + 1)) + 1
        w = tf.astype(np.float64)
        scores: Scores = idf * ((w * (K1 + 1)) / (w + self._length_norms(field)[ids]))
        return scores

    def _length_norms(self, field: str) -> NDArray[np.float64]:
        """BM25's part of each passage that depends on its length in the field, as Whoosh
        computes it (`K1 * ((1 - B) + B * fl / avgfl)`; fl: the length as Whoosh stores
        it, avgfl: the field's average): once for the index version, not for each term."""
        norms = self._norms.get(field)
        if norms is None:
            avgfl = (self._reader.field_length(field) / (self.size or 1)) or 1
            norms = self._norms[field] = K1 * ((1 - B) + B * self._field_lengths(field) / avgfl)
        return norms

    def doc_frequency(self, field: str, word: str) -> int:
        """Passages holding the term (deleted ones included, as Whoosh counts them)."""
        return self._term(field, word).frequency

    def _term(self, field: str, word: str) -> _Placed:
        """Where the index holds the term (`_Placed`), looked up once (in plain Python: a
        search looks up a few dozen terms, in a few segments each)."""
        key = (field, word)
        known = self._terms.get(key)  # (one look in a dict, whole under the GIL: no lock)
        if known is None:
            frequency, places = 0, []
            term = Key(field, word.encode())
            for leaf, (sub, _) in enumerate(self._leaves):
                arrays = self._arrays[leaf]
                if arrays is not None and field in arrays.fields:
                    row = arrays.find_key(term)
                    if row is not None:
                        frequency += arrays.doc_frequency(row)
                        places.append((leaf, row))
                    continue
                try:
                    held = sub.reader().term_info(field, word).doc_frequency()
                except TermNotFound:
                    continue
                if held:
                    frequency += held
                    places.append((leaf, -1))
            known = _Placed(frequency, tuple(places))
            with self._lock:
                if len(self._terms) > CACHED_TERMS:
                    self._terms.clear()
                self._terms[key] = known
        return known

    # -- reading --------------------------------------------------------------------

    def _postings(self, field: str, word: str) -> tuple[Ids, Scores]:
        """The term's passages and their scores, read and scored once (`_Kept`): most of a
        search's terms were in the searches before it, as a person types."""
        key = (field, word)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        id_parts: list[Ids] = []
        tf_parts: list[NDArray[np.float32]] = []
        for leaf, row in self._term(field, word).places:
            ids, tf = self._leaf_read(leaf, field, word, row, positions=False)
            id_parts.append(ids + self._leaves[leaf][1])
            tf_parts.append(tf)
        if id_parts:
            ids = np.concatenate(id_parts)
            scores = self._score(field, ids, np.concatenate(tf_parts))
        else:
            ids, scores = np.empty(0, np.int64), np.empty(0, np.float64)
        ids.flags.writeable = scores.flags.writeable = False  # shared by every search
        self._cache.put(key, (ids, scores))
        return ids, scores

    def _leaf_read(self, leaf: int, field: str, word: str, row: int, positions: bool) -> Any:
        """The term's postings (passages, frequencies), or its position keys, in a segment
        that holds it (its own passage numbers): from the segment's arrays (`row`), else
        from Whoosh's blocks."""
        if row >= 0:  # (a row only where the segment has arrays)
            arrays = self._arrays[leaf]
            assert arrays is not None
            return arrays.positions(row) if positions else arrays.postings(row)
        postings = self._leaves[leaf][0].reader().postings(field, word)
        if positions:
            keys = whoosh_layout.read_positions(postings) if self.fast else None
            return keys if keys is not None else whoosh_layout.public_positions(postings)
        found = whoosh_layout.read_postings(postings) if self.fast else None
        return found if found is not None else whoosh_layout.public_postings(postings)

    def _field_lengths(self, field: str) -> NDArray[np.float64]:
        """Each passage's length in the field, as Whoosh stores it (quantised to a byte)."""
        lengths = np.zeros(self.size, dtype=np.float64)
        for sub, offset in self._leaves:
            reader = sub.reader()
            codes = whoosh_layout.length_bytes(reader, field) if self.fast else None
            if codes is not None:
                lengths[offset : offset + len(codes)] = _LENGTH_OF_BYTE[codes]
            elif not self.fast:
                count = reader.doc_count_all()
                lengths[offset : offset + count] = [
                    reader.doc_field_length(n, field, 0) or 0 for n in range(count)
                ]
        return lengths


class _Placed(NamedTuple):
    """A term in the index: the passages holding it (deleted ones included, as Whoosh counts
    them), and each segment holding it with its row in the segment's arrays (-1: read from
    Whoosh's blocks)."""

    frequency: int
    places: tuple[tuple[int, int], ...]


class _Kept(Generic[T]):
    """Arrays read from the index, kept between searches: the least recently used go first
    once their total size is over the limit (read at each insertion: tests change it)."""

    def __init__(self, limit: Callable[[], int], size: Callable[[T], int]) -> None:
        self._items: OrderedDict[tuple[str, str], T] = OrderedDict()
        self._limit, self._size = limit, size
        self._lock = threading.Lock()
        self.held = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[str, str]) -> T | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple[str, str], value: T) -> None:
        with self._lock:
            replaced = self._items.pop(key, None)  # two threads read the same term at once
            if replaced is not None:
                self.held -= self._size(replaced)
            self._items[key] = value
            self.held += self._size(value)
            while self.held > self._limit() and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self.held -= self._size(old)


def _union(parts: list[Matches], size: int) -> Matches:
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p.ids for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    if len(ids) * 8 < size:
        unique = sorted_distinct(ids)
        summed: Scores = np.bincount(unique.searchsorted(ids), weights=scores).astype(
            np.float64, copy=False
        )
        return Matches(unique, summed)
    summed = np.bincount(ids, weights=scores, minlength=size).astype(np.float64, copy=False)
    hit = np.bincount(ids, minlength=size) > 0
    unique = np.flatnonzero(hit)
    return Matches(unique, summed[unique])


def _shared(a: Ids, b: Ids) -> tuple[Ids, Ids]:
    """Where the passages two ascending arrays both hold are, in each (in passage order):
    the shorter bisected into the longer, not both sorted together as `np.intersect1d`
    does (a common word's postings are long, the other word's often short)."""
    if len(a) > len(b):
        in_b, in_a = _shared(b, a)
        return in_a, in_b
    if not len(b):
        return a[:0], b[:0]
    at = np.minimum(b.searchsorted(a), len(b) - 1)
    hit = b[at] == a
    return hit.nonzero()[0], at[hit]


def _following(reach: Ids, keys: Ids, slop: int) -> Ids:
    """The keys (ascending) that stand 1 to `slop` positions after a reached key, in the
    same passage (a key of another passage is 2**32 away or more). Right after (a phrase):
    the keys one after a reached key, the shorter array bisected into the longer. Further:
    each reached key is bisected into the word's keys, however many those are, and the keys
    after it are looked at one step at a time while any is near enough."""
    if slop == 1:
        _, at = _shared(reach + 1, keys)
        return keys[at]
    at = keys.searchsorted(reach, side="right")
    found = []
    for step in range(slop):
        inside = at + step < len(keys)
        if not inside.any():
            break
        start, candidate = reach[inside], keys[at[inside] + step]
        near = candidate - start <= slop
        if not near.any():
            break
        found.append(candidate[near])
    if not found:
        return keys[:0]
    return sorted_distinct(np.concatenate(found))


def _within(keys: Ids, ids: Ids) -> Ids:
    """The position keys (`passage << 32 | position`, ascending) in the given passages
    (ascending): each passage's run found by bisection, the passages being far fewer."""
    if not len(ids):
        return keys[:0]
    low, counts = _runs_in(keys, ids)
    before = counts.cumsum() - counts
    inside: Ids = keys[(low - before).repeat(counts) + np.arange(int(counts.sum()))]
    return inside


def _runs_in(keys: Ids, ids: Ids) -> tuple[Ids, Ids]:
    """Where each passage's run of position keys (`passage << 32 | position`, ascending)
    begins, and how many it has: both bounds bisected at once."""
    bounds = keys.searchsorted(np.concatenate((ids << 32, (ids + 1) << 32)))
    low = bounds[: len(ids)]
    return low, bounds[len(ids) :] - low


def _intersection(parts: list[Matches]) -> Matches:
    found = parts[0]
    for other in parts[1:]:
        mine, theirs = _shared(found.ids, other.ids)
        found = Matches(found.ids[mine], found.scores[mine] + other.scores[theirs])
    return found


def _and_maybe(base: Matches, extra: Matches) -> Matches:
    mine, theirs = _shared(base.ids, extra.ids)
    scores = base.scores.copy()
    scores[mine] += extra.scores[theirs]
    return Matches(base.ids, scores)


def _boosted(found: Matches, boost: float) -> Matches:
    return found if boost == 1.0 else Matches(found.ids, found.scores * boost)
