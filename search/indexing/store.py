"""Where the index lives on disk: generations, the CURRENT pointer, opening and swapping.

`index/` holds one or more generation directories (each a complete Whoosh index plus its
manifest) and a CURRENT file naming the live one. A rebuild writes a new generation and
replaces CURRENT atomically when it is complete, so a crash leaves the old one live.
This is the only module that opens Whoosh storage.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from search.errors import IndexMissingError, IndexWriteError
from search.indexing.schema import SCHEMA_VERSION, build_schema
from search.indexing.segment_writer import QuickSegmentWriter

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


def write_segments(
    ix: Any, rows: Callable[[int], Iterator[dict[str, Any]]], procs: int, limitmb: int
) -> int:
    """Write a new index's passages as segments and commit them together; returns how
    many passages. `rows(share)` gives the passages of share 0 … procs-1, each written by
    a process of its own (forked: the rows come from what this process holds), into a new
    segment each time the writer's memory limit is reached. No temporary files: a segment
    is written straight from memory."""
    if procs <= 1:
        segments, count = _segments_of(ix, rows(0), limitmb)
    else:
        segments, count = _segments_in_processes(ix, rows, procs, limitmb)
    _commit_segments(ix, segments)
    return count


def _commit_segments(ix: Any, segments: list[Any]) -> None:
    """List written segments in the index's table of segments, with those it has."""
    writer = QuickSegmentWriter(ix)  # takes Whoosh's lock for the table of segments
    try:
        writer._close_segment()  # its own is empty
        writer._commit_toc(writer.segments + segments)
        writer._finish()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise


class SegmentRoll:
    """Passages added as to one writer, written as a new segment each time the memory limit
    is reached (`limitmb` of postings; `first`: the share of it for the first segment),
    listed in the index when committed. A writer past its limit would otherwise go on in
    Whoosh's pool, which sorts on disk and writes no arrays (`term_arrays`)."""

    def __init__(self, ix: Any, limitmb: int, first: float = 1.0) -> None:
        self.ix, self.limitmb, self.first = ix, limitmb, first
        self.segments: list[Any] = []
        self.count = 0
        self._writer: QuickSegmentWriter | None = None

    def add_document(self, **fields: Any) -> None:
        writer = self._writer
        if writer is None:
            writer = self._writer = QuickSegmentWriter(self.ix, _lk=False, limitmb=self.limitmb)
            writer.spill = False
            if not self.segments:
                writer.hold_at_most(self.first)
        writer.add_document(**fields)
        self.count += 1
        if writer.full():
            self.finish()

    def finish(self) -> list[Any]:
        """Close the segment being written; returns every segment written."""
        writer, self._writer = self._writer, None
        if writer is not None:
            # the writer's temporary folder is shared with the build's other writers
            # (Whoosh names it after the index): the commit removes it
            self.segments.append(writer._finalize_segment())
        return self.segments

    def cancel(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(Exception):
                writer._close_segment()

    def commit(self) -> None:
        _commit_segments(self.ix, self.finish())


def _segments_of(
    ix: Any, rows: Iterator[dict[str, Any]], limitmb: int, first: float = 1.0
) -> tuple[list[Any], int]:
    """Segments of `rows`, each holding up to `limitmb` of postings (the first `first` of
    that: processes side by side then write their segments, the moment a writer needs
    most memory, at different times)."""
    roll = SegmentRoll(ix, limitmb, first)
    try:
        for row in rows:
            roll.add_document(**row)
        return roll.finish(), roll.count
    except BaseException:
        roll.cancel()
        raise


def _segments_in_processes(
    ix: Any, rows: Callable[[int], Iterator[dict[str, Any]]], procs: int, limitmb: int
) -> tuple[list[Any], int]:
    return SharesElsewhere(ix, rows, range(procs), procs, limitmb).collect()


class SharesElsewhere:
    """Shares of the passages written as segments by processes forked now, while this one
    goes on (`collect` waits for them). What this process holds (the documents) is shared
    with them until written to: frozen, the collector in a child never walks it, which
    would copy every page. Fork only from a process without other threads (a thread's
    lock held at the fork would stay held in the child): the TUI writes alone."""

    def __init__(
        self,
        ix: Any,
        rows: Callable[[int], Iterator[dict[str, Any]]],
        shares: range,
        procs: int,
        limitmb: int,
    ) -> None:
        ctx = mp.get_context("fork")
        self._pipes: list[Any] = []
        self._children: list[Any] = []
        frozen_before = gc.get_freeze_count()
        gc.freeze()
        try:
            for share in shares:
                mine, theirs = ctx.Pipe(duplex=False)
                child = ctx.Process(
                    target=_write_share, args=(ix, rows, share, procs, limitmb, theirs)
                )
                child.start()
                theirs.close()
                self._pipes.append(mine)
                self._children.append(child)
        except BaseException:
            self.cancel()
            raise
        finally:
            if not frozen_before:  # (the TUI freezes what it has loaded, for good)
                gc.unfreeze()

    def collect(self) -> tuple[list[Any], int]:
        """The segments the processes wrote and how many passages; IndexWriteError if one
        failed (what the others wrote is then no segment of the index: the next commit
        removes its files, as it does a cancelled writer's)."""
        segments: list[Any] = []
        count = 0
        failures = []
        for mine, child in zip(self._pipes, self._children, strict=True):
            try:
                status, written, passages = mine.recv()
            except EOFError:  # it died before it could say
                child.join()
                status, written, passages = "failed", f"exit code {child.exitcode}", 0
            mine.close()
            child.join()
            if status == "ok":
                segments += written
                count += passages
            else:
                failures.append(written)
        self._pipes, self._children = [], []
        if failures:
            raise IndexWriteError(f"a process writing the index failed: {failures[0]}")
        return segments, count

    def segments(self) -> list[Any]:
        """The segments the processes wrote (`collect`)."""
        return self.collect()[0]

    def cancel(self) -> None:
        """Stop the processes (what they wrote is removed by the next commit)."""
        for child in self._children:
            if child.is_alive():
                child.kill()
            child.join()
        for mine in self._pipes:
            mine.close()
        self._pipes, self._children = [], []


def _write_share(
    ix: Any,
    rows: Callable[[int], Iterator[dict[str, Any]]],
    share: int,
    procs: int,
    limitmb: int,
    out: Any,
) -> None:
    try:
        segments, count = _segments_of(ix, rows(share), limitmb, (share + 1) / procs)
        out.send(("ok", segments, count))
    except BaseException as exc:  # said to the parent, which raises it
        out.send(("failed", f"{type(exc).__name__}: {exc}", 0))
    finally:
        out.close()


@contextlib.contextmanager
def writing(ix: Any, merge: bool = True, **options: Any) -> Iterator[Any]:
    """A Whoosh writer that commits when the block ends and is cancelled when it raises
    (a cancel that fails too, as after a full disk, does not hide the first error)."""
    writer = QuickSegmentWriter(ix, **options)
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
def writing_new(ix: Any, limitmb: int) -> Iterator[SegmentRoll]:
    """Passages for a new, empty index: a segment per `limitmb` of postings, committed
    together when the block ends; nothing listed when it raises."""
    roll = SegmentRoll(ix, limitmb)
    try:
        yield roll
    except BaseException:
        roll.cancel()
        raise
    roll.commit()


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
    """The generation's files' bytes (a file a search renames or Whoosh deletes while they
    are counted is left out)."""
    total = 0
    for entry in os.scandir(generation):
        with contextlib.suppress(OSError):
            if entry.is_file():
                total += entry.stat().st_size
    return total
