"""One writer at a time: a lock file holding the writer's pid.

The lock file appears with the pid already in it (a hard link of a private file), so no
rival ever reads it empty; a lock whose pid no longer runs is stale (the writer was killed)
and is taken over under an flock, so two rivals cannot both take it. Readers never look
at the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from search.errors import IndexFolderError, IndexLockedError

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


def _create(path: Path) -> bool:
    """Create the lock file with our pid already in it, atomically: write a private file,
    then hard-link it to the lock's name (which fails if the lock exists). A rival never
    sees an empty lock file and takes it for stale."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    tmp.write_text(str(os.getpid()))
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _take_over_if_stale(path: Path) -> None:
    """Remove a lock whose writer died. Takeovers are serialised by an flock on a helper
    file, and the lock is read again under it, so two rivals that both saw the same dead pid
    cannot each remove the lock the other has just taken."""
    guard = path.with_name(path.name + ".takeover")
    fd = os.open(guard, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if path.exists() and holder(path.parent) is None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    finally:
        os.close(fd)


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        path = index_dir / LOCK_NAME
        for _ in range(3):
            if _create(path):
                break
            pid = holder(index_dir)
            if pid is not None:
                raise IndexLockedError(
                    f"the index is being updated by another process (pid {pid}); try again when it ends"
                )
            _take_over_if_stale(path)
        else:
            raise IndexLockedError("the index lock is contended; try again")
    except OSError as exc:
        raise IndexFolderError(
            f"cannot write in the index folder {index_dir}: {exc.strerror or exc}"
        ) from exc
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            if path.read_text().strip() == str(os.getpid()):
                path.unlink()
