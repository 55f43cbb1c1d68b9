"""A segment's word postings as plain arrays, beside Whoosh's blocks of the same postings.

Whoosh keeps a term's postings in pickled, compressed blocks of 128, and finds a term in a
hash table on disk read a few bytes at a time. Reading a common word's passages and
positions for a phrase means unpickling hundreds of blocks, in every segment: most of a
search's time when its words were not read before. The segment writer (`segment_writer`)
holds the postings in arrays when it writes a segment, so it writes them a second time as
arrays, into a file of the segment (`EXTENSION`, taken into its compound file with the
rest): a term is found by bisecting a sorted array of its key's hash, and its passages,
frequencies and positions are a slice of each array.

Every field with positions is written here, every term of it: the language fields, the
folded field and the titles (a field no passage of the segment has is listed, with no
terms). Searches read the file mapped into memory, where the segment is one compound file
(`whoosh_layout.mapped`): a slice is then a view, without a system call or a copy. A
segment that Whoosh's pool writes (an update past the memory limit) has no arrays, and one
written before titles had them has none for titles: those terms are read from the blocks.
`search.retrieval.whoosh_layout.layout_holds` compares both when an index is opened.

Layout (little-endian): `MAGIC`, a header (`_HEADER`: terms, postings, positions, the byte
width of a position, the length of the JSON list of fields and boosts, the length of the
keys), the JSON, then by term in the order of their hashes: the hash (uint64), the field's
number (uint8), the first posting, the first position and where the key begins (int64,
one more than the terms: the last is the total); the keys (`field NUL term`, bytes); every
posting's passage (uint32) and frequency (uint16); the positions (uint16 or uint32).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import struct
import sys
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

EXTENSION = ".arr"
MAGIC = b"WAR2"
_HEADER = struct.Struct("<qqqBII")

Ids = NDArray[np.int64]


class Key:
    """A term as the arrays find it: its key (`field NUL term`) and the key's hash."""

    __slots__ = ("hashed", "key")

    def __init__(self, field: str, term: bytes) -> None:
        self.key = _key(field, term)
        self.hashed = _hash(self.key)


def _key(field: str, term: bytes) -> bytes:
    return field.encode() + b"\0" + term


