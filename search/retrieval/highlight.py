"""Mark the words of a passage that a query matched, and cut a snippet around them."""

from __future__ import annotations

import functools
import itertools
import re
from bisect import bisect_left
from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from search.models import Segment
from search.retrieval.array_sets import runs
from search.text import analysis, initials
from search.text.analysis import FOLDED_FIELD, field_for_language

SNIPPET_WORDS = 40
COMPOUND_PARTS = "text_sv_parts"
MIN_PART = 5
"""Letters a compound's part needs before a word holding it is marked: shorter ones hide
inside unrelated words (`bygg` in `förebygga`)."""


Tokens = list[tuple[str, int, int]]
T = TypeVar("T")


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
        self.folded_initials = frozenset(
            {t[:1] for t in self.folded} | initials.other_folded_initials(self.folded)
        )
        self.parts = {t for f, t in terms if f == COMPOUND_PARTS and len(t) >= MIN_PART}
        self._by_language: dict[str, _Language] = {}

    def spans(self, text: str, language: str, toks: Tokens | None = None) -> list[tuple[int, int]]:
        """Character spans of the text's marked tokens (`toks`: its tokens, if known)."""
        if not self.terms:
            return []
        own = self._language(language)
        if toks is not None:
            return own.every_token(toks)
        return own.spans_in(_Texts([text]))[0]

    def spans_in(self, texts: _Texts, language: str) -> list[list[tuple[int, int]]]:
        """`spans` of each of the texts, all in this language."""
        if not self.terms:
            return [[] for _ in texts.texts]
        return self._language(language).spans_in(texts)

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
        # (and the letters of the words a term stands for that it does not begin with)
        self.own_initials = frozenset(
            {t[:1] for t in self.own} | initials.other_initials(self.key, self.own)
        )
        self.terms = analysis.token_terms(self.key)
        self.folded_initials = marker.folded_initials
        self.which = _Memo(self._which)
        """A word's first character → whether a term of the word's own field, and whether
        a folded term, can begin with it."""
        self.opens = _Memo(lambda first: any(self.which[first]))
        """A word's first character → whether a term can begin with it."""
        self.seen = _Memo(self._marks)
        """word → whether it is marked, for the words that could be."""

    def marks(self, word: str) -> bool:
        return self.seen[word]

    def every_token(self, toks: Tokens) -> list[tuple[int, int]]:
        """The spans of the tokens marked, each token looked at."""
        marked = self.marked({t for t, _, _ in toks})
        return [(s, e) for t, s, e in toks if t in marked] if marked else []

    def spans_in(self, texts: _Texts) -> list[list[tuple[int, int]]]:
        """The spans marked in each text of this language: the words that could be marked
        found in all the texts at once, by code point (`_opening_words`); the patterns
        (`openings`) look at a text where a word may begin after a digit or the text has
        characters beyond the tables; every token where no pattern can be sure."""
        table = self.opening_table
        if table is None:
            return [self.every_token(analysis.tokens(text)) for text in texts.texts]
        starts, ends, odd = _opening_words(texts, table)
        out: list[list[tuple[int, int]]] = [[] for _ in texts.texts]
        words = map(texts.joined.__getitem__, map(slice, starts.tolist(), ends.tolist()))
        marked = np.fromiter(map(self.seen.__getitem__, words), dtype=bool, count=len(starts))
        starts, ends = starts[marked], ends[marked]
        owners = texts.holding(starts)
        base = texts.bases[owners]
        redo = set(texts.holding(odd).tolist())
        places = zip(owners.tolist(), (starts - base).tolist(), (ends - base).tolist(), strict=True)
        for k, s, e in places:
            if k not in redo:
                out[k].append((s, e))
        for k in redo:
            out[k] = self.by_patterns(texts.texts[k])
        return out

    def by_patterns(self, text: str) -> list[tuple[int, int]]:
        """The spans marked in a text, its words found by the opening patterns."""
        openings = self.openings
        assert openings is not None
        seen = self.seen
        found = [
            m.span()
            for p in openings
            for m in p.finditer(text)
            if seen[m.group()] and (m.lastgroup is None or _after_number(text, m))
        ]
        return sorted(set(found)) if len(openings) > 1 else found

    @functools.cached_property
    def reads_every_token(self) -> bool:
        """Whether every token has to be looked at: a compound's part may be inside any
        word, and a term beginning with a digit is a number, which the tokenizer reads by
        its own rules (`_in_tables`)."""
        return bool(self.parts) or not _in_tables(self.own_initials | self.folded_initials)

    @functools.cached_property
    def opening_table(self) -> NDArray[np.bool_] | None:
        """By code point: whether a word beginning with it could be marked (the characters
        of `openings`); None where every token has to be looked at."""
        if self.reads_every_token:
            return None
        return _opening_table(self.own_initials, self.folded_initials)

    def marked(self, words: set[str]) -> set[str]:
        if not self.parts:  # a word can be marked only if a term can begin as it does
            opens = self.opens
            words = {w for w in words if opens[w[:1]]}
        seen = self.seen
        return {w for w in words if seen[w]}

    @functools.cached_property
    def openings(self) -> tuple[re.Pattern[str], ...] | None:
        """Patterns finding the tokens of a text that begin with a character a term can
        begin with, as the tokenizer finds them (`_opening_pattern`): splitting a whole
        passage into tokens in Python was two thirds of a snippet's time. None where every
        token has to be looked at (`reads_every_token`)."""
        if self.reads_every_token:
            return None
        groups = _opening_groups(self.own_initials, self.folded_initials)
        return tuple(_opening_pattern(chars) for chars in groups)

    def _which(self, first: str) -> tuple[bool, bool]:
        initial = first.lower().replace("ё", "е")
        return initial in self.own_initials, analysis.fold(initial) in self.folded_initials

    def _marks(self, word: str) -> bool:
        own, folded = self.which[word[:1]]
        if own or folded:
            term, folded_term, _ = self.terms[word]
            if (own and term in self.own) or (folded and folded_term in self.folded):
                return True
        return bool(self.parts and _holds_part(word.lower(), self.parts))


