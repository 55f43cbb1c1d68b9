"""A segment's facet table kept beside its files, so that a new process does not read
every document's stored fields again to open the index.

Opening an index reads, for each segment, its documents' facet values from their first
stored passages (`facets.FacetIndex`): at 1M passages most of the seconds a new process
(a command line search, the TUI starting) waited for its first results. A segment's files
never change, so the table read once is written beside them (`MAIN_<segment>.facets`,
which Whoosh's clean-up deletes with the segment) and read back by the next process. It
is only a copy: a file that cannot be written or read, or that another version of this
code or another field table wrote, or for a segment of another length, is not used, and
the segment is read as before. A small segment (an F5's) is read, not kept: it is cheap to
read and is soon merged away.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from typing import Any

from search.retrieval import whoosh_layout

EXTENSION = "facets"
VERSION = 1
"""Of the kept file: one more whenever the table (`facets._SegmentDocs`) or what reading a
segment makes of it changes. A file of another version is read as missing."""
SMALLEST = 2000
"""Passages a segment needs before its table is kept."""


def load(leaf: Any, key: str) -> Any | None:
    """The table kept for this segment under `key` (what the table depends on besides the
    segment: the field table), or None."""
    path = whoosh_layout.segment_file(leaf, EXTENSION)
    if path is None or leaf.doc_count_all() < SMALLEST:
        return None
    try:
        with path.open("rb") as file:
            header, table = pickle.load(file)
    except Exception:  # missing, cut short, unreadable: read the segment instead
        return None
    return table if header == (VERSION, key, leaf.doc_count_all()) else None


def save(leaf: Any, key: str, table: Any) -> None:
    """Keep a segment's table beside it, written whole or not at all (a file written under
    another name, then renamed over it); nothing when the folder cannot be written."""
    path = whoosh_layout.segment_file(leaf, EXTENSION)
    if path is None or leaf.doc_count_all() < SMALLEST:
        return
    partial = path.with_name(f"{path.name}_{os.getpid()}")  # also cleaned with the segment
    try:
        with partial.open("wb") as file:
            pickle.dump(((VERSION, key, leaf.doc_count_all()), table), file, protocol=5)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
