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

An update that writes Swedish passages looks for compounds in their long words, asking
the dictionary for the stem of each part of each word (`compounds.split`): for a hundred
documents about 2,000 parts, mostly no words at all, 35 µs each. The parts the writer's
analysis has asked for are kept too, in a file of their own (`PARTS`), which only such an
update reads (`learn_parts`).

It is only a copy of what the analysis would say: a file written by other analysis code
or with other dictionaries (`digest`) is not used, nor one that cannot be read, and a word
not in it is looked up in the dictionary as before.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import pickle
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

from search.text import analysis, compounds, initials, latvian, lemmas, numbers

EXTENSION = ".frm"
PARTS = ".prt"
VERSION = 1
COMPOUNDS = "sv"
"""The language whose compounds are split (`compounds`)."""

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
        self._known_parts: dict[str, str] = {}

    def add(self, language: object, spellings: object) -> None:
        """A passage's language and its spelling field (its words, lower-cased, ё as е)."""
        wanted = isinstance(language, str) and language in lemmas.DICTIONARIES
        if wanted and isinstance(spellings, list):
            self._forms.setdefault(str(language), set()).update(spellings)

    def add_known(self, forms: Forms | None, parts: Forms | None = None) -> None:
        """The forms, and the compounds' parts, of a segment merged into this one."""
        for language, table in (forms or {}).items():
            self._known.setdefault(language, {}).update(table)
        self._known_parts.update((parts or {}).get(COMPOUNDS, {}))

    def table(self) -> Forms:
        """Each form with its term (a stopword left out): looked up in this process's
        analysis, which has just analysed them."""
        out: Forms = {language: dict(table) for language, table in self._known.items()}
        for language, forms in self._forms.items():
            stops, stem = analysis.stopwords(language), analysis.stem_of(language)
            mine = out.setdefault(language, {})
            mine.update((f, stem(f)) for f in forms - stops - mine.keys() if f.isalpha())
        return out

    def parts(self) -> Forms:
        """The parts of the segment's Swedish compounds with their stems, where this
        process's analysis has asked for them (splitting the segment's passages): none is
        asked for here."""
        out = dict(self._known_parts)
        for form in self._forms.get(COMPOUNDS, ()):
            for part in compounds.parts_tried(form):
                if part not in out:
                    term = analysis.known_term(COMPOUNDS, part)
                    if term is not None:
                        out[part] = term
        return {COMPOUNDS: out}

    def write(self, forms: Any, parts: Any) -> None:
        """The forms and the compounds' parts, each to its file."""
        _write(forms, self.table())
        _write(parts, self.parts())


def _write(file: Any, table: Forms) -> None:
    try:
        file.write(zlib.compress(pickle.dumps((VERSION, digest(), table), 5), 1))
    finally:
        file.close()


def read(reader: Any, extension: str = EXTENSION) -> Forms | None:
    """The forms (or the compounds' parts: `PARTS`) kept in a segment reader's segment;
    None where there are none, or none this code can use."""
    kept = _kept(reader, extension)
    return kept[0] if kept is not None and kept[1] else None


def _kept(reader: Any, extension: str) -> tuple[Forms, bool] | None:
    """The forms kept in a segment's file, and whether this code's analysis wrote them
    (`digest`); None where there is no file of this layout (`VERSION`)."""
    segment = reader.segment()
    if segment is None:
        return None
    name = segment.make_filename(extension)
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
    return (forms, made_by == digest()) if version == VERSION else None


_learnt: collections.defaultdict[str, set[str]] = collections.defaultdict(set)
"""File kind (`EXTENSION`, `PARTS`) → the segments whose file this process has learnt."""


def learn(reader: Any, extension: str = EXTENSION) -> None:
    """Let this process's analysis know the forms (or the compounds' parts: `PARTS`) kept
    in an index reader's segments, those it has not learnt yet."""
    learnt = _learnt[extension]
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None or segment.segment_id() in learnt:
            continue
        if not analysis.can_learn():  # (a large vocabulary: the rest as they are met)
            return
        learnt.add(segment.segment_id())
        forms, current = _kept(leaf, extension) or ({}, False)
        for language, table in forms.items():
            if current:
                analysis.learn(language, table)
            if extension == EXTENSION:
                # the words whose term begins with another letter, even from a file that
                # other analysis code wrote: they only widen the words the marker looks
                # at, each of which it analyses itself
                initials.learn(language, table)


def learn_parts(reader: Any) -> None:
    """`learn` the compounds' parts: what an update of Swedish passages asks for."""
    learn(reader, PARTS)
