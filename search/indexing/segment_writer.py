"""Whoosh's writer of one segment, writing the same files with less Python per posting.

Whoosh's `SegmentWriter` passes every posting (about 250 a passage) through a sorting pool
as a tuple, sorts them all when it flushes, spilling sorted runs to disk past its memory
limit, and hands them one at a time to the codec, which asks for the passage's field
length each time and appends to its block buffers: two thirds of the time of a small
update, and at a million passages fifteen times the finished index in temporary files.

This writer keeps postings in typed arrays as they come (about 40 bytes a posting, against
Whoosh's 130 in its pool), and when it flushes sorts them by term with numpy (passages
already come in order) and fills the codec's blocks a block at a time. A field given as a
list of analysed terms (the indexer's word fields, see `analysis.field_terms`) becomes
postings directly, as Whoosh's `Positions` and `Frequency` formats would make them.

The files are Whoosh's own (its per-document writer, field writer and block format);
`tests/test_index_writing.py` compares every posting, term statistic and length with
Whoosh's writer. Beside them, the segment gets the postings of its word fields a second
time as plain arrays (`term_arrays`), which searches read instead of Whoosh's blocks.
A segment merged into this one by Whoosh's merge policy is held as new passages are. More
postings than the memory limit allows go to Whoosh's pool, with everything held so far,
and get no arrays; a new index writes a new segment instead (`full`, `store.SegmentRoll`).
"""

from __future__ import annotations

import functools
import hashlib
import operator
import pickle
import struct
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.filedb import filetables
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from search.indexing import term_arrays, word_forms

POSTING_BYTES = 44
"""What a held posting costs, counted high: measured on generated passages, 25 bytes in
the arrays (term, passage, weight, length, count, positions) and about 15 in the terms'
table and the values given encoded. Writing the segment takes half as much again, for a
moment, and its arrays a little more (the 1M build's peak went from 9.0 to 10.4 GB with
them)."""
SMALL_BLOCK = 8
"""Blocks of fewer postings are written uncompressed."""
COMPRESSED_FROM = 1_000_000
"""Postings from which a segment's blocks are compressed (an update of 1000 passages
writes about 250,000)."""
BLOCK_PROTOCOL = 5
"""A block's data tuple pickled with bytes as bytes: Whoosh's protocol 2 pickles each value
(a posting's positions) as a call of `_codecs.encode` on a string, which cost writing and
reading a block three times as much. Whoosh reads either (`pickle.loads`)."""
PENDING_BYTES = 1 << 20
"""Postings written to the file at once."""
STORED_LEVEL = 0
"""The zlib level of a passage's stored fields (Whoosh's: 3). A search reads the stored
fields of each hit it shows, and inflating them was half of that (11 of 20 µs a hit, a
tenth of a phrase's search at 10k); kept as zlib's stored blocks they take 70 % more room,
a seventh more index. Whoosh reads either (`zlib.decompress`)."""


_POSITIONS = Positions()


@functools.lru_cache(maxsize=4096)
def _one_position(position: int) -> bytes:
    """`Positions.encode([position])`: most words occur once in a passage."""
    encoded: bytes = _POSITIONS.encode([position])
    return encoded


def _positions_value(positions: list[int]) -> bytes:
    """`Positions.encode`, with the gaps taken in C: the count, then the pickled gaps."""
    gaps = list(map(operator.sub, positions, [0, *positions[:-1]]))
    return pack_uint(len(positions)) + pickle.dumps(gaps, 2)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=1024)
def _packed_count(count: int) -> bytes:
    """`Frequency.encode`: a term's count in a passage."""
    packed: bytes = pack_uint(count)
    return packed


GATHERED = 1 << 16
"""Postings gathered into lists at once as a segment is written (a list of a million
numbers would cost the build's peak 40 MB each)."""


