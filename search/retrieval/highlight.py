"""Mark the words of a passage that a query matched, and cut a snippet around them."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Collection

from search.models import Segment
from search.text import analysis
from search.text.analysis import FOLDED_FIELD, field_for_language

SNIPPET_WORDS = 40
COMPOUND_PARTS = "text_sv_parts"
MIN_PART = 5
"""Letters a compound's part needs before a word holding it is marked: shorter ones hide
inside unrelated words (`bygg` in `förebygga`)."""


Tokens = list[tuple[str, int, int]]


def match_spans(
    text: str,
    language: str,
    terms: Collection[tuple[str, str]],
    toks: Tokens | None = None,
) -> list[tuple[int, int]]:
    """Character spans of the tokens whose analysed form is one of the query's terms
    (`toks`: the text's tokens, when the caller has them already)."""
    return Marker(terms).spans(text, language, toks)


class Marker:
    """A query's terms, marking the words of passages that they match. Each distinct word
    of a language is analysed once (a page of hits repeats most of its words), and only when
    it begins with a letter one of the terms begins with: a term is a stem of the word's
    dictionary form."""

    def __init__(self, terms: Collection[tuple[str, str]]) -> None:
        self.terms = terms
        self.folded = {t for f, t in terms if f == FOLDED_FIELD}
        self.folded_initials = {t[:1] for t in self.folded}
        self.parts = {t for f, t in terms if f == COMPOUND_PARTS and len(t) >= MIN_PART}
        self._by_language: dict[str, _Language] = {}

    def spans(self, text: str, language: str, toks: Tokens | None = None) -> list[tuple[int, int]]:
        """Character spans of the text's marked tokens (`toks`: its tokens, if known)."""
        if not self.terms:
            return []
        toks = analysis.tokens(text) if toks is None else toks
        marked = self.marked({t for t, _, _ in toks}, language)
        return [(s, e) for t, s, e in toks if t in marked] if marked else []

    def marks(self, token: str, language: str) -> bool:
        """Whether one token of a text in this language is marked."""
        return self._language(language).marks(token)

    def marked(self, words: set[str], language: str) -> set[str]:
        """The words of a text in this language that are marked."""
        return self._language(language).marked(words)

    def _language(self, language: str) -> _Language:
        known = self._by_language.get(language)
        if known is None:
            known = self._by_language[language] = _Language(self, language)
        return known


class _Language:
    """A marker's words of one language: which are marked, found once each."""

    def __init__(self, marker: Marker, language: str) -> None:
        field = field_for_language(language)
        self.key = language if field != analysis.OTHER_FIELD else "other"
        self.own = {t for f, t in marker.terms if f == field}
        self.folded = marker.folded
        self.parts = marker.parts if language == "sv" else set()
        self.opens = _Opens({t[:1] for t in self.own}, marker.folded_initials)
        self.seen: dict[str, bool] = {}
        """word → whether it is marked, for the words that could be."""

    def marks(self, word: str) -> bool:
        marked = self.seen.get(word)
        if marked is None:
            marked = self.seen[word] = self._marks(word)
        return marked

    def marked(self, words: set[str]) -> set[str]:
        if not self.parts:  # a word can be marked only if a term can begin as it does
            opens = self.opens
            words = {w for w in words if opens[w[:1]]}
        seen = self.seen
        for word in words.difference(seen):
            seen[word] = self._marks(word)
        return {w for w in words if seen[w]}

    def _marks(self, word: str) -> bool:
        own, folded = self.opens.which(word[:1])
        return bool(
            (own and analysis.analyze_token(self.key, word) in self.own)
            or (folded and analysis.folded_term(self.key, word) in self.folded)
            or (self.parts and _holds_part(word.lower(), self.parts))
        )


class _Opens(dict[str, bool]):
    """A word's first character → whether a term can begin with it (a dictionary, looked
    up in C for each word of a passage)."""

    def __init__(self, own_initials: set[str], folded_initials: set[str]) -> None:
        super().__init__()
        self.own_initials, self.folded_initials = own_initials, folded_initials

    def __missing__(self, first: str) -> bool:
        own, folded = self.which(first)
        self[first] = own or folded
        return own or folded

    def which(self, first: str) -> tuple[bool, bool]:
        """Whether a term of the word's own field, and whether a folded term, can begin
        with this character."""
        initial = first.lower().replace("ё", "е")
        return initial in self.own_initials, analysis.fold(initial) in self.folded_initials


def _holds_part(word: str, parts: set[str]) -> bool:
    """A Swedish compound ending in a query word (`produkter` in `epoxiprodukter`): the
    last part carries a compound's meaning. A first part is not looked for: `kommun` opens
    `kommunikation` too."""
    return any(p in word[MIN_PART - 1 :] for p in parts)


def segments(
    text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None
) -> list[Segment]:
    """The text between start and end split into plain and matched segments."""
    end = len(text) if end is None else end
    out: list[Segment] = []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        if s > pos:
            out.append(Segment(text[pos:s]))
        out.append(Segment(text[max(s, pos) : e], True))
        pos = e
    if pos < end:
        out.append(Segment(text[pos:end]))
    return out


def snippet(
    text: str, language: str, marker: Marker, words: int = SNIPPET_WORDS
) -> tuple[Segment, ...]:
    """A window of about `words` words holding the most marked words, with ellipses where
    cut. Counted in tokens, not characters: the text is split once, and only the words the
    window shows become spans."""
    split = analysis.pieces(text)
    toks = split[1::2]
    marked = marker.marked(set(toks), language) if marker.terms else set()
    at = [i for i, t in enumerate(toks) if t in marked] if marked else []
    ends = list(itertools.accumulate(map(len, split)))  # token i: ends[2i] to ends[2i + 1]
    first, last = _window(at, len(toks), words)
    lo = ends[2 * first] if first else 0
    hi = ends[2 * last + 1] if last < len(toks) - 1 else len(text)
    shown = [(ends[2 * i], ends[2 * i + 1]) for i in at[bisect_left(at, first) :] if i <= last]
    out = segments(text, shown, lo, hi)
    if lo > 0:
        out.insert(0, Segment("… "))
    if hi < len(text):
        out.append(Segment(" …"))
    return tuple(out)


def _window(at: list[int], count: int, words: int) -> tuple[int, int]:
    """The first and last token of the window of `words` tokens (tried every fourth token)
    that holds the most of the tokens at `at` (ascending); all of them if they are fewer."""
    if count <= words:
        return 0, count - 1
    best, best_count = 0, -1
    for i in range(0, count - words + 1, 4):
        held = bisect_left(at, i + words) - bisect_left(at, i)
        if held > best_count:
            best, best_count = i, held
    return best, best + words - 1
