"""One writer at a time: a lock file holding the writer's pid.

Creating the file with O_EXCL is atomic; a lock whose pid no longer runs is stale (the
writer was killed) and is taken over. Readers never look at the lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from search.errors import IndexLockedError

LOCK_NAME = "write.lock"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder(index_dir: Path) -> int | None:
    """The pid of a live writer holding the lock, if any."""
    try:
        pid = int((index_dir / LOCK_NAME).read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def stale_lock(index_dir: Path) -> bool:
    """A lock file left behind by a writer that no longer runs."""
    return (index_dir / LOCK_NAME).exists() and holder(index_dir) is None


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_NAME
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid = holder(index_dir)
            if pid is not None:
                raise IndexLockedError(
                    f"the index is being updated by another process (pid {pid}); try again when it ends"
                ) from None
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # stale: its writer died
            continue
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        break
    else:
        raise IndexLockedError("the index lock is contended; try again")
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            if path.read_text().strip() == str(os.getpid()):
                path.unlink()
