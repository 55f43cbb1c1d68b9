"""Swedish compounds: `kommunsamarbete` is indexed with its parts `kommun` and `samarbete`,
so a search for a part finds the compound (ranked below the part on its own).

A word is split where both sides are known words: a shipped list of common compound
parts plus every word the index holds standalone. A linking `s` (arbets|marknad) is
allowed on the first part.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable
from importlib import resources

from search.text import analysis

MIN_LENGTH = 8
MIN_HEAD, MIN_TAIL = 3, 4


def _stem(word: str) -> str:
    """`analysis.analyze_token("sv", word) or word`, the stem looked up in the analysis's
    own cache of terms (`stem_of`), where the segment writer finds the parts' stems to keep
    (`word_forms.PARTS`)."""
    lowered = analysis.lower(word)
    if lowered in analysis.stopwords("sv"):
        return word
    return analysis.stem_of("sv")(lowered) or word


@functools.lru_cache(maxsize=1)
def shipped_parts() -> frozenset[str]:
    text = resources.files("search.data").joinpath("sv_words.txt").read_text(encoding="utf-8")
    words = (w for line in text.splitlines() if not line.startswith("#") for w in line.split())
    return frozenset(_stem(w) for w in words)


def known_stems(words: Iterable[str]) -> set[str]:
    """The dictionary: shipped parts plus the stems of the given standalone words."""
    distinct = {w.lower() for w in words if len(w) >= MIN_HEAD}  # (each stemmed once)
    return set(shipped_parts()) | set(map(_stem, distinct))


def tails(words: Iterable[str]) -> set[str]:
    """The stem of every last part `split` may look up for these words."""
    out: set[str] = set()
    for word in {w.lower() for w in words if len(w) >= MIN_LENGTH}:
        out.update(map(_stem, last_parts(word)))
    return out


def last_parts(word: str) -> list[str]:
    """Every last part `split` tries for a lower-case word, longest first."""
    if len(word) < MIN_LENGTH:
        return []
    return [word[i:] for i in range(MIN_HEAD, len(word) - MIN_TAIL + 1)]


def parts_tried(word: str) -> list[str]:
    """Every part whose stem `split` may ask for, first parts (with and without a linking
    `s`) and last, of a lower-case word."""
    firsts = [word[:i] for i in range(MIN_HEAD, len(word) - MIN_TAIL + 1)]
    linked = [h[:-1] for h in firsts if h.endswith("s") and len(h) > MIN_HEAD]
    return [*last_parts(word), *firsts, *linked] if len(word) >= MIN_LENGTH else []


def split(word: str, known: Container[str]) -> tuple[str, str] | None:
    """(head stem, tail stem) of a compound, longest tail first; None if it is not one."""
    w = word.lower()
    if len(w) < MIN_LENGTH:
        return None
    for i in range(MIN_HEAD, len(w) - MIN_TAIL + 1):
        head, tail = w[:i], w[i:]
        tail_stem = _stem(tail)
        if tail_stem not in known or tail_stem == _stem(w):
            continue
        for h in (head, head[:-1] if head.endswith("s") and len(head) > MIN_HEAD else ""):
            if h and _stem(h) in known:
                return _stem(h), tail_stem
    return None


class Splitter:
    """The compounds of Swedish texts split against one dictionary of known stems (`split`),
    each distinct word once: an update's passages repeat their words (a word's split took
    its tails' stems and the dictionary's answers each time, a sixth of a Swedish update)."""

    def __init__(self, known: Container[str]) -> None:
        self.known = known
        self._splits: dict[str, tuple[str, str] | None] = {}

    def parts_text(self, text: str) -> str:
        """The stems of the parts of every compound in the text, space-separated."""
        splits = self._splits
        found: list[str] = []
        for token in analysis.token_texts(text):
            if token in splits:
                parts = splits[token]
            else:
                parts = splits[token] = split(token, self.known)
            if parts:
                found.extend(parts)
        return " ".join(found)


def parts_text(text: str, known: Container[str] | Splitter) -> str:
    """The stems of the parts of every compound in a Swedish text, space-separated."""
    return (known if isinstance(known, Splitter) else Splitter(known)).parts_text(text)
