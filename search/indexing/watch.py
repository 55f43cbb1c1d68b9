"""A watched corpus: the index follows the folder as files arrive, change or go.

The operating system's notifications (through watchfiles: inotify, FSEvents, …) rather
than polling by hand; changes are debounced so a copied folder is one run; each run is an
ordinary incremental index run, with its lock, its crash safety and its report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from pathlib import Path

from search.errors import IndexLockedError, SearchError
from search.indexing.indexer import run_index
from search.models import IndexReport
from search.settings import Settings

DEBOUNCE_MS = 1500
"""Changes closer together than this make one run (a folder being copied in)."""
RETRY_SECONDS = 5.0
"""How soon a run that found the index busy (another writer) is tried again."""
QUIET_MS = 250
"""How often the watch, with no change, looks whether it should stop."""


def _relevant(index_dir: Path) -> Callable[[object, str], bool]:
    index = str(index_dir.resolve())

    def wanted(_change: object, path: str) -> bool:
        name = Path(path).name
        if path.startswith(index) or name.startswith((".", "~$")):
            return False
        return not name.endswith(("~", ".part", ".tmp", ".swp", ".crdownload"))

    return wanted


def watch_index(
    settings: Settings, stop: threading.Event | None = None
) -> Generator[IndexReport | SearchError, None, None]:
    """Bring the index up to date, then once more after every batch of changes to the
    corpus, until `stop` is set; yields each run's report, or the error that stopped it
    (the watch goes on: a busy index is tried again, a failed run waits for the next
    change).

    The folder is watched from before the first run to the end: a file that arrives while
    a run writes, or just after it, is in the next batch (the notifier keeps what it saw
    until asked). Watching anew after each run lost such a file until the next change."""
    import watchfiles

    stop = stop or threading.Event()
    changes = watchfiles.watch(
        settings.corpus_dir,
        watch_filter=_relevant(settings.index_dir),
        debounce=DEBOUNCE_MS,
        stop_event=stop,
        rust_timeout=QUIET_MS,
        yield_on_timeout=True,  # an empty batch now and then: `stop` is looked at
        raise_interrupt=True,  # ctrl+c ends `index --watch`
    )
    pending = True
    try:
        next(changes)  # the watch begins (an empty batch, after QUIET_MS)
        while not stop.is_set():
            if pending:
                try:
                    yield run_index(settings)
                    pending = False
                except IndexLockedError as exc:  # another writer: try again shortly
                    yield exc
                    stop.wait(RETRY_SECONDS)
                    continue
                except SearchError as exc:
                    yield exc
                    pending = False
            pending = bool(next(changes, None))
    except OSError as exc:  # the folder went away, or too many folders to watch
        yield SearchError(f"cannot watch {settings.corpus_dir}: {exc.strerror or exc}")
    except StopIteration:  # stopped before the watch began
        return
    finally:
        changes.close()
