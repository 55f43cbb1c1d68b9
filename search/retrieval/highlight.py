"""Mark the words of a passage that a query matched, and cut a snippet around them."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection

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
    of a language is analysed once (a page of hits repeats most of its words)."""

    def __init__(self, terms: Collection[tuple[str, str]]) -> None:
        self.terms = terms
        self.folded = {t for f, t in terms if f == FOLDED_FIELD}
        # a word is analysed (a dictionary look-up the first time) only when it begins with
        # the letter a term begins with: a term is a stem of the word's dictionary form
        self.folded_initials = {t[:1] for t in self.folded}
        self.parts = {t for f, t in terms if f == COMPOUND_PARTS and len(t) >= MIN_PART}
        self._by_language: dict[str, tuple[dict[str, bool], Callable[[str], bool]]] = {}
        """language → (word → whether it is marked, the test of a word not met yet)."""

    def spans(self, text: str, language: str, toks: Tokens | None = None) -> list[tuple[int, int]]:
        """Character spans of the text's marked tokens (`toks`: its tokens, if known)."""
        if not self.terms:
            return []
        seen, marks = self._known(language)
        spans = []
        for token, start, end in analysis.tokens(text) if toks is None else toks:
            marked = seen.get(token)
            if marked is None:
                marked = seen[token] = marks(token)
            if marked:
                spans.append((start, end))
        return spans

    def marks(self, token: str, language: str) -> bool:
        """Whether one token of a text in this language is marked."""
        seen, marks = self._known(language)
        marked = seen.get(token)
        if marked is None:
            marked = seen[token] = marks(token)
        return marked

    def _known(self, language: str) -> tuple[dict[str, bool], Callable[[str], bool]]:
        known = self._by_language.get(language)
        if known is None:
            known = self._by_language[language] = ({}, self._marks_for(language))
        return known

    def _marks_for(self, language: str) -> Callable[[str], bool]:
        field = field_for_language(language)
        lang_key = language if field != analysis.OTHER_FIELD else "other"
        own = {t for f, t in self.terms if f == field}
        own_initials = {t[:1] for t in own}
        folded, folded_initials = self.folded, self.folded_initials
        parts = self.parts if language == "sv" else set()
        analyse, folded_term = analysis.analyze_token, analysis.folded_term

        opens: dict[str, tuple[bool, bool]] = {}
        """a word's first character → whether a term of its own field, and whether a folded
        term, can begin with it"""

        def marks(token: str) -> bool:
            first = token[:1]
            could = opens.get(first)
            if could is None:
                initial = first.lower().replace("ё", "е")
                could = opens[first] = (
                    initial in own_initials,
                    analysis.fold(initial) in folded_initials,
                )
            return bool(
                (could[0] and analyse(lang_key, token) in own)
                or (could[1] and folded_term(lang_key, token) in folded)
                or (parts and _holds_part(token.lower(), parts))
            )

        return marks


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
    text: str,
    spans: list[tuple[int, int]],
    words: int = SNIPPET_WORDS,
    toks: Tokens | None = None,
) -> tuple[Segment, ...]:
    """A window of about `words` words holding the most matches, with ellipses where cut."""
    toks = analysis.tokens(text) if toks is None else toks
    if len(toks) <= words:
        return tuple(segments(text, spans))
    starts = sorted(s for s, _ in spans)
    best, best_count = 0, -1
    for i in range(0, len(toks) - words + 1, 4):
        lo, hi = toks[i][1], toks[i + words - 1][2]
        count = bisect_left(starts, hi) - bisect_left(starts, lo)
        if count > best_count:
            best, best_count = i, count
    lo = toks[best][1] if best else 0
    last = best + words - 1
    hi = toks[last][2] if last < len(toks) - 1 else len(text)
    out = segments(text, spans, lo, hi)
    if lo > 0:
        out.insert(0, Segment("… "))
    if hi < len(text):
        out.append(Segment(" …"))
    return tuple(out)
