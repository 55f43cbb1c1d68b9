"""The terms a segment's words were indexed as, kept in the segment.

Indexing a passage looks each of its words up in Hunspell's dictionary (`lemmas`): 10 to
25 µs a word, once for each distinct word of a process. A search looks up the words of its
hits again, to mark the ones the query matched, and a new process (a command-line search,
the TUI starting, an update) met each of them for the first time: on a page of twenty hits
that was most of what a first search of a phrase waited for. So the segment writer keeps,
for each language with a dictionary, every word form its passages hold with the term the
language field indexed it as (`analysis.stem_of`), in a file of the segment (`EXTENSION`,
taken into its compound file with the rest, merged when segments are merged), and a
process opening the index learns them (`analysis.learn`): a word met again is a look-up.

It is only a copy of what the analysis would say: a file written by other analysis code
or with other dictionaries (`digest`) is not used, nor one that cannot be read, and a word
not in it is looked up in the dictionary as before.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

from search.text import analysis, latvian, lemmas, numbers

EXTENSION = ".frm"
VERSION = 1

Forms = dict[str, dict[str, str]]
"""language → word form (lower-cased, ё as е) → the term its language field indexes."""


@functools.cache
def digest() -> str:
    """What the terms depend on: the analysis code and the dictionaries (their 8 MB by
    CRC-32: 1.5 ms, against 4 for SHA-256)."""
    made = hashlib.sha256(str(VERSION).encode())
    for module in (analysis, latvian, lemmas, numbers):
        made.update(Path(str(module.__file__)).read_bytes())
    folder = resources.files("search.data").joinpath("hunspell")
    for name in sorted(
        f"{d}{ext}" for d in lemmas.DICTIONARIES.values() for ext in (".aff", ".dic")
    ):
        made.update(zlib.crc32(folder.joinpath(name).read_bytes()).to_bytes(4, "little"))
    return made.hexdigest()


class Gathered:
    """The word forms of the passages a segment writer is given, by language."""

    def __init__(self) -> None:
        self._forms: dict[str, set[str]] = {}
        self._known: Forms = {}

    def add(self, language: object, spellings: object) -> None:
        """A passage's language and its spelling field (its words, lower-cased, ё as е)."""
        wanted = isinstance(language, str) and language in lemmas.DICTIONARIES
        if wanted and isinstance(spellings, list):
            self._forms.setdefault(str(language), set()).update(spellings)

    def add_known(self, forms: Forms | None) -> None:
        """The forms of a segment merged into this one."""
        for language, table in (forms or {}).items():
            self._known.setdefault(language, {}).update(table)

    def table(self) -> Forms:
        """Each form with its term (a stopword left out): looked up in this process's
        analysis, which has just analysed them."""
        out: Forms = {language: dict(table) for language, table in self._known.items()}
        for language, forms in self._forms.items():
            stops, stem = analysis.stopwords(language), analysis.stem_of(language)
            mine = out.setdefault(language, {})
            mine.update((f, stem(f)) for f in forms - stops - mine.keys() if f.isalpha())
        return out

    def write(self, file: Any) -> None:
        try:
            file.write(zlib.compress(pickle.dumps((VERSION, digest(), self.table()), 5), 1))
        finally:
            file.close()


def read(reader: Any) -> Forms | None:
    """The forms kept in a segment reader's segment; None where there are none, or none
    this code can use."""
    segment = reader.segment()
    if segment is None:
        return None
    name = segment.make_filename(EXTENSION)
    storage = reader.storage()
    try:
        if not storage.file_exists(name):
            return None
        file = storage.open_file(name)
        try:
            version, made_by, forms = pickle.loads(zlib.decompress(file.read()))
        finally:
            file.close()
    except Exception:  # cut short, another layout: the words are looked up as before
        return None
    return forms if (version, made_by) == (VERSION, digest()) else None


_learnt: set[str] = set()
"""The segments whose forms this process has learnt."""


def learn(reader: Any) -> None:
    """Let this process's analysis know the forms kept in an index reader's segments,
    those it has not learnt yet."""
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None or segment.segment_id() in _learnt:
            continue
        if not analysis.can_learn():  # (a large vocabulary: the rest as they are met)
            return
        _learnt.add(segment.segment_id())
        for language, table in (read(leaf) or {}).items():
            analysis.learn(language, table)
