"""The index folder is the tool's own, and remembers the corpus it was built from.

A marker file, written when the tool creates the folder, says so. The tool writes into or
deletes inside a folder only when it carries the marker (or holds an index an older version
of the tool made, which is then marked), so `--index` pointed at a folder of the user's is
refused instead of emptied. The marker also records the corpus: a later run without
`--corpus` updates the index from that corpus, and one with another corpus is refused
unless it rebuilds.

No Whoosh here: the CLI reads the recorded corpus before anything heavy is imported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from search.errors import IndexFolderError

MARKER_NAME = "search-index.json"
TOOL = "multilingual-search"
_CURRENT, _GEN_PREFIX, _SCHEMA = "CURRENT", "gen-", "schema_version"


def _read(index_dir: Path) -> dict[str, str] | None:
    try:
        data = json.loads((index_dir / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != TOOL:
        return None
    return {k: v for k, v in data.items() if isinstance(v, str)}


def is_marked(index_dir: Path) -> bool:
    return _read(index_dir) is not None


def recorded_corpus(index_dir: Path) -> Path | None:
    """The corpus the index was built from: the path relative to the index folder when it
    still exists (the whole tree may have moved), else the absolute one."""
    data = _read(index_dir)
    if not data:
        return None
    relative, absolute = data.get("corpus", ""), data.get("corpus_absolute", "")
    if relative and (index_dir / relative).is_dir():
        return (index_dir / relative).resolve()
    if absolute:
        return Path(absolute)
    return (index_dir / relative).resolve() if relative else None


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def record(index_dir: Path, corpus_dir: Path) -> None:
    """Mark the folder as this tool's index of `corpus_dir` (rewritten only on a change)."""
    current = recorded_corpus(index_dir)
    if current is not None and _same(current, corpus_dir):
        return
    corpus = corpus_dir.resolve()
    data = {
        "tool": TOOL,
        "about": "An index of the multilingual document search tool (python -m search).",
        "corpus": os.path.relpath(corpus, index_dir.resolve()),
        "corpus_absolute": str(corpus),
    }
    tmp = index_dir / (MARKER_NAME + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, index_dir / MARKER_NAME)


def _older_index(index_dir: Path) -> bool:
    """An index an earlier version of the tool made before folders carried the marker."""
    try:
        name = (index_dir / _CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return False
    gen = index_dir / name
    return name.startswith(_GEN_PREFIX) and (gen / _SCHEMA).is_file()


def _refuse_place(index_dir: Path, corpus_dir: Path) -> None:
    index, corpus = index_dir.resolve(), corpus_dir.resolve()
    if index == Path(index.anchor) or index == Path.home().resolve():
        raise IndexFolderError(f"{index_dir} cannot hold an index: choose a folder of its own")
    if index == corpus or corpus in index.parents:
        raise IndexFolderError(
            f"{index_dir} is inside the corpus {corpus_dir}: the index needs a folder outside it"
        )
    if index in corpus.parents:
        raise IndexFolderError(
            f"the corpus {corpus_dir} is inside the index folder {index_dir}: "
            "the index needs a folder of its own"
        )


def claim(index_dir: Path, corpus_dir: Path, rebuild: bool) -> None:
    """Before any write: make sure `index_dir` is this tool's index of `corpus_dir`.

    Creates and marks a new or empty folder; marks an older index of the tool; refuses a
    folder of anything else, a file, `/`, the home folder or a place inside the corpus,
    and a different corpus than the recorded one unless the index is rebuilt."""
    _refuse_place(index_dir, corpus_dir)
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexFolderError(f"{index_dir} is a file, not a folder: choose a folder for --index")
    if is_marked(index_dir):
        recorded = recorded_corpus(index_dir)
        if recorded is not None and not _same(recorded, corpus_dir) and not rebuild:
            raise IndexFolderError(
                f"the index in {index_dir} was built from {recorded}, not {corpus_dir}: leave out "
                f"--corpus to update it, or add --rebuild to rebuild it from {corpus_dir}"
            )
        return
    try:
        if index_dir.is_dir() and any(index_dir.iterdir()) and not _older_index(index_dir):
            raise IndexFolderError(
                f"{index_dir} holds files that are not an index of this tool: "
                "choose a new or empty folder for --index"
            )
        index_dir.mkdir(parents=True, exist_ok=True)
        record(index_dir, corpus_dir)
    except PermissionError as exc:
        raise IndexFolderError(f"cannot write the index in {index_dir}: permission denied") from exc
    except OSError as exc:
        raise IndexFolderError(f"cannot write the index in {index_dir}: {exc.strerror}") from exc
