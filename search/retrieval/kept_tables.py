"""What opening an index learns of a segment, kept beside the segment's files, so that a
new process does not learn it again.

Opening an index reads, for each segment, its documents' facet values from their first
stored passages (`facets.FacetIndex`), and compares a few of its postings read the quick
way with Whoosh's own reading (`whoosh_layout.layout_holds`): at 1M passages most of the
seconds a new process (a command line search, the TUI starting) waited for its first
results. A segment's files never change, so what was learnt once is written beside them
(`MAIN_<segment>.<extension>`, which Whoosh's clean-up deletes with the segment) and read
back by the next process. It is only a copy: a file that cannot be written or read, or
that another version of this code wrote, or under another key (another field table,
another Whoosh), or for a segment of another length, is not used, and the segment is read
as before. A small segment (an F5's) is read, not kept: it is cheap to read and is soon
merged away.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
from pathlib import Path
from types import ModuleType
from typing import Any

import whoosh

from search.retrieval import whoosh_layout

VERSION = 1
"""Of the kept files' layout: a file of another version is read as missing. A change of
what is kept needs no new version: the code that makes it is in each file's key
(`code_digest`)."""
SMALLEST = 2000
"""Passages a segment needs before what is learnt of it is kept."""


@functools.cache
def code_digest(*modules: ModuleType) -> str:
    """A digest of these modules' source and of Whoosh's version: what was kept by other
    code, or read through another Whoosh, is not used."""
    digest = hashlib.sha256(whoosh.versionstring().encode())
    for module in modules:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def load(leaf: Any, extension: str, key: object) -> Any | None:
    """What was kept of this segment in the file of this extension under `key` (what it
    depends on besides the segment), or None."""
    path = whoosh_layout.segment_file(leaf, extension)
    if path is None or leaf.doc_count_all() < SMALLEST:
        return None
    try:
        with path.open("rb") as file:
            header, kept = pickle.load(file)
    except Exception:  # missing, cut short, unreadable: read the segment instead
        return None
    return kept if header == (VERSION, key, leaf.doc_count_all()) else None


def save(leaf: Any, extension: str, key: object, kept: Any) -> None:
    """Keep what was learnt of a segment beside it, written whole or not at all (a file
    written under another name, then renamed over it); nothing when the folder cannot be
    written."""
    path = whoosh_layout.segment_file(leaf, extension)
    if path is None or leaf.doc_count_all() < SMALLEST:
        return
    partial = path.with_name(f"{path.name}_{os.getpid()}")  # also cleaned with the segment
    try:
        with partial.open("wb") as file:
            pickle.dump(((VERSION, key, leaf.doc_count_all()), kept), file, protocol=5)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