def _hash(key: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")


def write(
    file: Any,
    fields: Sequence[tuple[str, float]],
    terms: Sequence[tuple[int, bytes, NDArray[np.uint32]]],
    ids: NDArray[np.uint32],
    counts: NDArray[np.uint32],
    positions_of: Callable[[NDArray[np.uint32]], NDArray[np.uint32]],
) -> None:
    """Write the arrays of a segment's terms. `fields`: (name, boost); `terms`: (field's
    number, term, its postings' numbers); `ids`, `counts`: every posting's passage and
    frequency by its number (`fits(counts)`); `positions_of(numbers)`: the positions of
    those postings, each one's in order."""
    keys = [_key(fields[f][0], term) for f, term, _ in terms]
    hashes = np.array([_hash(k) for k in keys], dtype="<u8")
    order = np.argsort(hashes, kind="stable").tolist()
    picked = np.concatenate([terms[i][2] for i in order]) if terms else ids[:0]
    per_term = np.array([len(terms[i][2]) for i in order], dtype=np.int64)
    postings_at = np.concatenate(([0], np.cumsum(per_term))).astype("<i8")
    kept_counts = counts[picked]
    counted = np.concatenate(([0], np.cumsum(kept_counts, dtype=np.int64)))
    positions_at = counted[postings_at].astype("<i8")
    kept_positions = positions_of(picked)
    wide = bool(len(kept_positions)) and int(kept_positions.max()) > 0xFFFF
    blob = b"".join(keys[i] for i in order)
    key_sizes = np.array([len(keys[i]) for i in order], dtype=np.int64)
    keys_at = np.concatenate(([0], np.cumsum(key_sizes))).astype("<i8")
    described = json.dumps([list(f) for f in fields]).encode()
    file.write(MAGIC)
    file.write(
        _HEADER.pack(
            len(terms),
            len(picked),
            len(kept_positions),
            4 if wide else 2,
            len(described),
            len(blob),
        )
    )
    file.write(described)
    for part in (
        hashes[order],
        np.array([terms[i][0] for i in order], dtype="<u1"),
        postings_at,
        positions_at,
        keys_at,
    ):
        file.write(part.tobytes())
    file.write(blob)
    for part in (
        ids[picked].astype("<u4"),
        kept_counts.astype("<u2"),
        kept_positions.astype("<u4" if wide else "<u2"),
    ):
        file.write(part.tobytes())


def fits(counts: NDArray[np.uint32]) -> bool:
    """Whether every frequency fits the arrays' 16 bits (a word met 65,536 times in one
    passage has no arrays: its segment is read from Whoosh's blocks)."""
    return not len(counts) or int(counts.max()) <= 0xFFFF


class TermArrays:
    """One segment's arrays, open: its terms' tables in memory, their postings read from
    the file a term at a time."""

    def __init__(self, file: Any) -> None:
        if bytes(file.get(0, len(MAGIC))) != MAGIC:
            raise ValueError("not a file of term arrays")
        at = len(MAGIC)
        terms, postings, _, width, described, blob = _HEADER.unpack(file.get(at, _HEADER.size))
        at += _HEADER.size
        fields = json.loads(bytes(file.get(at, described)))
        at += described
        self.fields: frozenset[str] = frozenset(name for name, _ in fields)
        self._boosts = np.array([boost for _, boost in fields], dtype=np.float64)

        def table(code: _Code, count: int) -> Any:
            nonlocal at
            size = struct.calcsize(code) * count
            read = file.get(at, size)
            at += size
            return read

        hashes = table("Q", terms)
        self._hashes = np.frombuffer(hashes, dtype="<u8")
        self._hash_numbers = _numbers(hashes, "Q")
        self._field = _numbers(table("B", terms), "B")
        self._postings_at = _numbers(table("q", terms + 1), "q")
        self._positions_at = _numbers(table("q", terms + 1), "q")
        self._keys_at = _numbers(table("q", terms + 1), "q")
        self._file = file
        self._keys = at
        self._ids = self._keys + blob
        self._counts = self._ids + 4 * postings
        self._positions = self._counts + 2 * postings
        self._position_type = "<u4" if width == 4 else "<u2"

    def find(self, field: str, term: bytes) -> int | None:
        """The term's row here; None where the segment does not hold it."""
        return self.find_key(Key(field, term))

    def find_key(self, key: Key) -> int | None:
        """`find` with the term's key made once for every segment (bisected in Python over
        the hashes as Python's numbers: a search looks up one term at a time, and numpy's
        `searchsorted` of one value, or a numpy number made for each step, costs more)."""
        hashes = self._hash_numbers
        row = bisect.bisect_left(hashes, key.hashed)
        while row < len(hashes) and hashes[row] == key.hashed:
            first, last = self._keys_at[row], self._keys_at[row + 1]
            if self._file.get(self._keys + first, last - first) == key.key:
                return row
            row += 1
        return None

    def close(self) -> None:
        """Close the file the arrays are read from (a mapped one belongs to its reader)."""
        if not isinstance(self._file, _Mapped):
            self._file.close()

    def holds(self, field: str, terms: Sequence[bytes]) -> NDArray[np.bool_]:
        """Which of the terms the segment holds in the field: their hashes bisected at
        once, and only those found compared key by key (`find`)."""
        if not len(self._hashes) or not terms:
            return np.zeros(len(terms), dtype=bool)
        wanted = np.array([_hash(_key(field, t)) for t in terms], dtype=np.uint64)
        at = np.minimum(np.searchsorted(self._hashes, wanted), len(self._hashes) - 1)
        held: NDArray[np.bool_] = self._hashes[at] == wanted
        for i in np.flatnonzero(held).tolist():
            held[i] = self.find(field, terms[i]) is not None
        return held

    def doc_frequency(self, row: int) -> int:
        return self._postings_at[row + 1] - self._postings_at[row]

    def _slice(self, base: int, dtype: str, first: int, last: int) -> NDArray[Any]:
        width = _WIDTHS[dtype]
        return np.frombuffer(self._file.get(base + width * first, width * (last - first)), dtype)

    def _ids_counts(self, row: int) -> tuple[Ids, NDArray[np.uint16]]:
        first, last = self._postings_at[row], self._postings_at[row + 1]
        ids = self._slice(self._ids, "<u4", first, last).astype(np.int64)
        return ids, self._slice(self._counts, "<u2", first, last)

    def postings(self, row: int) -> tuple[Ids, NDArray[np.float32]]:
        """(passages, term frequencies as Whoosh weighs them) of the term in the row."""
        ids, counts = self._ids_counts(row)
        # as the writer weighs a posting: its count times the field's boost, in 32 bits
        boost = self._boosts[self._field[row]]
        return ids, (counts.astype(np.float64) * boost).astype(np.float32)

    def positions(self, row: int) -> Ids:
        """The term's positions as ascending keys `passage << 32 | position`."""
        first, last = self._postings_at[row], self._postings_at[row + 1]
        passages = self._slice(self._ids, "<u4", first, last).astype(np.int64)
        passages <<= 32
        counts = self._slice(self._counts, "<u2", first, last)
        first, last = self._positions_at[row], self._positions_at[row + 1]
        keys: Ids = passages.repeat(counts)
        keys |= self._slice(self._positions, self._position_type, first, last)
        return keys


_WIDTHS = {"<u2": 2, "<u4": 4}
"""The bytes of each kind of number the postings are read as."""

_Code = Literal["Q", "q", "B"]


def _numbers(buffer: Any, code: _Code) -> Sequence[int]:
    """A table of little-endian integers (`struct` code `Q`, `q` or `B`), each looked up as
    Python's number, without a copy where this machine is little-endian."""
    view = memoryview(buffer).cast("B")
    if sys.byteorder == "little":
        return view.cast(code)
    little = {"Q": "<u8", "q": "<i8", "B": "u1"}[code]
    numbers: list[int] = np.frombuffer(view, dtype=little).tolist()
    return numbers


class _Mapped:
    """A file mapped into memory, read as Whoosh's files are (`get`), without a copy."""

    def __init__(self, view: memoryview) -> None:
        self._view = view

    def get(self, position: int, length: int) -> memoryview:
        return self._view[position : position + length]


def open_arrays(
    reader: Any, mapped: Callable[[Any, str], memoryview | None] | None = None
) -> TermArrays | None:
    """The arrays of a Whoosh segment reader's segment; None where it has none (or where
    the reader has no segment: an index with no passages yet). `mapped`: the file mapped
    into memory, where it can be (each slice then costs no system call and no copy)."""
    segment = reader.segment()
    if segment is None:
        return None
    name = segment.make_filename(EXTENSION)
    storage = reader.storage()
    if not storage.file_exists(name):
        return None
    view = mapped(reader, name) if mapped is not None else None
    try:
        return TermArrays(_Mapped(view) if view is not None else storage.open_file(name))
    except (ValueError, struct.error):  # not this layout: the blocks are read instead
        return None