class _Gathered:
    """Postings `start` to `end` of a segment in term order, as lists: read by slices, a
    term's at a time, instead of a numpy look-up for each term (a small update writes
    about twenty postings a term)."""

    def __init__(self, held: _Held, numbers: NDArray[np.uint32], start: int, end: int) -> None:
        self.start, self.end = start, end
        self.numbers = picked = numbers[start:end]
        self.docs: list[int] = np.frombuffer(held.doc, dtype=np.uint32)[picked].tolist()
        self.weights: list[float] = np.frombuffer(held.weight, dtype=np.float32)[picked].tolist()
        self.length_bytes: list[int] = np.frombuffer(held.length, dtype=np.uint8)[picked].tolist()
        counts = np.frombuffer(held.count, dtype=np.uint32)[picked]
        starts = np.frombuffer(held.start, dtype=np.uint32)[picked]
        self.counts: list[int] = counts.tolist()
        self.starts: list[int] = starts.tolist()
        positions = np.frombuffer(held.positions, dtype=np.uint32)
        # (a posting without positions points past the last: its first is not read)
        self.firsts: list[int] = (
            positions[np.minimum(starts, len(positions) - 1)].tolist() if len(positions) else []
        )
        """Each posting's first position (where it has positions)."""


class _TermPostings(NamedTuple):
    """A term of a segment and where its postings are in a `_Gathered`."""

    field: str
    tbytes: bytes
    chunk: _Gathered
    lo: int
    hi: int

    @property
    def docs(self) -> list[int]:
        return self.chunk.docs[self.lo : self.hi]

    @property
    def weights(self) -> list[float]:
        return self.chunk.weights[self.lo : self.hi]

    @property
    def length_bytes(self) -> list[int]:
        """Each passage's field length as the segment stores it (0: none)."""
        return self.chunk.length_bytes[self.lo : self.hi]

    @property
    def picked(self) -> NDArray[np.uint32]:
        """The postings' numbers in `_Held`."""
        return self.chunk.numbers[self.lo : self.hi]


UNSETTLED_TERMS = 1 << 18
"""Terms of lists (`_Held.add_terms`) made postings at once."""


class _Pending:
    """Passages' lists of terms of one field, as term numbers, not yet postings."""

    def __init__(self, boost: float) -> None:
        self.boost = boost
        self.terms = array("I")
        self.docs = array("I")
        self.sizes = array("I")
        self.lengths = array("B")

    def add(self, numbers: list[int], docnum: int, length_byte: int) -> None:
        self.terms.extend(numbers)
        self.docs.append(docnum)
        self.sizes.append(len(numbers))
        self.lengths.append(length_byte)

    def postings(
        self,
    ) -> tuple[
        NDArray[np.uint32],
        NDArray[np.uint32],
        NDArray[np.float32],
        NDArray[np.uint8],
        NDArray[np.uint32],
        NDArray[np.int64],
        NDArray[np.uint32],
    ]:
        """(term, passage, weight, length byte, count, where its positions begin) of each
        posting, passage by passage, and the positions they point into."""
        terms = np.frombuffer(self.terms, dtype=np.uint32).astype(np.int64)
        sizes = np.frombuffer(self.sizes, dtype=np.uint32).astype(np.int64)
        passage = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        positions = np.arange(len(terms), dtype=np.int64) - np.repeat(
            np.cumsum(sizes) - sizes, sizes
        )
        # a term's positions in a passage together, in order
        key = passage * (int(terms.max()) + 1) + terms
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        count = np.diff(np.append(first, len(key)))
        which = passage[order[first]]
        return (
            terms[order[first]].astype(np.uint32),
            np.frombuffer(self.docs, dtype=np.uint32)[which],
            (count * self.boost).astype(np.float32),
            np.frombuffer(self.lengths, dtype=np.uint8)[which],
            count.astype(np.uint32),
            first,
            positions[order].astype(np.uint32),
        )


@dataclass(frozen=True, slots=True)
class _Items:
    """A field's postings as Whoosh's `field.index` gave them, read for `_Held`."""

    items: list[tuple[bytes, int, float, bytes]]
    numbers: list[int]
    weights: list[float]
    counts: list[int]
    values: list[tuple[int, bytes]]
    """(posting, its value) where a posting has one."""


