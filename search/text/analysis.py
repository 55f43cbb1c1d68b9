"""Per-language Whoosh analyzers: which stemmer and stopwords each language field uses.

Language fields keep letters exact (å ≠ a, š ≠ s) and index each word as the stem of its
dictionary form. The folded field holds the same terms without diacritics (`pašvaldībām`
→ `pasvaldib`), so diacritic-free input (`pasvaldibam`, `foretagen`) finds every inflected
form, at lower weight. Russian and the folded field treat ё as е. Languages without their
own field (be, other) are only lowercased.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.lang.stopwords import stoplists

from search.text import latvian, lemmas
from search.text.numbers import NUMBER_PATTERN, number_term

TOKEN_PATTERN = rf"(?:{NUMBER_PATTERN})|\w+(?:['’]\w+)*"

LANGUAGE_FIELDS = {"sv": "text_sv", "lv": "text_lv", "ru": "text_ru", "en": "text_en"}
OTHER_FIELD = "text_other"
FOLDED_FIELD = "text_folded"


@functools.lru_cache(maxsize=100_000)
def fold(text: str) -> str:
    """Lowercase, diacritics removed, ё → е: what a user without the keyboard types."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ё", "е"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def lower(token: str) -> str:
    """A token lower-cased, and a number written as the index holds it (`number_term`)."""
    return number_term(token.lower())


class NumberFilter(Filter):  # type: ignore[misc]
    """`number_term` in a Whoosh chain."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for t in tokens:
            t.text = number_term(t.text)
            yield t


class YoFilter(Filter):  # type: ignore[misc]
    """Russian ё and е are one letter for search purposes."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for t in tokens:
            t.text = t.text.replace("ё", "е")
            yield t


class FoldFilter(Filter):  # type: ignore[misc]
    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


class StemmingFilter(Filter):  # type: ignore[misc]
    """Stems with PyStemmer's Snowball or the project's Latvian stemmer.

    The stemmer itself is built lazily and never pickled: Whoosh pickles the schema.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self._stem: Callable[[str], str] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"language": self.language}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.language = state["language"]
        self._stem = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StemmingFilter) and other.language == self.language

    def __hash__(self) -> int:
        return hash(("stem", self.language))

    def stemmer(self) -> Callable[[str], str]:
        if self._stem is None:
            self._stem = stem_function(self.language)
        return self._stem

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        stem = self.stemmer()
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


_SNOWBALL_NAMES = {"sv": "swedish", "ru": "russian", "en": "english"}


def stem_function(language: str) -> Callable[[str], str]:
    """What a language field indexes a lowercase word as: the stem of its dictionary form
    where Hunspell's dictionary knows the word (lv, sv, ru; see `lemmas`), else its own
    stem; identity for languages without a stemmer. Cached per word (`stem_of`)."""
    if language in lemmas.DICTIONARIES:
        return stem_of(language)
    if language in _SNOWBALL_NAMES:
        return _snowball(language)
    return lambda word: word


CACHED_STEMS = 200_000
"""Words a language's cache of terms holds at most (`_Stems`)."""


class _Stems(dict[str, str]):
    """A language's word → term, found the first time a word is asked for (a dictionary:
    a word met again is looked up in C), or learnt from an index (`learn`)."""

    def __init__(self, stem: Callable[[str], str]) -> None:
        super().__init__()
        self._stem = stem

    def __missing__(self, word: str) -> str:
        if len(self) >= CACHED_STEMS:
            self.clear()
        term = self[word] = self._stem(word)
        return term


@functools.cache
def _stems(language: str) -> _Stems:
    if language == "lv":
        return _Stems(latvian.index_term)
    stem = _snowball(language)
    return _Stems(lambda word: stem(lemmas.lemma(language, word) or word))


def stem_of(language: str) -> Callable[[str], str]:
    """The term a word of a language with a dictionary (lv, sv, ru) is indexed as, cached."""
    return _stems(language).__getitem__


