"""The query syntax tree → a Whoosh query over every language field and the folded field.

Each word is analysed by every language field's analyzer (so `företagen`, `uzņēmumiem`
and `предприятиям` are stemmed as their languages want), ORed together with the folded,
unstemmed field at a lower weight (so `pasvaldiba` finds `pašvaldība`) and the title.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import query as wq

from search import analysis
from search.analysis import FOLDED_FIELD, LANGUAGE_FIELDS, OTHER_FIELD
from search.query import AnyOf, FieldFilter, Node, Not, Phrase, Word, words_of

FOLDED_BOOST = 0.3
TITLE_BOOST = 0.5
WORD_FIELDS: tuple[tuple[str, str], ...] = (*LANGUAGE_FIELDS.items(), ("other", OTHER_FIELD))

Normaliser = Callable[[str, str], str]
"""(facet field, user value) → the value as stored in the index."""
Frequency = Callable[[str, str], int]
"""(field, term) → how many passages hold it."""


def is_stopword(token: str) -> bool:
    return any(analysis.analyze_token(lang, token) is None for lang in LANGUAGE_FIELDS)


def _term_alternatives(token: str, frequency: Frequency | None = None) -> list[Any]:
    alts: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for lang, field in WORD_FIELDS:
        analysed = analysis.analyze_token(lang, token)
        if analysed and (field, analysed) not in seen:
            seen.add((field, analysed))
            alts.append(wq.Term(field, analysed))
    folded = analysis.fold(token)
    # The folded field only adds something when the index holds spellings of this word
    # with other diacritics than the user typed; otherwise it would score every match twice.
    exact = token.lower().replace("ё", "е")
    if frequency is None or frequency(FOLDED_FIELD, folded) > frequency("spelling", exact):
        alts.append(wq.Term(FOLDED_FIELD, folded, boost=FOLDED_BOOST))
    return alts


def _phrase(words: list[str]) -> Any:
    toks = [t for w in words for t, _, _ in analysis.tokens(w)]
    if not toks:
        return None
    if len(toks) == 1:
        return wq.Or(_term_alternatives(toks[0]))
    alts: list[Any] = [
        wq.Phrase(FOLDED_FIELD, [analysis.fold(t) for t in toks], boost=FOLDED_BOOST * 2)
    ]
    for lang, field in WORD_FIELDS:
        analysed = [analysis.analyze_token(lang, t) for t in toks]
        kept = [a for a in analysed if a]
        if len(kept) >= 2:
            alts.append(wq.Phrase(field, kept, slop=1 + len(analysed) - len(kept)))
    return wq.Or(alts)


def _word(word: Word, keep_stopwords: bool, frequency: Frequency | None) -> Any:
    toks = [t for t, _, _ in analysis.tokens(word.text)]
    if not toks:
        return None
    if len(toks) > 1 and not (word.prefix or word.fuzzy):
        return _phrase(toks)
    token = toks[-1] if word.prefix else toks[0]
    if word.prefix:
        lower = token.lower()
        alts: list[Any] = [wq.Prefix(field, lower.replace("ё", "е")) for _, field in WORD_FIELDS]
        alts.append(wq.Prefix(FOLDED_FIELD, analysis.fold(lower), boost=FOLDED_BOOST))
        return wq.Or(alts)
    if word.fuzzy:
        alts = []
        for lang, field in WORD_FIELDS:
            analysed = analysis.analyze_token(lang, token)
            if analysed:
                alts.append(wq.FuzzyTerm(field, analysed, maxdist=word.fuzzy, prefixlength=1))
        alts.append(
            wq.FuzzyTerm(
                FOLDED_FIELD,
                analysis.fold(token),
                boost=FOLDED_BOOST,
                maxdist=word.fuzzy,
                prefixlength=1,
            )
        )
        return wq.Or(alts)
    if not keep_stopwords and is_stopword(token):
        return None
    return wq.Or(_term_alternatives(token, frequency))


def filter_query(node: FieldFilter, normalise: Normaliser) -> Any:
    if node.field == "year":
        return wq.NumericRange("year", node.low, node.high)
    return wq.Or([wq.Term(node.field, normalise(node.field, v)) for v in node.values])


def compile_query(
    node: Node | None,
    normalise: Normaliser,
    frequency: Frequency | None = None,
    keep_stopwords: bool = False,
) -> Any:
    """A Whoosh query for the tree; Every() for an empty query."""
    if node is None:
        return wq.Every()
    compiled = _compile(node, normalise, keep_stopwords, frequency)
    if compiled is None and not keep_stopwords:  # a query of stopwords only: search them anyway
        compiled = _compile(node, normalise, True, frequency)
    if compiled is None:
        return wq.NullQuery
    # A title match ranks a passage higher but never makes it match on its own, or every
    # passage of a document would match a word of its title.
    title_terms = [
        wq.Term("title", analysis.fold(t), boost=TITLE_BOOST)
        for w in words_of(node)
        for t, _, _ in analysis.tokens(w)
    ]
    return wq.AndMaybe(compiled, wq.Or(title_terms)) if title_terms else compiled


def _compile(node: Node, normalise: Normaliser, keep: bool, frequency: Frequency | None) -> Any:
    if isinstance(node, Word):
        return _word(node, keep, frequency)
    if isinstance(node, Phrase):
        return _phrase(list(node.words))
    if isinstance(node, FieldFilter):
        return filter_query(node, normalise)
    if isinstance(node, Not):
        inner = _compile(node.child, normalise, True, frequency)
        return wq.AndNot(wq.Every(), inner) if inner is not None else None
    if isinstance(node, AnyOf):
        parts = [
            q for c in node.children if (q := _compile(c, normalise, keep, frequency)) is not None
        ]
        return wq.Or(parts) if parts else None
    positives = [c for c in node.children if not isinstance(c, Not)]
    negatives = [c.child for c in node.children if isinstance(c, Not)]
    pos = [q for c in positives if (q := _compile(c, normalise, keep, frequency)) is not None]
    neg = [q for c in negatives if (q := _compile(c, normalise, True, frequency)) is not None]
    if not pos and not neg:
        return None
    base = wq.And(pos) if pos else wq.Every()
    return wq.AndNot(base, wq.Or(neg)) if neg else base