class _Held:
    """A segment's postings, one entry each in parallel typed arrays, in passage order."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = {}
        """field → term → term number."""
        self.keys: list[tuple[str, bytes]] = []
        """term number → (field, term)."""
        self.term = array("I")
        self.doc = array("I")
        self.weight = array("f")
        self.length = array("B")  # the field length's byte, as the segment stores it
        self.count = array("I")  # the term's frequency in the passage
        self.start = array("I")  # where its positions begin in `positions`
        self.positions = array("I")
        self.values: dict[int, bytes] = {}
        """Values given encoded (fields Whoosh analyses itself: titles, keys, numbers)."""
        self.listed: set[str] = set()
        """Fields given as lists of analysed terms, every posting's positions held here."""
        self.itemised: set[str] = set()
        """Fields given as Whoosh's `field.index` makes them (values encoded)."""
        self._pending: dict[str, _Pending] = {}
        """Lists of terms given, by field, not yet postings (`settle`)."""
        self._items: dict[str, _Items] = {}
        """Each field's last items (`add_items`), read."""
        self._unsettled = 0
        """How many terms they hold."""

    def __len__(self) -> int:
        """The postings held (a term of a list not yet settled counted as one)."""
        return len(self.term) + self._unsettled

    def position_count(self) -> int:
        return len(self.positions) + self._unsettled

    def number(self, field: str, tbytes: bytes) -> int:
        # a term's number is kept under its text (how the word fields give it; bytes
        # that are not UTF-8, as numbers' terms, as escapes no text has)
        return self._number(
            self.ids.setdefault(field, {}), field, tbytes.decode(errors="surrogateescape")
        )

    def _number(self, ids: dict[str, int], field: str, text: str) -> int:
        n = ids.get(text)
        if n is None:
            n = ids[text] = len(self.keys)
            self.keys.append((field, text.encode(errors="surrogateescape")))
        return n

    def add_terms(
        self, field: str, terms: list[str], docnum: int, boost: float, length_byte: int
    ) -> None:
        """A passage's list of analysed terms for one field: numbered now, made postings
        with other passages' at once (`settle`)."""
        self.listed.add(field)
        if not terms:  # (a passage of stopwords has no terms in its language's field)
            return
        ids = self.ids.setdefault(field, {})
        found = list(map(ids.get, terms))
        numbers: list[int] = found  # type: ignore[assignment]
        if None in found:  # terms met for the first time in this segment
            number = self._number
            numbers = [
                number(ids, field, t) if n is None else n for n, t in zip(found, terms, strict=True)
            ]
        pending = self._pending.get(field)
        if pending is None:
            pending = self._pending[field] = _Pending(boost)
        pending.add(numbers, docnum, length_byte)
        self._unsettled += len(numbers)
        if self._unsettled >= UNSETTLED_TERMS:
            self.settle()

    def settle(self) -> None:
        """The passages' lists of terms given since the last time made postings: each
        (passage, term) a posting with the term's positions in the list, all with numpy."""
        for pending in self._pending.values():
            self._add_postings(*pending.postings())
        self._pending.clear()
        self._unsettled = 0

    def _add_postings(
        self,
        term: NDArray[np.uint32],
        doc: NDArray[np.uint32],
        weight: NDArray[np.float32],
        length: NDArray[np.uint8],
        count: NDArray[np.uint32],
        start: NDArray[np.int64],
        positions: NDArray[np.uint32],
    ) -> None:
        base = len(self.positions)
        self.term.frombytes(term.tobytes())
        self.doc.frombytes(doc.tobytes())
        self.weight.frombytes(weight.tobytes())
        self.length.frombytes(length.tobytes())
        self.count.frombytes(count.tobytes())
        self.start.frombytes((start + base).astype(np.uint32).tobytes())
        self.positions.frombytes(positions.tobytes())

    def add_positioned(
        self, field: str, items: list[tuple[bytes, float, list[int]]], docnum: int, lb: int
    ) -> None:
        """Postings of a field with positions that Whoosh analysed itself (the titles), with
        their positions: they get arrays as the word fields' do (`term_arrays`)."""
        self.listed.add(field)
        for tbytes, weight, positions in items:
            self._add_one(field, tbytes, docnum, weight, lb, len(positions), b"")
            self.positions.extend(positions)

    def add_items(
        self, field: str, items: list[tuple[bytes, int, float, bytes]], docnum: int, lb: int
    ) -> None:
        """Postings as Whoosh's `field.index` gives them, values encoded. A document's
        passages repeat its values (the same `items`, see `QuickSegmentWriter._index`):
        their postings are read once."""
        self.itemised.add(field)
        read = self._items.get(field)
        if read is None or read.items is not items:
            read = self._items[field] = _Items(
                items,
                [self.number(field, tbytes) for tbytes, _, _, _ in items],
                [weight for _, _, weight, _ in items],
                [freq for _, freq, _, _ in items],
                [(i, vbytes) for i, (_, _, _, vbytes) in enumerate(items) if vbytes],
            )
        k = len(items)
        at = len(self.term)
        for i, vbytes in read.values:
            self.values[at + i] = vbytes
        self.term.extend(read.numbers)
        self.doc.extend([docnum] * k)
        self.weight.extend(read.weights)
        self.length.extend(bytes((lb,)) * k)
        self.count.extend(read.counts)
        self.start.extend([len(self.positions)] * k)

    def _add_one(
        self,
        field: str,
        tbytes: bytes,
        docnum: int,
        weight: float,
        lb: int,
        count: int,
        vbytes: bytes,
    ) -> None:
        """One posting with its value encoded (its positions, if any, appended after)."""
        if vbytes:
            self.values[len(self.term)] = vbytes
        self.term.append(self.number(field, tbytes))
        self.doc.append(docnum)
        self.weight.append(weight)
        self.length.append(lb)
        self.count.append(count)
        self.start.append(len(self.positions))

    def add_merged(self, schema: Any, reader: Any, docmap: Any, startdoc: int) -> None:
        """The postings of a segment merged into this one, as Whoosh's merge gives them to
        its pool: values kept as encoded, and a position field's positions read too (its
        terms then have arrays, `term_arrays`)."""
        self.settle()  # (a term's postings go in passage order)
        length_of = reader.doc_field_length
        for field, tbytes, docnum, weight, vbytes in reader.iter_postings():
            if field not in schema:
                continue
            fmt = schema[field].format
            positions: list[int] = []
            if type(fmt) is Positions:
                positions = fmt.decode_positions(vbytes)
                self.listed.add(field)
            else:
                self.itemised.add(field)
            length = length_of(docnum, field, 0) if schema[field].scorable else 0
            newdoc = docmap[docnum] if docmap is not None else startdoc + docnum
            lb = length_to_byte(length) if length else 0
            self._add_one(field, tbytes, newdoc, weight, lb, len(positions), vbytes)
            self.positions.extend(positions)

    def postings(self) -> Iterator[_TermPostings]:
        """Each term in order (field, then term) with its postings in passage order."""
        self.settle()
        if not len(self):
            return
        keys = self.keys
        by_key = sorted(range(len(keys)), key=keys.__getitem__)
        rank = np.empty(len(keys), dtype=np.int32)
        rank[by_key] = np.arange(len(keys), dtype=np.int32)
        ranks = rank[np.frombuffer(self.term, dtype=np.uint32)]
        order = np.argsort(ranks, kind="stable")  # passages stay in order within a term
        ranks = ranks[order]
        bounds = np.flatnonzero(ranks[1:] != ranks[:-1]) + 1
        del ranks
        # half the memory while the segment is written
        numbers: NDArray[np.uint32] = order.astype(np.uint32)
        del order
        starts = np.concatenate(([0], bounds)).tolist()
        ends = np.concatenate((bounds, [len(numbers)])).tolist()
        chunk = _Gathered(self, numbers, 0, 0)
        for k, start, end in zip(by_key, starts, ends, strict=True):
            if end > chunk.end:
                chunk = _Gathered(self, numbers, start, max(end, start + GATHERED))
            field, tbytes = keys[k]
            yield _TermPostings(field, tbytes, chunk, start - chunk.start, end - chunk.start)

    def encoded(self, term: _TermPostings, fmt: Any, listed: bool) -> list[bytes]:
        """The values of a term's postings as the field's format encodes them (`listed`:
        a field whose every posting came as a list of terms, none with its value given)."""
        lo, hi, chunk = term.lo, term.hi, term.chunk
        if listed and type(fmt) is Positions:
            counts = chunk.counts[lo:hi]
            if max(counts) == 1:  # (most terms: once in each passage, all in C)
                return list(map(_one_position, chunk.firsts[lo:hi]))
            positions, one, encode = self.positions, _one_position, _positions_value
            return [
                one(positions[s]) if c == 1 else encode(positions[s : s + c].tolist())
                for c, s in zip(counts, chunk.starts[lo:hi], strict=True)
            ]
        if listed and type(fmt) is Frequency:
            return list(map(_packed_count, chunk.counts[lo:hi]))
        return [self.value(p, fmt) for p in term.picked.tolist()]

    def value(self, posting: int, fmt: Any) -> bytes:
        """A held posting's value as the field's format encodes it."""
        given = self.values.get(posting)
        if given is not None:
            return given
        count = self.count[posting]
        if type(fmt) is Positions:
            start = self.start[posting]
            if count == 1:
                return _one_position(self.positions[start])
            encoded: bytes = fmt.encode(self.positions[start : start + count].tolist())
            return encoded
        if type(fmt) is Frequency:
            return pack_uint(count)  # type: ignore[no-any-return]
        return b""

    def positions_of(self, postings: NDArray[np.uint32]) -> NDArray[np.uint32]:
        """All the given postings' positions, each posting's in order."""
        counts = np.frombuffer(self.count, dtype=np.uint32)[postings]
        starts = np.frombuffer(self.start, dtype=np.uint32)[postings].astype(np.int64)
        before = np.cumsum(counts, dtype=np.int64) - counts  # where each one's positions go
        at = np.repeat(starts - before, counts) + np.arange(int(counts.sum()), dtype=np.int64)
        positions: NDArray[np.uint32] = np.frombuffer(self.positions, dtype=np.uint32)[at]
        return positions


