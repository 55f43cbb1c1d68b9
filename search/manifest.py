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


def load(directory: Path) -> dict[str, Entry]:
    path = directory / MANIFEST_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {e["key"]: Entry(**e) for e in raw.get("sources", [])}


def save(directory: Path, entries: dict[str, Entry]) -> None:
    path = directory / MANIFEST_NAME
    tmp = path.with_suffix(".tmp")
    data = {"sources": [asdict(e) for e in sorted(entries.values(), key=lambda e: e.key)]}
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
