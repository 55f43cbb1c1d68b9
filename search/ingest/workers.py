"""Extraction in worker processes, with a time and memory limit per file.

A hostile PDF can hang the parser or make it allocate without end. Each worker is a
separate process with an address space limit; a file that runs past its time is answered
by killing its worker and starting another. One bad file costs that file, never the run.

Workers are forked from a fork server: a single-threaded process, started once per program,
that has imported the extractors (so it is safe to start from a threaded UI, and a worker
starts in milliseconds instead of importing pypdf and trafilatura again each run). The TUI
starts the server as it opens (`warm_up`), so F5 on one new file does not wait for it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import multiprocessing.forkserver
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from search.models import Document, Failure
from search.settings import Limits

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    key: str
    path: str


def _limit_memory(megabytes: int) -> None:
    import resource

    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        current = 0
    limit = current + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _silence_output() -> None:
    """Point the worker's stdout and stderr at /dev/null: everything it has to say goes back
    through its pipe, and a parser's stray print must not land on a full-screen UI."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


_STARTING = threading.Lock()
"""Held while a process starts: sys.stderr is swapped for the moment, and two threads (the
TUI's warm-up and an index run) must not swap it over each other."""


@contextlib.contextmanager
def _real_stderr() -> Iterator[None]:
    """Give multiprocessing a stderr with a real file descriptor while it starts processes.

    Its resource tracker hands `sys.stderr.fileno()` to the helper it spawns; a full-screen
    UI (Textual) replaces sys.stderr with an object whose fileno() is -1, and the start then
    fails with "bad value(s) in fds_to_keep". The original stderr (or /dev/null) stands in
    for the moment of the start.
    """
    with _STARTING:
        yield from _with_usable_stderr()


def _with_usable_stderr() -> Iterator[None]:
    current = sys.stderr
    try:
        usable = current is not None and current.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        yield
        return
    original = sys.__stderr__
    try:
        ok = original is not None and original.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        ok = False
    stand_in = original if ok else open(os.devnull, "w")  # noqa: SIM115
    sys.stderr = stand_in
    try:
        yield
    finally:
        sys.stderr = current
        if stand_in is not original and stand_in is not None:
            stand_in.close()


def _heartbeat(conn: Connection) -> Callable[[str], None]:
    """What a long step (OCR, page by page) calls to say it is alive and where it is."""
    return lambda message: conn.send(("alive", message))


def _worker_main(conn: Connection, corpus_root: str, limits: Limits) -> None:
    from search.errors import SearchError
    from search.ingest.extract import process_file

    _silence_output()
    logging.disable(logging.WARNING)  # pypdf chatter would interleave with the progress bar
    _limit_memory(limits.memory_mb_per_worker)
    root = Path(corpus_root)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            alive = _heartbeat(conn)
            result: Any = ("ok", process_file(Path(job.path), job.key, root, limits, alive))
        except SearchError as exc:
            result = ("fail", str(exc))
        except MemoryError:
            result = (
                "fail",
                f"too large: needed more than {limits.memory_mb_per_worker} MB to extract",
            )
        except RecursionError:
            result = ("fail", "corrupt: nesting too deep to parse")
        except Exception as exc:  # an unexpected parser bug must not end the run
            result = ("fail", f"unreadable: {type(exc).__name__}: {exc}")
        try:
            conn.send(result)
        except (MemoryError, OSError):
            conn.send(("fail", "too large: result could not be handed back"))


PRELOAD = "search.ingest.preload"
"""What the fork server imports before forking a worker: everything extraction needs."""


def _context() -> Any:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD])  # read when the server starts
    return ctx


def warm_up() -> None:
    """Start the fork server now (it loads the extractors, about a second, in its own
    process), so the next index run's workers start at once."""
    _context()
    with _real_stderr():
        multiprocessing.forkserver.ensure_running()


class _Worker:
    def __init__(self, ctx: Any, corpus_root: Path, limits: Limits) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, args=(child, str(corpus_root), limits), daemon=True
        )
        with _real_stderr():
            self.process.start()
        child.close()
        self.job: Job | None = None
        self.started = 0.0
        self.budget = limits.seconds_per_file
        """Seconds the current step may take: the file, or (once OCR begins) one page."""
        self.limits = limits

    def give(self, job: Job) -> None:
        self.job, self.started = job, time.monotonic()
        self.budget = self.limits.seconds_per_file
        self.conn.send(job)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=2)
        self.kill()


def extract_all(
    jobs: list[Job], corpus_root: Path, limits: Limits, workers: int
) -> Iterator[tuple[Job, Document | Failure | str]]:
    """Yield each job with its Document or Failure, in completion order; before that, for a
    long job, what it is doing (a `str`: "OCR page 2/9")."""
    if not jobs:
        return
    ctx = _context()
    pending = list(reversed(jobs))
    pool = [_Worker(ctx, corpus_root, limits) for _ in range(min(workers, len(jobs)))]
    starts_failed = 0
    try:
        while pending or any(w.job for w in pool):
            for i, w in enumerate(pool):
                if w.job is None and pending:
                    given = pending.pop()
                    try:
                        w.give(given)
                        starts_failed = 0
                    except OSError:  # the worker died before taking its first job
                        code = w.process.exitcode
                        w.kill()
                        pool[i] = _Worker(ctx, corpus_root, limits)
                        starts_failed += 1
                        reason = f"the extractor process could not start (exit code {code})"
                        yield given, Failure(given.key, reason)
                        if starts_failed >= 3:  # it never will: say so for every file left
                            while pending:
                                left = pending.pop()
                                yield left, Failure(left.key, reason)
            busy = [w for w in pool if w.job is not None]
            if not busy:
                continue
            deadline = min(w.started + w.budget for w in busy)
            ready = wait([w.conn for w in busy], timeout=max(0.0, deadline - time.monotonic()))
            for i, w in enumerate(pool):
                job = w.job
                if job is None:
                    continue
                outcome: Document | Failure | None = None
                if w.conn in ready:
                    try:
                        status, value = w.conn.recv()
                        if status == "alive":  # a page of OCR begins: its own time limit
                            w.started = time.monotonic()
                            w.budget = limits.seconds_per_ocr_page
                            yield job, str(value)
                            continue
                        outcome = value if status == "ok" else Failure(job.key, value)
                    except (EOFError, OSError):
                        code = w.process.exitcode
                        outcome = Failure(job.key, f"extractor crashed (exit code {code})")
                elif time.monotonic() - w.started > w.budget:
                    outcome = Failure(job.key, f"timed out after {w.budget:.0f} s")
                if outcome is None:
                    continue
                timed_out = isinstance(outcome, Failure) and outcome.reason.startswith("timed out")
                if timed_out or not w.process.is_alive():
                    w.kill()
                    pool[i] = _Worker(ctx, corpus_root, limits)
                else:
                    w.job = None
                yield job, outcome
    finally:
        for w in pool:
            w.stop()