def _store_at(perdoc: Any, level: int) -> None:
    """Compress the stored fields a segment's per-document writer writes at this zlib
    level (its stored column: pickled, then compressed); left at Whoosh's where the
    writer is not laid out so."""
    compressing: Any = getattr(getattr(perdoc, "_colwriters", {}).get("_stored"), "_child", None)
    if isinstance(getattr(compressing, "_level", None), int):
        compressing._level = level


class QuickSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's `SegmentWriter` with postings held in `_Held` (see the module's text)."""

    def __init__(self, ix: Any, limitmb: int = 128, **options: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **options)
        _store_at(self.perdocwriter, STORED_LEVEL)
        self._held: _Held | None = _Held()
        self._held_limit = limitmb * 1024 * 1024 // POSTING_BYTES
        self._last: dict[str, tuple[Any, list[Any], int]] = {}
        """field → the last value Whoosh analysed for it, its postings and length: a
        document's passages repeat its title, its key and its facets."""
        self._forms = word_forms.Gathered()
        self._beside: list[Callable[[], list[Any]]] = []
        self.spill = True
        """Past the memory limit, go on in Whoosh's pool (False: the caller starts a new
        segment when `full`)."""

    def hold_at_most(self, share: float) -> None:
        """Only `share` of the memory limit for this writer."""
        self._held_limit = int(self._held_limit * share)

    def full(self) -> bool:
        held = self._held
        if held is None:
            return False
        if len(held) > self._held_limit:
            held.settle()  # counted exactly (a list's terms count as many postings till then)
        # (positions are numbered in 32 bits)
        return len(held) > self._held_limit or held.position_count() > 0xFFFF0000

    # -- adding

    def add_document(self, **fields: Any) -> None:
        self._forms.add(fields.get("lang"), fields.get("spelling"))
        held = self._held
        if held is None or any(name.startswith("_") for name in fields):
            super().add_document(**fields)  # boosts and stored overrides: Whoosh's way
            return
        self._check_state()
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    length = self._index(held, name, field, value, docnum)
                perdoc.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1
        if self.spill and self.full():
            self._to_pool()

    def _index(self, held: _Held, name: str, field: Any, value: Any, docnum: int) -> int:
        """Hold a field's postings for a passage; returns the field's length."""
        fmt = field.format
        if isinstance(value, list) and type(fmt) in (Positions, Frequency):
            length = len(value) if field.scorable else 0
            lb = length_to_byte(length) if length else 0
            held.add_terms(name, value, docnum, fmt.field_boost, lb)
            return length
        last = self._last.get(name)
        if last is not None and type(last[0]) is type(value) and last[0] == value:
            items, length = last[1], last[2]
        else:
            items = list(field.index(value))
            if type(fmt) is Positions and field.scorable:
                items = [(t, w, fmt.decode_positions(v)) for t, _, w, v in items]
                length = sum(len(positions) for _, _, positions in items)
            else:
                length = sum(freq for _, freq, _, _ in items) if field.scorable else 0
            self._last[name] = (value, items, length)
        lb = length_to_byte(length) if length else 0
        if type(fmt) is Positions and field.scorable:
            held.add_positioned(name, items, docnum, lb)
        else:
            held.add_items(name, items, docnum, lb)
        return length

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        """A merged segment's postings (Whoosh's merge policy calls this as it commits):
        held with the rest, so the new segment gets its arrays too; Whoosh's pool takes
        them once this writer has handed it everything."""
        self._forms.add_known(word_forms.read(reader), word_forms.read(reader, word_forms.PARTS))
        held = self._held
        if held is None:
            super().add_postings_to_pool(reader, startdoc, docmap)
            return
        held.add_merged(self.schema, reader, docmap, startdoc)
        if self.spill and self.full():
            self._to_pool()

    def _to_pool(self) -> None:
        """Hand everything held to Whoosh's pool, which sorts and spills to disk; the rest
        of this writer's postings go there too."""
        held, self._held = self._held, None
        if held is None:
            return
        add, schema = self.pool.add, self.schema
        for term in held.postings():
            fmt = schema[term.field].format
            for docnum, weight, posting in zip(
                term.docs, term.weights, term.picked.tolist(), strict=True
            ):
                add((term.field, term.tbytes, docnum, weight, held.value(posting, fmt)))

    def list_beside(self, segments: Callable[[], list[Any]]) -> None:
        """Segments written by other processes (`store.SharesElsewhere`), listed after this
        writer's own when it commits: `segments()` is asked for them once this writer has
        written its own, so that both are written at the same time."""
        self._beside.append(segments)

    # -- writing the segment

    def _commit_toc(self, segments: list[Any]) -> None:
        super()._commit_toc([*segments, *(s for given in self._beside for s in given())])

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        if self._held is None:
            self._flush_pool()
        else:
            arrays = _write_postings(self.fieldwriter, self.schema, self._held)
            if arrays is not None:
                self._write_arrays(self._held, arrays)
            self._held = _Held()  # written: free now, not when the writer is collected
        self._forms.write(
            self.newsegment.create_file(self.storage, word_forms.EXTENSION),
            self.newsegment.create_file(self.storage, word_forms.PARTS),
        )
        self.fieldwriter.close()

    def _write_arrays(self, held: _Held, arrays: _ArrayTerms) -> None:
        """The segment's word postings as arrays too (`term_arrays`), a file of the segment
        (the compound file takes it in with the others)."""
        counts = np.frombuffer(held.count, dtype=np.uint32)
        if not term_arrays.fits(counts):
            return
        file = self.newsegment.create_file(self.storage, term_arrays.EXTENSION)
        try:
            term_arrays.write(
                file,
                arrays.fields,
                arrays.terms,
                np.frombuffer(held.doc, dtype=np.uint32),
                counts,
                held.positions_of,
            )
        finally:
            file.close()

    def _flush_pool(self) -> None:
        """Whoosh's own flush, with the new segment's field lengths read once a field."""
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _FieldLengths(reader) if reader is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        if reader is not None:
            reader.close()


