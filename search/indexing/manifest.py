"""The manifest: what each indexed source looked like when it was indexed.

Stored as JSON in the index generation directory and replaced atomically after each
commit. Every write of a document first deletes its doc id, so a crash between the
Whoosh commit and the manifest write only makes the next run redo some work.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from search.errors import IndexDamagedError

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    size: int
    mtime_ns: int
    sha256: str
    meta_sig: str
    doc_id: str
    passages: int
    indexed_at: str


@dataclass(frozen=True, slots=True)
class FailedEntry:
    """A source that could not be indexed, as it was when it failed: it is not read again
    until its size, time, content or metadata change (or the index is rebuilt)."""

    key: str
    size: int
    mtime_ns: int
    sha256: str
    meta_sig: str
    reason: str
    failed_at: str


def _damaged(path: Path, why: object) -> IndexDamagedError:
    return IndexDamagedError(
        f"the index's manifest {path} is damaged ({why}): "
        "run `python -m search doctor --repair` (it rebuilds the index)"
    )


def _raw(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, OSError) as exc:
        raise _damaged(path, exc) from exc
    if not isinstance(raw, dict):
        raise _damaged(path, "not a JSON object")
    return raw


def load(directory: Path) -> dict[str, Entry]:
    try:
        return {e["key"]: Entry(**e) for e in _raw(directory).get("sources", [])}
    except (TypeError, KeyError) as exc:
        raise _damaged(directory / MANIFEST_NAME, f"an entry lacks {exc}") from exc


def load_failures(directory: Path) -> dict[str, FailedEntry]:
    try:
        return {e["key"]: FailedEntry(**e) for e in _raw(directory).get("failed", [])}
    except (TypeError, KeyError) as exc:
        raise _damaged(directory / MANIFEST_NAME, f"an entry lacks {exc}") from exc


def save(
    directory: Path, entries: dict[str, Entry], failures: dict[str, FailedEntry] | None = None
) -> None:
    """Write the manifest atomically; `failures` None keeps the ones already recorded."""
    if failures is None:
        failures = load_failures(directory)
    path = directory / MANIFEST_NAME
    tmp = path.with_suffix(".tmp")
    data = {
        "sources": [asdict(e) for e in sorted(entries.values(), key=lambda e: e.key)],
        "failed": [asdict(f) for f in sorted(failures.values(), key=lambda f: f.key)],
    }
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
