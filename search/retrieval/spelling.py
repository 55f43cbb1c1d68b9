"""Words of the index near a misspelt one, for "did you mean".

Whoosh's `terms_within` walks every term of the field that begins with the word's first
letter, merged across the segments and read from disk a few bytes at a time, on each
call: at 100k passages about 12 ms a word, on every keystroke of a word that finds
nothing yet. Here each first letter's words are read once per index version, from each
segment's terms table in blocks rather than a term at a time, and kept by length; a
word's neighbours are then those of a near length within the edit distance.
The same words as Whoosh's, in the same order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from whoosh.support.levenshtein import distance

from search.retrieval import whoosh_layout

FIELD = "spelling"


class Spellings:
    """The spelling field's words of one opened index version, read a letter at a time."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._by_letter: dict[str, dict[int, list[str]]] = {}
        self._lock = threading.Lock()

    def _words(self, letter: str) -> dict[int, list[str]]:
        with self._lock:
            known = self._by_letter.get(letter)
        if known is None:
            known = {}
            for word in self._read(letter):
                text = word.decode("utf-8") if isinstance(word, bytes) else word
                known.setdefault(len(text), []).append(text)
            with self._lock:
                self._by_letter[letter] = known
        return known

    def _read(self, letter: str) -> Iterable[bytes]:
        """The field's words beginning with the letter, in order: each segment's read from
        its terms table in blocks (`whoosh_layout.terms_with_prefix`), else Whoosh's own
        merged reading."""
        prefix = letter.encode("utf-8")
        words: set[bytes] = set()
        for leaf, _ in self._reader.leaf_readers():
            found = whoosh_layout.terms_with_prefix(leaf, FIELD, prefix)
            if found is None:
                return list(self._reader.expand_prefix(FIELD, letter))
            words.update(found)
        return sorted(words)

    def within(self, word: str, edits: int) -> list[str]:
        """The field's words that begin as `word` does and are at most `edits` edits
        (Damerau-Levenshtein) from it, in the index's order (as `terms_within` with a
        prefix of one letter gives them)."""
        if not word:
            return []
        by_length = self._words(word[:1])
        near = [
            candidate
            for length in range(len(word) - edits, len(word) + edits + 1)
            for candidate in by_length.get(length, ())
            if distance(candidate, word, limit=edits) <= edits
        ]
        return sorted(near, key=lambda w: w.encode("utf-8"))