@dataclass
class _ArrayTerms:
    """The terms a segment's arrays hold, gathered as their blocks are written."""

    fields: list[tuple[str, float]] = default(default_factory=list)
    """(name, boost) of each field."""
    terms: list[tuple[int, bytes, NDArray[np.uint32]]] = default(default_factory=list)
    """(field's number in `fields`, term, its postings' numbers in `_Held`)."""


def _write_postings(fieldwriter: Any, schema: Any, held: _Held) -> _ArrayTerms | None:
    """Every held term's postings in the codec's files (`_TermWriter`); returns the terms of
    the fields with positions (for `term_arrays`)."""
    current = None
    term = _TermWriter(fieldwriter, compress=len(held) >= COMPRESSED_FROM)
    fmt: Any = None
    whole = as_arrays = False
    arrays = _ArrayTerms()
    for posted in held.postings():
        name = posted.field
        if name != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(name, schema[name])
            current, fmt = name, schema[name].format
            term.field(fieldwriter._fieldid, fmt)
            whole = name in held.listed and name not in held.itemised
            as_arrays = whole and _positioned(schema[name])
            if as_arrays:
                arrays.fields.append((name, fmt.field_boost))
        if as_arrays:
            arrays.terms.append((len(arrays.fields) - 1, posted.tbytes, posted.picked))
        values = held.encoded(posted, fmt, whole)
        term.write(posted.tbytes, posted.docs, posted.weights, values, posted.length_bytes)
    term.flush()
    if current is not None:
        fieldwriter.finish_field()
    if not arrays.terms:
        return None
    given = held.listed | held.itemised
    arrays.fields += [
        (name, schema[name].format.field_boost)
        for name in schema.names()
        if name not in given and _positioned(schema[name])
    ]  # a field no passage here has: the arrays say so, no look-up in Whoosh's table
    return arrays