def learn(language: str, terms: dict[str, str]) -> None:
    """Words whose terms are known already (`word_forms`: as an index's segments were
    written), as many as the cache has room for."""
    if language not in lemmas.DICTIONARIES:
        return
    cache = _stems(language)
    room = CACHED_STEMS - len(cache)
    if len(terms) <= room:
        cache.update(terms)
    elif room > 0:
        cache.update(itertools.islice(terms.items(), room))


def known_term(language: str, word: str) -> str | None:
    """The term a word of a language with a dictionary is indexed as, where this process
    knows it already (analysed or learnt); None, and nothing analysed, where it does not."""
    return _stems(language).get(word)


def can_learn() -> bool:
    """Whether a language's cache has room for words learnt (`learn`)."""
    return any(len(_stems(language)) < CACHED_STEMS for language in lemmas.DICTIONARIES)


@functools.lru_cache(maxsize=8)
def stopwords(language: str) -> frozenset[str]:
    if language == "lv":
        return latvian.STOPWORDS
    if language == "ru":
        return frozenset(w.replace("ё", "е") for w in stoplists["ru"])
    return frozenset(stoplists.get(language, ()))


def language_analyzer(language: str) -> Any:
    chain = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | NumberFilter()
    if language == "ru":
        chain = chain | YoFilter()
    return chain | StopFilter(stoplist=stopwords(language), minsize=1) | StemmingFilter(language)


def plain_analyzer() -> Any:
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | NumberFilter() | YoFilter()


def folded_analyzer() -> Any:
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | NumberFilter() | FoldFilter()


def folded_terms_analyzer() -> Any:
    """The folded field's: its text is made of folded terms already (`folded_text`)."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()


def field_for_language(language: str) -> str:
    return LANGUAGE_FIELDS.get(language, OTHER_FIELD)


_TOKEN_RE = re.compile(TOKEN_PATTERN)
_SPLIT_RE = re.compile(f"({TOKEN_PATTERN})")


def pieces(text: str) -> list[str]:
    """The text split at its tokens as the analyzers' tokenizer sees them: the gaps between
    them and the tokens, alternating, a gap (perhaps empty) first and last. Token i is
    piece 2i + 1; the sums of the pieces' lengths are where each begins and ends."""
    return _SPLIT_RE.split(text)


def token_texts(text: str) -> list[str]:
    """The text's tokens as the analyzers' tokenizer sees them, without their places."""
    return _TOKEN_RE.findall(text)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) as the analyzers' tokenizer sees them (`pieces`, all of it in C:
    a sixth faster than finding each token after the last, and twice as fast as
    `finditer`)."""
    split = pieces(text)
    ends = list(itertools.accumulate(map(len, split)))
    return list(zip(split[1::2], ends[0:-1:2], ends[1::2], strict=True))


@functools.lru_cache(maxsize=200_000)
def analyze_token(language: str, token: str) -> str | None:
    """One token through a language field's chain; None for a stopword.

    Mirrors `language_analyzer` exactly, without Whoosh's per-call overhead, for query
    building and highlighting.
    """
    word = lower(token)
    if language == "ru":
        word = word.replace("ё", "е")
    if language in LANGUAGE_FIELDS:
        if word in stopwords(language):
            return None
        return stem_function(language)(word)
    if language == "folded":
        return fold(word)
    return word.replace("ё", "е")


@functools.lru_cache(maxsize=200_000)
def folded_term(language: str, token: str) -> str:
    """A token of a text in `language` as the folded field indexes it: its language field's
    term without diacritics (a stopword, or a language without a field: the word folded)."""
    return _folded(
        analyze_token(language if language in LANGUAGE_FIELDS else "other", token), token
    )


def _folded(analysed: str | None, token: str) -> str:
    """The folded field's term of a token its language field analysed as `analysed` (None:
    a stopword): that term without diacritics, or the token folded where the term is none
    or is not one token."""
    term = fold((analysed or token).replace(latvian.REFLEXIVE_MARK, ""))
    return term if _TOKEN_RE.fullmatch(term) else fold(token)


def folded_text(text: str, language: str) -> str:
    """The folded field's text of a passage: one folded term per token, in order, so that
    phrases match by position."""
    return " ".join(folded_term(language, token) for token, _, _ in tokens(text))


def field_terms(text: str, language: str) -> dict[str, list[str]]:
    """A passage's text analysed once for each word field: its language field, the folded
    field and the spelling field, each the list of terms (in position order) that field's
    Whoosh analyzer makes of `text`. Whoosh indexes a list as analysed already, so the
    indexer tokenises a passage once instead of once a field (a third of the writing time),
    and looks each token's three terms up at once (`_Tokens`).
    """
    field = field_for_language(language)
    found = token_texts(text)
    if not found:
        return {field: [], FOLDED_FIELD: [], "spelling": []}
    analysed = _tokens(language)
    terms, folded, spellings = zip(*[analysed[token] for token in found], strict=True)
    # the folded field's analyzer tokenises the folded terms joined by spaces (`folded_text`)
    joined = " ".join(folded)
    pieces = _TOKEN_RE.findall(joined)
    if joined != joined.lower():
        pieces = [piece.lower() for piece in pieces]
    return {
        field: [term for term in terms if term is not None],
        FOLDED_FIELD: pieces,
        "spelling": list(spellings),
    }


CACHED_TOKENS = 20_000
"""Tokens a language's cache of their field terms holds at most (`_Tokens`)."""


