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
import mmap
import pickle
import struct
import zlib
from collections.abc import Callable, Container, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from search.indexing.term_arrays import TermArrays

_INT = struct.Struct("!i")

try:  # the names themselves are internals: a Whoosh without them takes the public path
    from whoosh.codec.whoosh3 import (
        LENGTHS_COLUMN,
        STORED_COLUMN,
        WHOOSH3_HEADER_MAGIC,
        W3LeafMatcher,
        _lenfield,
    )
    from whoosh.matching.wrappers import FilterMatcher
    from whoosh.system import pack_ushort

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


def read_positions(m: Any) -> NDArray[np.int64] | None:
    """A term's positions as one ascending array of keys `passage << 32 | position` (segment
    numbers), from its W3 blocks in one read; None where the matcher is not the W3 kind
    this code knows."""
    raw = _w3_postings(m)
    if raw is None:
        return None
    passages: list[NDArray[np.int64]] = []
    values: list[bytes] = []
    for ids, _, block_values, _, _ in _blocks(raw):
        # a block's first id delta is its first passage number
        passages.append(np.cumsum(np.asarray(ids, dtype=np.int64)))
        values += block_values
    if not values:
        return np.empty(0, np.int64)
    counts, deltas = _position_deltas(values)
    return _keys(np.concatenate(passages), counts, deltas)


_LIST_HEAD = np.frombuffer(b"\x80\x02]q", np.uint8)
"""How a value's pickled list starts (protocol 2, then an empty list and its memo)."""
_K = ord("K")
"""The pickle opcode of an int under 256, followed by its byte."""


