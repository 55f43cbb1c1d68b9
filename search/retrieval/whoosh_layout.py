"""The one place that reads Whoosh's private on-disk layout, and the check that it is
still the layout this code was written for.

Reading a term's postings in one piece (Whoosh 2.7's W3 blocks) and a field's length
column in one read is what makes array search fast; both use Whoosh internals of the
pinned 2.7.5 (`_postfile`, `_startoffset`, `_length`, `_perdoc._cached_reader`, `_dbfile`,
the pickled block format). `layout_holds` compares them, on the opened index, with what
Whoosh's public API says; where they differ, or a Whoosh upgrade changed them,
`search.retrieval.ranking` reads through the public API instead: slower, never wrong.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

_INT = struct.Struct("!i")

try:  # the names themselves are internals: a Whoosh without them takes the public path
    from whoosh.codec.whoosh3 import (
        LENGTHS_COLUMN,
        WHOOSH3_HEADER_MAGIC,
        W3LeafMatcher,
        _lenfield,
    )
    from whoosh.matching.wrappers import FilterMatcher

    _IMPORTED = True
except ImportError:  # pragma: no cover - only with another Whoosh
    _IMPORTED = False

Postings = tuple[NDArray[np.int64], NDArray[np.float32]]


def _w3_postings(m: Any) -> bytes | None:
    """A term's W3 postings blocks as stored, in one read; None where the matcher is not
    the W3 kind this code knows (short inlined lists)."""
    if not _IMPORTED:
        return None
    if isinstance(m, FilterMatcher):
        m = m.child  # deletions are masked once, over all terms, by the caller
    if not isinstance(m, W3LeafMatcher):
        return None
    # Whoosh reads its stored extent length back as a 1-tuple (it never uses it)
    length = m._length[0] if isinstance(m._length, tuple) else m._length
    raw: bytes = m._postfile.get(m._startoffset, length)
    return raw


def read_postings(m: Any) -> Postings | None:
    """A term's whole postings (ids, term frequencies) from its W3 blocks in one read, or
    None where the matcher is not the W3 kind this code knows (short inlined lists)."""
    raw = _w3_postings(m)
    if raw is None:
        return None
    ids: list[int] = []
    tfs: list[float] = []
    previous_last = 0
    for deltas, weights, _, count, last in _blocks(raw):
        # each block's deltas restart from 0: rebase its first on the previous block's
        # last id, so that one cumulative sum restores every id
        start = len(ids)
        ids.extend(deltas)
        ids[start] -= previous_last
        previous_last = last
        if weights is None or isinstance(weights, float):
            tfs.extend([weights or 1.0] * count)
        else:
            tfs.extend(weights)
    return np.cumsum(np.array(ids, dtype=np.int64)), np.array(tfs, dtype=np.float32)


def read_positions(m: Any, within: NDArray[np.int64] | None = None) -> NDArray[np.int64] | None:
    """A term's positions in the passages `within` (segment numbers, ascending; None: all),
    as one ascending array of keys `passage << 32 | position`, from its W3 blocks in one
    read (only those passages' positions are decoded); None where the matcher is not the W3
    kind this code knows."""
    raw = _w3_postings(m)
    if raw is None:
        return None
    passages: list[int] = []
    counts: list[int] = []
    deltas: list[int] = []
    wanted = None if within is None else set(within.tolist())

    def needed(first: int, last: int) -> bool:
        """Whether a wanted passage falls in a block's id range."""
        assert within is not None
        at = int(np.searchsorted(within, first))
        return at < len(within) and int(within[at]) <= last

    for ids, _, values, _, _ in _blocks(raw, None if within is None else needed):
        passage = 0  # a block's first id delta is its first passage number
        for delta, value in zip(ids, values, strict=True):
            passage += delta
            if wanted is not None and passage not in wanted:
                continue
            # Whoosh's Positions value: a 4-byte count, then the pickled position deltas
            # (the pickle's closing '.' dropped)
            positions: list[int] = pickle.loads(value[_INT.size :] + b".")
            passages.append(passage)
            counts.append(len(positions))
            deltas.extend(positions)
    return _keys(passages, counts, deltas)


def _keys(passages: list[int], counts: list[int], deltas: list[int]) -> NDArray[np.int64]:
    """`passage << 32 | position` keys from each passage's position deltas, all in one
    cumulative sum restarted at each passage."""
    if not deltas:
        return np.empty(0, np.int64)
    steps = np.array(deltas, dtype=np.int64)
    sizes = np.array(counts, dtype=np.int64)
    total = np.cumsum(steps)
    starts = np.cumsum(sizes) - sizes  # where each passage's deltas begin
    before = total[starts] - steps[starts]  # the running sum before each passage
    owners = np.repeat(np.array(passages, dtype=np.int64), sizes)
    keys: NDArray[np.int64] = (owners << 32) + total - np.repeat(before, sizes)
    return keys


def public_positions(m: Any, within: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
    """`read_positions` through Whoosh's public matcher API (the fallback)."""
    if _IMPORTED and isinstance(m, FilterMatcher):
        m = m.child
        m.reset()
    keys: list[NDArray[np.int64]] = []
    wanted = set() if within is None else set(within.tolist())
    while m.is_active():
        if within is None or m.id() in wanted:
            positions = m.value_as("positions")
            keys.append(np.array(positions, dtype=np.int64) + (m.id() << 32))
        m.next()
    return np.concatenate(keys) if keys else np.empty(0, np.int64)


def _blocks(
    raw: bytes, needed: Callable[[int, int], bool] | None = None
) -> Iterator[tuple[Any, Any, Any, int, int]]:
    """(id deltas, weights, values, count, last id) of each block of a term's postings;
    with `needed(first, last)`, only the blocks whose id range it wants are unpickled
    (the others are skipped by their info, as Whoosh's own matchers skip them).

    Whoosh 2.7's W3 layout: a 4-byte magic, then per block a big-endian int length
    (negative for the last block), a pickled info tuple (count, max id, max weight,
    compression, min and max length) and the pickled, maybe zlib-compressed, data tuple
    (id deltas, weights, values).
    """
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a Whoosh 3 postings list")
    stream = io.BytesIO(raw)
    pos = 4
    previous_last = -1
    while pos < len(raw):
        (length,) = _INT.unpack_from(raw, pos)
        stream.seek(pos + _INT.size)
        info = pickle.load(stream)
        end = pos + _INT.size + abs(length)
        if needed is None or needed(previous_last + 1, info[1]):
            data = raw[stream.tell() : end]
            deltas, weights, values = pickle.loads(zlib.decompress(data) if info[3] else data)
            yield deltas, weights, values, info[0], info[1]
        previous_last = info[1]
        if length < 0:
            return
        pos = end


def length_bytes(segment_reader: Any, field: str) -> NDArray[np.uint8] | None:
    """A segment's stored field lengths (Whoosh's one-byte codes) in one read; None when
    the field has no length column there."""
    column = segment_reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None or not column._count:
        return None
    raw = column._dbfile.get(column._basepos, column._count)
    return np.frombuffer(raw, np.uint8)


def layout_holds(searcher: Any, fields: tuple[str, ...], probes: int = 3) -> bool:
    """Whether the private reads above agree with Whoosh's public API on this index: the
    postings of a few terms of each field, and the field lengths of a few passages."""
    if not _IMPORTED:
        return False
    try:
        for sub, _ in searcher.leaf_searchers():
            reader = sub.reader()
            for field in fields:
                if field not in reader.schema:
                    continue
                for n, term in enumerate(reader.lexicon(field)):
                    if n >= probes:
                        break
                    fast = read_postings(reader.postings(field, term))
                    if fast is None:
                        continue
                    slow = public_postings(reader.postings(field, term))
                    if not (np.array_equal(fast[0], slow[0]) and np.allclose(fast[1], slow[1])):
                        return False
                    if reader.schema[field].format.supports("positions"):
                        here = read_positions(reader.postings(field, term))
                        there = public_positions(reader.postings(field, term))
                        if here is None or not np.array_equal(here, there):
                            return False
                codes = length_bytes(reader, field)
                if codes is not None:
                    from whoosh.util.numeric import byte_to_length

                    for docnum in range(min(probes, len(codes))):
                        public = reader.doc_field_length(docnum, field, 0) or 0
                        if byte_to_length(int(codes[docnum])) != public:
                            return False
    except Exception:  # any surprise in the private layout means: do not use it
        return False
    return True


def public_postings(m: Any) -> Postings:
    """A term's postings through Whoosh's public matcher API: the slow, always-right path
    (deleted passages included, as the fast path and Whoosh's document frequency count)."""
    if _IMPORTED and isinstance(m, FilterMatcher):
        m = m.child  # the filter has already moved it past the first deleted passages
        m.reset()
    ids: list[int] = []
    tfs: list[float] = []
    while m.is_active():
        ids.append(m.id())
        tfs.append(m.weight())
        m.next()
    return np.array(ids, dtype=np.int64), np.array(tfs, dtype=np.float32)
