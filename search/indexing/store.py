"""Where the index lives on disk: generations, the CURRENT pointer, opening and swapping.

`index/` holds one or more generation directories (each a complete Whoosh index plus its
manifest) and a CURRENT file naming the live one. A rebuild writes a new generation and
replaces CURRENT atomically when it is complete, so a crash leaves the old one live.
This is the only module that opens Whoosh storage.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from search.errors import IndexMissingError
from search.indexing.schema import SCHEMA_VERSION, build_schema

CURRENT_NAME = "CURRENT"
SCHEMA_NAME = "schema_version"
GEN_PREFIX = "gen-"


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT_NAME).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    gen = index_dir / name
    return gen if name.startswith(GEN_PREFIX) and gen.is_dir() else None


def change_stamp(index_dir: Path, generation: Path | None) -> tuple[int, ...] | None:
    """Cheap evidence that nothing was published or committed since the last look.

    CURRENT is replaced (a new inode) on every publish, and a commit adds a file to the
    generation's folder (a new folder mtime). None when that cannot be trusted: files
    changed in the last two seconds, where a coarse clock could hide a second change.
    """
    try:
        current = os.stat(index_dir / CURRENT_NAME)
        folder = os.stat(generation) if generation is not None else current
    except OSError:
        return None
    if time.time_ns() - max(current.st_mtime_ns, folder.st_mtime_ns) < 2_000_000_000:
        return None
    return (current.st_ino, current.st_mtime_ns, folder.st_ino, folder.st_mtime_ns)


def schema_version(generation: Path) -> int:
    try:
        return int((generation / SCHEMA_NAME).read_text().strip())
    except (FileNotFoundError, ValueError):
        return -1


def needs_rebuild(index_dir: Path) -> bool:
    gen = current_generation(index_dir)
    return gen is None or schema_version(gen) != SCHEMA_VERSION


def storage(generation: Path) -> Any:
    # Without mmap a reader's private memory stays small (DESIGN.md measurements).
    return FileStorage(str(generation), supports_mmap=False)


def open_generation(generation: Path) -> Any:
    return storage(generation).open_index()


def open_current(index_dir: Path) -> tuple[Path, Any]:
    """The live generation and its opened Whoosh index; retries once across a swap."""
    for attempt in range(2):
        gen = current_generation(index_dir)
        if gen is None:
            raise IndexMissingError(
                f"no index at {index_dir}: build it with `python -m search index`"
            )
        if schema_version(gen) != SCHEMA_VERSION:
            raise IndexMissingError(
                f"the index at {index_dir} was built by another version of this tool: "
                "rebuild it with `python -m search index` (or F5)"
            )
        try:
            return gen, open_generation(gen)
        except (OSError, EOFError) as exc:
            if attempt:
                raise IndexMissingError(f"the index at {gen} cannot be opened: {exc}") from exc
            time.sleep(0.05)
    raise AssertionError("unreachable")


def create_generation(index_dir: Path) -> tuple[Path, Any]:
    index_dir.mkdir(parents=True, exist_ok=True)
    gen = (
        index_dir
        / f"{GEN_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    )
    gen.mkdir()
    ix = storage(gen).create_index(build_schema())
    (gen / SCHEMA_NAME).write_text(str(SCHEMA_VERSION))
    return gen, ix


class _FieldLengths:
    """A new segment's field lengths, read once a field: Whoosh asks for a passage's length
    once for every posting it writes (a quarter of the time of a small update)."""

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


class _QuickFlushWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's writer of one segment; it writes the same files, with the field lengths of
    the postings it flushes read once a field (`_FieldLengths`)."""

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _FieldLengths(reader) if reader is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader is not None:
            reader.close()


def _writer(ix: Any, **options: Any) -> Any:
    """A writer for `ix`: Whoosh's multi-process one for `procs` > 1, else ours."""
    if options.get("procs", 1) > 1:
        return ix.writer(**options)
    options.pop("procs", None)
    return _QuickFlushWriter(ix, **options)


@contextlib.contextmanager
def writing(ix: Any, merge: bool = True, **options: Any) -> Iterator[Any]:
    """A Whoosh writer that commits when the block ends and is cancelled when it raises
    (a cancel that fails too, as after a full disk, does not hide the first error)."""
    writer = _writer(ix, **options)
    try:
        yield writer
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    try:
        writer.commit(merge=merge)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise


@contextlib.contextmanager
def new_generation(index_dir: Path) -> Iterator[tuple[Path, Any]]:
    """A fresh generation to write; removed again unless it was published in the block."""
    gen, ix = create_generation(index_dir)
    try:
        yield gen, ix
    except BaseException:
        if current_generation(index_dir) != gen:
            discard(gen)
        raise


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(index_dir: Path, generation: Path) -> None:
    """Make `generation` the live index in one atomic rename."""
    tmp = index_dir / (CURRENT_NAME + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(generation.name)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT_NAME)
    _fsync_dir(index_dir)


def is_generation(path: Path) -> bool:
    """A folder this tool wrote as a generation: named gen-…, holding its schema version or
    Whoosh's table of contents, or still empty (a creation cut short). Nothing else is ever
    deleted as one."""
    if not (path.name.startswith(GEN_PREFIX) and path.is_dir() and not path.is_symlink()):
        return False
    names = [p.name for p in path.iterdir()]
    return not names or SCHEMA_NAME in names or any(n.endswith(".toc") for n in names)


def generations(index_dir: Path) -> list[Path]:
    return sorted(p for p in index_dir.glob(GEN_PREFIX + "*") if is_generation(p))


def prune(index_dir: Path, keep: Path | None = None) -> None:
    """Remove generations other than the live one (and `keep`): old or left by a crash."""
    live = current_generation(index_dir)
    for gen in generations(index_dir):
        if gen not in (live, keep):
            shutil.rmtree(gen, ignore_errors=True)


def discard(generation: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(generation)


def size_bytes(generation: Path) -> int:
    return sum(f.stat().st_size for f in generation.iterdir() if f.is_file())