class _Memo(dict[str, T]):
    """A word (or character) → what a function says of it, found the first time it is
    asked for (a dictionary, looked up in C for each word of a passage)."""

    def __init__(self, find: Callable[[str], T]) -> None:
        super().__init__()
        self._find = find

    def __missing__(self, key: str) -> T:
        found = self[key] = self._find(key)
        return found


class _Texts:
    """Texts looked at together: joined by newlines (no word runs over one), as code points
    (`codes`), with where each begins and ends in the joined string (`bases`, `ends`)."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.joined = "\n".join(texts)
        self.codes = np.frombuffer(self.joined.encode("utf-32-le"), dtype=np.uint32)
        lengths = [len(t) for t in texts]
        begins = list(itertools.accumulate((n + 1 for n in lengths[:-1]), initial=0))[: len(texts)]
        self.bases = np.array(begins, dtype=np.intp)
        self.ends = np.array([b + n for b, n in zip(begins, lengths, strict=True)], dtype=np.intp)

    @functools.cached_property
    def classes(self) -> NDArray[np.uint8]:
        """Each character's classes (`WORD`, `DIGIT`, `SPACE`, `APOSTROPHE`): one look in
        one table (a character beyond it has none)."""
        found: NDArray[np.uint8] = _class_table().take(self.codes, mode="clip")
        return found

    def holding(self, places: NDArray[np.intp]) -> NDArray[np.intp]:
        """Which text each place of the joined string is in."""
        return self.bases.searchsorted(places, side="right") - 1


CODES = 0x10000
"""Code points the character table describes (the Basic Multilingual Plane)."""
WORD, DIGIT, SPACE, APOSTROPHE = 1, 2, 4, 8
"""A character's classes: a word character (the patterns' `\\w`: a letter, a digit or a
number, or `_`), a decimal digit (`\\d`), a space, an apostrophe (' or ’)."""


@functools.cache
def _class_table() -> NDArray[np.uint8]:
    """Each code point's classes (`WORD` …), the last (U+FFFF) none."""
    chars = list(map(chr, range(CODES)))
    table = np.fromiter(
        (
            (WORD if c.isalnum() or c == "_" else 0)
            | (DIGIT if c.isdecimal() else 0)
            | (SPACE if c.isspace() else 0)
            | (APOSTROPHE if c in "'’" else 0)
            for c in chars
        ),
        dtype=np.uint8,
        count=CODES,
    )
    table[-1] = 0
    return table


def _opening_words(
    texts: _Texts, opens: NDArray[np.bool_]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """Where each word the opening patterns would find begins and ends in the joined texts
    (`opens`: the characters they begin with, by code point); and the places only the
    patterns read right (`odd`): a character they begin with right after a digit (or a
    digit and an apostrophe), where the tokenizer's numbers decide (`_after_number`), and
    a character beyond the table.

    A word, as the tokenizer and the patterns read it, is a run of word characters and of
    apostrophes between two of them (`\\w*(?:['’]\\w+)*`); a pattern finds those that
    begin with one of its characters."""
    codes, classes = texts.codes, texts.classes
    n = len(codes)
    word = (classes & WORD).view(np.bool_)
    run = word.copy()
    apostrophes = (classes & APOSTROPHE).nonzero()[0]
    inner = apostrophes[(apostrophes > 0) & (apostrophes < n - 1)]
    run[inner[word[inner - 1] & word[inner + 1]]] = True
    starts, ends = runs(run)
    keep = opens.take(codes[starts])  # (a word's first character is in the table)
    after = (classes[:-1] & DIGIT).nonzero()[0] + 1
    quoted = after[(classes[after] & APOSTROPHE) != 0] + 1
    quoted = quoted[quoted < n]
    odd = [
        after[opens.take(codes[after], mode="clip")],
        quoted[opens.take(codes[quoted], mode="clip")],
    ]
    if n and int(codes.max()) >= CODES:
        odd.append((codes >= CODES).nonzero()[0])
    return starts[keep], ends[keep], np.concatenate(odd)


_SCRIPTS = (
    (0x0000, 0x058F),  # Latin, its extensions, IPA, Greek, Cyrillic, Armenian
    (0x1E00, 0x1FFF),  # Latin Extended Additional, Greek Extended
    (0x2100, 0x218F),  # letterlike symbols (the Kelvin and Ångström signs)
    (0xFB00, 0xFB4F),  # ligatures
    (0xFF00, 0xFFEF),  # full-width forms
)


@functools.cache
def _by_initial() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The characters of the scripts above by what a word beginning with them begins
    with, lower-cased (ё as е), and the same folded: what `_Language.which` compares."""
    lowered: dict[str, set[str]] = {}
    folded: dict[str, set[str]] = {}
    for low, high in _SCRIPTS:
        for ch in map(chr, range(low, high + 1)):
            initial = ch.lower().replace("ё", "е")
            lowered.setdefault(initial, set()).add(ch)
            folded.setdefault(analysis.fold(initial), set()).add(ch)
    return lowered, folded


@functools.lru_cache(maxsize=4096)
def _opening_groups(own: frozenset[str], folded: frozenset[str]) -> tuple[frozenset[str], ...]:
    """The characters of the scripts above a marked word can begin with, a group for each
    initial of the terms (`own`: of the language's field; `folded`; all `_in_tables`),
    leaving out a group inside another. Found once for each set of initials (a tenth of a
    millisecond)."""
    lowered, folds = _by_initial()
    groups = {
        _word_chars(chars)
        for chars in [*(lowered.get(i, set()) for i in own), *(folds.get(i, set()) for i in folded)]
    }
    return tuple(g for g in groups if g and not any(g < other for other in groups))


def _in_tables(initials: frozenset[str]) -> bool:
    """Whether every initial is one of the scripts' above (not a digit): where one is not
    (a term beginning with a digit or outside these scripts), only looking at every token
    is sure to find the words."""
    return not any(not i or i.isdigit() or ord(i[0]) > 0xFFEF for i in initials)


@functools.lru_cache(maxsize=64)
def _opening_table(own: frozenset[str], folded: frozenset[str]) -> NDArray[np.bool_]:
    """By code point: whether a word beginning with it can be marked, for terms with these
    initials (`own`: of the language's field; `folded`): the characters of their
    `_opening_groups`, from each initial's code points (`_initial_codes`; 64 KB, kept
    for the last 64 sets of initials)."""
    lowered, folds = _initial_codes()
    table = np.zeros(CODES, dtype=bool)
    for codes in [*(lowered.get(i) for i in own), *(folds.get(i) for i in folded)]:
        if codes is not None:
            table[codes] = True
    table.flags.writeable = False  # shared by every marker with these initials
    return table


@functools.cache
def _initial_codes() -> tuple[dict[str, NDArray[np.intp]], dict[str, NDArray[np.intp]]]:
    """`_by_initial`'s characters a word can begin with, as code points: a new query's
    table is a few assignments (finding its groups of characters took a tenth of a
    millisecond)."""

    def codes(by: dict[str, set[str]]) -> dict[str, NDArray[np.intp]]:
        return {
            i: np.array(sorted(map(ord, _word_chars(chars))), dtype=np.intp)
            for i, chars in by.items()
        }

    lowered, folded = _by_initial()
    return codes(lowered), codes(folded)


def _word_chars(chars: set[str]) -> frozenset[str]:
    """Those of the characters a word can begin with."""
    return frozenset(c for c in chars if c.isalnum() or c == "_")


@functools.lru_cache(maxsize=1024)
def _opening_pattern(chars: frozenset[str]) -> re.Pattern[str]:
    """The tokens beginning with one of these characters, as the tokenizer finds them: at
    such a character that is not inside a word, nor after a word's apostrophe. After a
    digit, or a digit's apostrophe (group `digit`), it begins a token only where a number
    the tokenizer reads ends there (`7,9kg`), not inside a word (`5kg`): `_after_number`
    looks. Compiled once for each group (a fifth of a millisecond: the Unicode character
    set), not once for each query."""
    first = "".join(map(re.escape, sorted(chars)))
    # the character first: a lookbehind tried at every character cost as much as the split
    begins = r"(?<!\w\w)(?<!\w['’]\w)|(?:(?<=\d\w)|(?<=\d['’]\w))(?P<digit>)"
    return re.compile(rf"[{first}](?:{begins})\w*(?:['’]\w+)*")


LETTERS = "abcdefghijklmnopqrstuvwxyzåäöāčēģīķļņšūžабвгдежзийклмнопрстуфхцчшщъыьэюя"
"""The letters of the four languages' alphabets."""


def prepare() -> None:
    """Class every character (`_class_table`, about 15 ms), find the code points words
    can begin with by initial (`_initial_codes`, 6 ms), and compile the patterns of words
    beginning with each letter of the alphabets, as they are asked for with a term's own
    initial and with its folded one (together about 20 ms): otherwise the first search
    waits for the tables, and a text the patterns read for each new letter."""
    _class_table()
    _initial_codes()
    lowered, folds = _by_initial()
    for letter in LETTERS:
        for chars in (lowered[letter], folds[analysis.fold(letter)]):
            _opening_pattern(_word_chars(chars))


def _after_number(text: str, found: re.Match[str]) -> bool:
    """Whether a word found right after a digit is a token of its own: a number the
    tokenizer reads ends there."""
    return analysis.tokens(text[: found.end()])[-1][1] == found.start()


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
    add = out.append
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        if s > pos:
            add(Segment(text[pos:s]))
            add(Segment(text[s:e], True))
        else:
            add(Segment(text[pos:e], True))
        pos = e
    if pos < end:
        add(Segment(text[pos:end]))
    return out


def snippet(
    text: str, language: str, marker: Marker, words: int = SNIPPET_WORDS
) -> tuple[Segment, ...]:
    """A window of `words` words (runs of characters between spaces) holding the most
    marked words, with ellipses where cut: the whole text when it has no more words."""
    return snippets([(text, language)], marker, words)[0]


def snippets(
    texts: Sequence[tuple[str, str]], marker: Marker, words: int = SNIPPET_WORDS
) -> list[tuple[Segment, ...]]:
    """The `snippet` of each (text, language): the texts of a language looked at together,
    as one string of code points (a page of hits is one look, not twenty)."""
    out: list[tuple[Segment, ...]] = [() for _ in texts]
    by_language: dict[str, list[int]] = {}
    for k, (_, language) in enumerate(texts):
        by_language.setdefault(language, []).append(k)
    for language, numbers in by_language.items():
        group = _Texts([texts[k][0] for k in numbers])
        spans = marker.spans_in(group, language)
        starts, ends = runs((group.classes & SPACE) == 0)  # words, in the joined texts
        firsts = starts.searchsorted(group.bases).tolist()
        counts = (starts.searchsorted(group.ends) - firsts).tolist()
        bases = group.bases.tolist()
        # the word each marked span begins in, counted from its text's first word
        begun = [s + bases[j] for j, marked in enumerate(spans) for s, _ in marked]
        words_at = (starts.searchsorted(begun, side="right") - 1).tolist()
        taken = 0
        for j, k in enumerate(numbers):
            text, marked, first, count = group.texts[j], spans[j], firsts[j], counts[j]
            at = [w - first for w in words_at[taken : taken + len(marked)]]
            taken += len(marked)
            if count <= words:
                out[k] = tuple(segments(text, marked))
                continue
            shown = first + _window(at, count, words)
            lo = int(starts[shown]) - bases[j] if shown > first else 0
            last = shown + words - 1
            hi = int(ends[last]) - bases[j] if last < first + count - 1 else len(text)
            cut = segments(text, marked, lo, hi)
            out[k] = (
                *((Segment("… "),) if lo > 0 else ()),
                *cut,
                *((Segment(" …"),) if hi < len(text) else ()),
            )
    return out


def _window(at: list[int], count: int, words: int) -> int:
    """The first word of the window of `words` words that holds the most of the words at
    `at` (ascending), among windows beginning at every fourth word: the first such.

    Only windows that a word of `at` has just come into can be the first to hold the
    most (the one before them held fewer), so those alone are counted."""
    final = (count - words) // 4 * 4
    best, held = 0, bisect_left(at, words)
    for word in at:
        begin = -(-max(0, word - words + 1) // 4) * 4  # the first window it is in
        if begin > final:
            break
        inside = bisect_left(at, begin + words) - bisect_left(at, begin)
        if inside > held:
            best, held = begin, inside
    return best