class _Tokens(dict[str, tuple[str | None, str, str]]):
    """A token of a text in one language → its terms in the word fields: the language
    field's (None for a stopword), the folded field's text and the spelling field's; found
    the first time a token is met, as `analyze_token` and `folded_term` find them (the
    folded term from the field's term, not analysed a second time)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self._field = language in LANGUAGE_FIELDS
        self._stops = stopwords(language) if self._field else frozenset()

    def __missing__(self, token: str) -> tuple[str | None, str, str]:
        if len(self) >= CACHED_TOKENS:
            self.clear()
        word = lower(token)
        spelling = word.replace("ё", "е")
        term: str | None = spelling
        if self._field:
            form = spelling if self.language == "ru" else word
            term = None if form in self._stops else stem_function(self.language)(form)
        terms = self[token] = (term, _folded(term, token), spelling)
        return terms


@functools.cache
def _tokens(language: str) -> _Tokens:
    return _Tokens(language)


def token_terms(language: str) -> Mapping[str, tuple[str | None, str, str]]:
    """A language's tokens → (language field's term or None for a stopword, folded term,
    spelling), each found once (`_Tokens`): looked up for every word of a text, as the
    indexer and the marker of hits do. `language`: a language with a field, or "other"."""
    return _tokens(language)


def folded_terms(token: str) -> list[str]:
    """The folded terms a query word may stand for, whatever the language of the text.

    A word typed without its diacritics may be another word to the dictionary (`lacis` is
    a form of `lakt`, while the user meant `lācis`), so each language's plain stem of it is
    a candidate too."""
    candidates = [folded_term(lang, token) for lang in (*LANGUAGE_FIELDS, "other")]
    for lang in LANGUAGE_FIELDS:
        plain = plain_term(lang, token)
        if plain and _TOKEN_RE.fullmatch(plain):
            candidates.append(fold(plain))
    return list(dict.fromkeys(candidates))


@functools.lru_cache(maxsize=100_000)
def plain_term(language: str, token: str) -> str | None:
    """A token as its language's stemmer alone would index it (no dictionary; None for a
    stopword): for place names and spelling aids, where reading the dictionaries would cost
    more than names gain from them, and the benchmark's stemmer-alone baseline."""
    word = lower(token).replace("ё", "е")
    if language not in LANGUAGE_FIELDS:
        return word
    if word in stopwords(language):
        return None
    return latvian.stem(word) if language == "lv" else _snowball(language)(word)


@functools.lru_cache(maxsize=4)
def _snowball(language: str) -> Callable[[str], str]:
    import Stemmer

    return Stemmer.Stemmer(_SNOWBALL_NAMES[language]).stemWord  # type: ignore[no-any-return]