def _positioned(field: Any) -> bool:
    """Whether a field's postings can be arrays: scored words with their positions."""
    return type(field.format) is Positions and bool(field.scorable)


_TERM_INFO = struct.Struct("!BfIBBfII")
"""`W3TermInfo`'s statistics, as it packs them."""


class _TermWriter:
    """What Whoosh's postings writer and field writer write for a term, in their layout,
    with a fraction of the Python: its blocks of up to `blocklimit` postings (each a pickle
    of the passages' gaps, the weights and the values, compressed, after a pickle of the
    block's statistics), then the term's statistics and the blocks' extent in the terms'
    table. Whoosh asserts and buffers each posting and calls a dozen methods a block; a
    small update writes about twenty postings a term, and that was a seventh of its time.
    `tests/test_index_writing.py` reads every posting and statistic back through Whoosh's
    own reader and compares them with what Whoosh's writer makes.

    Blocks of a small segment are not compressed (`compress`): reading a block says whether
    it is, and compressing took an update of 1000 passages a tenth of a second; a merge
    writes them again, compressed."""

    def __init__(self, fieldwriter: Any, compress: bool) -> None:
        self.postfile = fieldwriter._postfile
        self.table = fieldwriter._tindex
        self.limit = fieldwriter._codec._blocklimit
        self.compression = fieldwriter._codec._compression if compress else 0
        self.offset = self.postfile.tell()
        self.pending: list[bytes] = []
        """Postings not yet written to the file (`flush`)."""
        self.rows: list[tuple[bytes, bytes]] = []
        """Their terms' rows, not yet in the terms' table."""
        self.pending_size = 0
        self.prefix = b""
        self.fixed: int | None = None

    def field(self, number: int, fmt: Any) -> None:
        self.prefix = pack_ushort(number)
        self.fixed = fmt.fixed_value_size()

    def write(
        self,
        tbytes: bytes,
        docs: list[int],
        weights: list[float],
        values: list[bytes],
        length_bytes: list[int],
    ) -> None:
        out = [WHOOSH3_HEADER_MAGIC]
        total = 0.0
        low_byte, high_byte = 256, 0
        maxweight: float = 0  # (Whoosh's int 0 when no weight is above it, pickled as such)
        count, limit = len(docs), self.limit
        for start in range(0, count, limit):
            end = start + limit
            ids, block_weights = docs[start:end], weights[start:end]
            lengths = length_bytes[start:end]
            low = min(lengths)
            if not low:  # (0: a passage without a length, not counted)
                low = min((n for n in lengths if n), default=0)
            high = max(lengths)
            heaviest: float = max(block_weights)
            if not heaviest > 0:
                heaviest = 0
            total += sum(block_weights)
            if low:
                low_byte = min(low_byte, low)
            high_byte = max(high_byte, high)
            maxweight = max(maxweight, heaviest)
            data = pickle.dumps(
                (_gaps(ids), _mini_weights(block_weights), self._values(values[start:end])),
                BLOCK_PROTOCOL,
            )
            compression = 0 if len(ids) < SMALL_BLOCK else self.compression
            if compression:
                data = zlib.compress(data, compression)
            info = pickle.dumps((len(ids), ids[-1], heaviest, compression, low, high), 2)
            size = len(info) + len(data)
            out += (pack_int(-size if end >= count else size), info, data)
        written = b"".join(out)
        offset = self.offset
        self.offset += len(written)
        self.pending.append(written)
        self.pending_size += len(written)
        if self.pending_size > PENDING_BYTES:
            self.flush()
        stats = _TERM_INFO.pack(
            False,
            total,
            count,
            low_byte if low_byte < 256 else 0,
            high_byte,
            maxweight,
            docs[0],
            docs[-1],
        )
        self.rows.append((self.prefix + tbytes, stats + pack_long(offset) + pack_int(len(written))))

    def flush(self) -> None:
        """Write the postings held so far, and their terms' rows in the terms' table."""
        self.postfile.write(b"".join(self.pending))
        self.pending, self.pending_size = [], 0
        _add_rows(self.table, self.rows)
        self.rows = []

    def _values(self, values: list[bytes]) -> Any:
        if self.fixed is None or self.fixed < 0:
            return tuple(filter(None, values))
        return None if self.fixed == 0 else b"".join(values)