def _position_deltas(values: list[bytes]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each Whoosh Positions value's count of positions, and all their position deltas in
    order. A value is a 4-byte big-endian count, then the pickled list of deltas (protocol
    2). Where every delta is under 256 (nearly always: they are gaps between one word's
    occurrences in a passage), each is a `K` opcode and one byte: those are read for all
    values at once; any other value is unpickled alone."""
    sizes = np.fromiter(map(len, values), np.int64, len(values))
    buf = np.frombuffer(b"".join(values), np.uint8).astype(np.int64)
    starts = np.cumsum(sizes) - sizes
    counts = buf[starts] << 24 | buf[starts + 1] << 16 | buf[starts + 2] << 8 | buf[starts + 3]
    # `\x80\x02]q\0(K.K.…e.` for two or more deltas, `\x80\x02]q\0K.a.` for one
    small = sizes == np.where(counts >= 2, 12 + 2 * counts, np.where(counts == 1, 13, 10))
    for i, byte in enumerate(_LIST_HEAD.tolist()):
        small &= buf[np.minimum(starts + 4 + i, len(buf) - 1)] == byte
    first = starts + np.where(counts >= 2, 11, 10)  # the byte of the first delta
    total = int(counts.sum())
    out_starts = np.cumsum(counts) - counts
    within = np.arange(total, dtype=np.int64) - np.repeat(out_starts, counts)
    at = np.repeat(first, counts) + 2 * within  # each delta's byte (where the value is small)
    from_small = np.repeat(small, counts)
    at = np.where(from_small, at, 0)
    opcode_ok = buf[np.maximum(at - 1, 0)] == _K
    bad = np.unique(np.repeat(np.arange(len(values)), counts)[from_small & ~opcode_ok])
    small[bad] = False
    deltas = np.where(np.repeat(small, counts), buf[at], 0)
    for i in np.flatnonzero(~small).tolist():
        positions: list[int] = pickle.loads(values[i][_INT.size :] + b".")
        deltas[out_starts[i] : out_starts[i] + counts[i]] = positions
    return counts, deltas


def _keys(
    passages: NDArray[np.int64], counts: NDArray[np.int64], deltas: NDArray[np.int64]
) -> NDArray[np.int64]:
    """`passage << 32 | position` keys from each passage's position deltas, all in one
    cumulative sum restarted at each passage."""
    if not len(deltas):
        return np.empty(0, np.int64)
    total = np.cumsum(deltas)
    starts = np.cumsum(counts) - counts  # where each passage's deltas begin
    before = total[starts] - deltas[starts]  # the running sum before each passage
    keys: NDArray[np.int64] = (
        (np.repeat(passages, counts) << 32) + total - np.repeat(before, counts)
    )
    return keys


def public_positions(m: Any) -> NDArray[np.int64]:
    """`read_positions` through Whoosh's public matcher API (the fallback)."""
    if _IMPORTED and isinstance(m, FilterMatcher):
        m = m.child
        m.reset()
    keys: list[NDArray[np.int64]] = []
    while m.is_active():
        keys.append(np.array(m.value_as("positions"), dtype=np.int64) + (m.id() << 32))
        m.next()
    return np.concatenate(keys) if keys else np.empty(0, np.int64)


def _blocks(raw: bytes) -> Iterator[tuple[Any, Any, Any, int, int]]:
    """(id deltas, weights, values, count, last id) of each block of a term's postings.

    Whoosh 2.7's W3 layout: a 4-byte magic, then per block a big-endian int length
    (negative for the last block), a pickled info tuple (count, max id, max weight,
    compression, min and max length) and the pickled, maybe zlib-compressed, data tuple
    (id deltas, weights, values).
    """
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a Whoosh 3 postings list")
    stream = io.BytesIO(raw)
    pos = 4
    while pos < len(raw):
        (length,) = _INT.unpack_from(raw, pos)
        stream.seek(pos + _INT.size)
        info = pickle.load(stream)
        end = pos + _INT.size + abs(length)
        data = raw[stream.tell() : end]
        deltas, weights, values = pickle.loads(zlib.decompress(data) if info[3] else data)
        yield deltas, weights, values, info[0], info[1]
        if length < 0:
            return
        pos = end


def mapped(reader: Any, name: str) -> memoryview | None:
    """A file inside a segment's compound file, mapped into memory read-only (its pages
    are the system's file cache, shared, not the process's own); None where the segment's
    files are not one compound file on disk. The compound file is the one Whoosh's reader
    holds open (`CompoundStorage._file`, this Whoosh's own name for it)."""
    compound: Any = getattr(reader.storage(), "a", None)  # OverlayStorage: compound first
    source: Any = getattr(compound, "_file", None)
    if not hasattr(compound, "range") or not hasattr(source, "fileno"):
        return None
    try:
        offset, length = compound.range(name)
        whole = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    except (NameError, OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    if offset + length > len(whole):
        return None
    return memoryview(whole)[offset : offset + length]


def length_bytes(segment_reader: Any, field: str) -> NDArray[np.uint8] | None:
    """A segment's stored field lengths (Whoosh's one-byte codes) in one read; None when
    the field has no length column there."""
    column = segment_reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None or not column._count:
        return None
    raw = column._dbfile.get(column._basepos, column._count)
    return np.frombuffer(raw, np.uint8)


StoredFields = Callable[[int], dict[str, Any]]


def stored_fields(segment_reader: Any) -> StoredFields | None:
    """A segment's stored fields by document number, each in one read of the stored
    column: the pickled fields, compressed, at their offset in the mapped segment file.
    Whoosh's own read seeks and reads the file through four wrappers and checks every
    field against the schema (a fifth of a hit's time). None where the column is not laid
    out so, or the segment's first and last documents read otherwise than through Whoosh."""
    if not _IMPORTED:
        return None
    try:
        column = segment_reader._perdoc._cached_reader("_stored", STORED_COLUMN)
        inner = column._child
        lengths, offsets, decompress = inner._lengths, inner._offsets, inner._decompress
        part = inner._dbfile.file  # the column's part of the segment's compound file
        whole = mmap.mmap(part._file.fileno(), 0, access=mmap.ACCESS_READ)
        start = part._offset + inner._basepos

        def read(docnum: int) -> dict[str, Any]:
            length = lengths[docnum]
            if not length:
                return {}
            at = start + offsets[docnum]
            fields: dict[str, Any] = pickle.loads(decompress(whole[at : at + length]))
            return fields

        count = segment_reader.doc_count_all()
        for docnum in {0, count - 1} if count else ():
            if read(docnum) != segment_reader.stored_fields(docnum):
                return None
    except Exception:  # any surprise in the private layout means: do not use it
        return None
    return read


def segment_file(reader: Any, extension: str) -> Path | None:
    """Where a file of a segment reader's own would be kept, beside the segment's files
    in the index folder, named as Whoosh names a segment's files (`MAIN_<id>.<extension>`)
    so that its clean-up deletes it with the segment; None for a segment not in a folder
    on disk."""
    segment = reader.segment()
    storage = reader.storage()
    folder = getattr(getattr(storage, "b", storage), "folder", None)  # OverlayStorage: files
    if segment is None or not isinstance(folder, str):
        return None
    return Path(folder) / f"{segment.segment_id()}.{extension}"


def segment_id(reader: Any) -> str | None:
    """The id of a segment reader's segment (None for a reader of no segment)."""
    segment = reader.segment()
    return None if segment is None else str(segment.segment_id())


def layout_holds(
    searcher: Any,
    fields: tuple[str, ...],
    segment_arrays: Sequence[TermArrays | None] = (),
    probes: int = 3,
    checked: Container[str] = (),
) -> bool:
    """Whether the private reads above agree with Whoosh's public API on this index: the
    postings of a few terms of each field, and the field lengths of a few passages; and
    those of each segment's arrays (`segment_arrays`, in the order of its segments).
    Segments whose id is in `checked` held before and are not probed again (a segment's
    files never change)."""
    if not _IMPORTED:
        return False
    try:
        for leaf, (sub, _) in enumerate(searcher.leaf_searchers()):
            reader = sub.reader()
            if segment_id(reader) in checked:
                continue
            arrays = segment_arrays[leaf] if segment_arrays else None
            for field in fields:
                if field not in reader.schema:
                    continue
                for term in _probes(reader, field, probes):
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
                    if arrays is not None and field in arrays.fields:
                        row = arrays.find(field, term)
                        if row is None:
                            return False
                        kept, at = arrays.postings(row), arrays.positions(row)
                        if not np.array_equal(at, there):
                            return False
                        if not (np.array_equal(kept[0], slow[0]) and np.allclose(kept[1], slow[1])):
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


PROBE_BLOCK = 128
"""Postings in one of Whoosh's blocks (W3's block limit)."""
PROBE_MOST = 300
"""The longest postings a probe reads: through the public API, slowly, a posting at a
time (the first terms of a field, often numbers, held 70,000 passages a segment at 1M: the
check took 3.3 s of opening the index). Up to 300 is still three of Whoosh's blocks; at
2,000 the check took 0.22 s of opening a 100k index, at 300 0.16 s."""
PROBE_SCAN = 30
"""Terms looked at for probes, at most (each costs a look-up in the terms table)."""


def _probes(reader: Any, field: str, probes: int) -> list[bytes]:
    """The field's terms the check compares: among its first terms, one spanning several
    blocks, then others in a block of their own (not inlined in the terms table: a term in
    one passage is), then any short enough to read the slow way."""
    longer: list[bytes] = []
    short: list[bytes] = []
    rest: list[bytes] = []
    for n, term in enumerate(reader.lexicon(field)):
        if n >= PROBE_SCAN or len(longer) + len(short) >= probes:
            break
        count = reader.doc_frequency(field, term)
        if PROBE_BLOCK < count <= PROBE_MOST and not longer:
            longer.append(term)
        elif 1 < count <= PROBE_BLOCK:
            short.append(term)
        elif count <= PROBE_MOST and len(rest) < probes:
            rest.append(term)
    return (longer + short + rest)[:probes]


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


_KEY_LENGTHS = struct.Struct("!ii")
"""A record of Whoosh's terms table: the key's length and the value's, then both."""
_CHUNK = 1 << 16


def terms_with_prefix(segment_reader: Any, field: str, prefix: bytes) -> list[bytes] | None:
    """A segment's terms of a field that begin with `prefix`, in order: Whoosh's own
    `expand_prefix` reads each from its terms table with two reads through four wrappers
    (about 6 µs a term: 20 ms for a letter's words at 100k passages); here the table's
    records are read in blocks of 64 KB and parsed where they lie. None where the table is
    not laid out so."""
    try:
        table = segment_reader._terms._tindex  # Whoosh 3's ordered hash table of terms
        number = segment_reader._terms._fieldmap.get(field)
        if number is None:
            return []
        field_key = pack_ushort(number)  # a key is the field's number, then the term
        wanted = field_key + prefix
        at = table.closest_key_pos(wanted)
        if at is None:
            return []
        end, get = table.endofdata, table.dbfile.get
        found: list[bytes] = []
        block, base = b"", at  # the block read, and where in the table it begins
        while at < end:
            if at + _KEY_LENGTHS.size > base + len(block):
                block, base = bytes(get(at, min(_CHUNK, end - at))), at
            keylen, datalen = _KEY_LENGTHS.unpack_from(block, at - base)
            key_at = at + _KEY_LENGTHS.size
            if key_at + keylen > base + len(block):  # a key across the block's end
                least = _KEY_LENGTHS.size + keylen
                block, base = bytes(get(at, max(least, min(_CHUNK, end - at)))), at
            key = block[key_at - base : key_at - base + keylen]
            if not key.startswith(wanted):
                break
            found.append(key[len(field_key) :])
            at = key_at + keylen + datalen
        return found
    except Exception:  # any surprise in the private layout means: do not use it
        return None