def _add_rows(table: Any, rows: list[tuple[bytes, bytes]]) -> None:
    """`OrderedHashWriter.add` for many rows at once: what it writes and remembers of each
    (its place, and its key's hash in one of 256 buckets), in one write. Whoosh checks each
    key, asks the file where it is three times and hashes the key in Python: a fifth of the
    time a small update wrote its postings."""
    if not rows:
        return
    if rows[0][0] <= table.lastkey:
        raise ValueError(f"keys must increase: {table.lastkey!r}..{rows[0][0]!r}")
    md5 = table.hashfn is filetables.md5_hash
    dbfile, index, buckets = table.dbfile, table.index, table.buckets
    at = dbfile.tell()
    out = []
    pack = filetables._lengths.pack
    for key, value in rows:
        index.append(at)
        row = pack(len(key), len(value)) + key + value
        # (md5_hash: the last 4 bytes of the digest, as an integer)
        h = int.from_bytes(hashlib.md5(key).digest()[12:], "big") if md5 else table.hashfn(key)
        buckets[h & 255].append((h, at))
        at += len(row)
        out.append(row)
    dbfile.write(b"".join(out))
    table.lastkey = rows[-1][0]


def _gaps(ids: list[int]) -> tuple[int, ...]:
    """The passages as Whoosh's blocks keep them: each after the one before."""
    return tuple(map(operator.sub, ids, [0, *ids[:-1]]))


def _mini_weights(weights: list[float]) -> Any:
    """A block's weights as Whoosh keeps them: None when all are 1, one when all are equal."""
    same = weights.count(weights[0])
    if same == len(weights):
        return None if weights[0] == 1.0 else weights[0]
    return tuple(weights)


class _FieldLengths:
    """A new segment's field lengths, read once a field: Whoosh asks for a passage's length
    once for every posting it writes."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.fields.get(fieldname)
        if lengths is None:
            read = self.reader.doc_field_length
            lengths = [read(d, fieldname, 0) for d in range(self.reader.doc_count_all())]
            self.fields[fieldname] = lengths
        return lengths[docnum] or default
