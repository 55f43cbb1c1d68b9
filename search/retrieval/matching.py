"""The query syntax tree → a Whoosh query over every language field and the folded field.

Each word is analysed by every language field's analyzer (so `företagen`, `uzņēmumiem`
and `предприятиям` are stemmed as their languages want), ORed together with the folded,
unstemmed field at a lower weight (so `pasvaldiba` finds `pašvaldība`) and the title.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import query as wq

from search.retrieval.query import AnyOf, FieldFilter, Node, Not, Phrase, Word, words_of
from search.text import analysis, transliteration
from search.text.analysis import FOLDED_FIELD, LANGUAGE_FIELDS, OTHER_FIELD
from search.text.glossary import Concept, analyzer_language, glossary
from search.text.places import gazetteer, spellings_of

FOLDED_BOOST = 0.3
OTHER_SCRIPT_BOOST = 0.3
TITLE_BOOST = 0.5
EXPANSION_BOOST = 0.4
"""Glossary expansions rank below the words the user typed."""
COMPOUND_BOOST = 0.4
"""A word found only as part of a Swedish compound ranks below the word itself."""
WORD_FIELDS: tuple[tuple[str, str], ...] = (*LANGUAGE_FIELDS.items(), ("other", OTHER_FIELD))

Normaliser = Callable[[str, str], str]
"""(facet field, user value) → the value as stored in the index."""
Frequency = Callable[[str, str], int]
"""(field, term) → how many passages hold it."""


def UNSTEMMED(field: str, term: str) -> int:
    """Pass as `frequency` to match exact word forms only (the benchmark's no-stemming baseline)."""
    return 0


def is_stopword(token: str) -> bool:
    word = token.lower().replace("ё", "е")
    return any(word in analysis.stopwords(lang) for lang in LANGUAGE_FIELDS)


def _term_alternatives(token: str, frequency: Frequency | None = None) -> list[Any]:
    if frequency is UNSTEMMED:
        return [wq.Term("spelling", analysis.lower(token).replace("ё", "е"))]
    alts: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for lang, field in WORD_FIELDS:
        analysed = analysis.analyze_token(lang, token)
        if analysed and (field, analysed) not in seen:
            seen.add((field, analysed))
            alts.append(wq.Term(field, analysed))
    sv_stem = analysis.analyze_token("sv", token)
    if sv_stem:
        alts.append(wq.Term("text_sv_parts", sv_stem, boost=COMPOUND_BOOST))
    # The folded field only adds something when it finds more passages than the language
    # fields do (forms with other diacritics than the user typed); otherwise it would score
    # every match twice.
    exact = max((frequency(a.fieldname, a.text) for a in alts), default=0) if frequency else 0
    for folded in analysis.folded_terms(token):
        if frequency is None or frequency(FOLDED_FIELD, folded) > exact:
            alts.append(wq.Term(FOLDED_FIELD, folded, boost=FOLDED_BOOST))
    # a word the index holds as typed is that word; only one it lacks may be a name typed
    # in the other script (Gomel for Гомель)
    return alts + (_other_script(token) if frequency is None or exact == 0 else [])


def _other_script(token: str) -> list[Any]:
    """The word as typed in the other script (`Gomel` → гомел, `Валмиера` → valmiera), in
    the fields of that script's languages, at a lower weight."""
    spelled = transliteration.other_script(token)
    if spelled is None:
        return []
    to_latin = spelled.isascii()
    langs = ("lv", "sv", "en") if to_latin else ("ru",)
    # a name, mostly: the stemmer alone (no dictionary is read for a spelling aid)
    alts = [
        wq.Term(LANGUAGE_FIELDS[lang], stem, boost=OTHER_SCRIPT_BOOST)
        for lang in langs
        if (stem := analysis.plain_term(lang, spelled))
    ]
    if not to_latin:
        alts.append(wq.Term(OTHER_FIELD, spelled, boost=OTHER_SCRIPT_BOOST))  # Belarusian
    return alts


def _phrase(words: list[str], within: int = 0) -> Any:
    """The words in order, side by side (`within`: up to that many other words between)."""
    toks = [t for w in words for t, _, _ in analysis.tokens(w)]
    if not toks:
        return None
    if len(toks) == 1:
        return wq.Or(_term_alternatives(toks[0]))
    folded = {
        tuple(analysis.folded_term(lang, t) for t in toks) for lang in (*LANGUAGE_FIELDS, "other")
    }
    alts: list[Any] = [
        wq.Phrase(FOLDED_FIELD, list(terms), slop=1 + within, boost=FOLDED_BOOST * 2)
        for terms in sorted(folded)
    ]
    for lang, field in WORD_FIELDS:
        analysed = [analysis.analyze_token(lang, t) for t in toks]
        kept = [a for a in analysed if a]
        if len(kept) >= 2:
            slop = 1 + within + len(analysed) - len(kept)
            alts.append(wq.Phrase(field, kept, slop=slop))
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
        alts += [
            wq.FuzzyTerm(
                FOLDED_FIELD, folded, boost=FOLDED_BOOST, maxdist=word.fuzzy, prefixlength=1
            )
            for folded in analysis.folded_terms(token)
        ]
        return wq.Or(alts)
    if not keep_stopwords and is_stopword(token):
        return None
    alts = _term_alternatives(token, frequency)
    places = gazetteer().lookup(token) if token[:1].isalpha() else ()
    for lang, spelling in spellings_of(places):
        # a place name reaches every spelling of the place: Riga → Rīgā, Риге
        words = [t for t, _, _ in analysis.tokens(spelling)]
        if len(words) == 1:
            alts += [a for a in (_alternative(lang, words, 1.0),) if a is not None]
            folded = analysis.folded_term(analyzer_language(lang), words[0])
            alts.append(wq.Term(FOLDED_FIELD, folded, boost=FOLDED_BOOST))
    return wq.Or(list(dict.fromkeys(alts)))


def _alternative(lang: str, words: list[str], boost: float) -> Any:
    """A term or phrase of one language, analysed by that language's field."""
    alang = analyzer_language(lang)
    field = analysis.field_for_language(alang)
    analysed = [analysis.analyze_token(alang, w) for w in words]
    kept = [a for a in analysed if a]
    if not kept:
        return None
    if len(kept) == 1:
        return wq.Term(field, kept[0], boost=boost)
    return wq.Phrase(field, kept, slop=1 + len(analysed) - len(kept), boost=boost)


def _concept_query(original: Any, concepts: tuple[Concept, ...]) -> Any:
    """The user's words, or any term of the concepts they name, in any language (lower)."""
    alts = [original]
    for concept in concepts:
        for lang, words in concept.terms:
            alt = _alternative(lang, list(words), EXPANSION_BOOST)
            if alt is not None:
                alts.append(alt)
    return wq.Or(list(dict.fromkeys(alts)))


def filter_query(node: FieldFilter, normalise: Normaliser) -> Any:
    if node.years:
        return wq.NumericRange(node.field, node.years.low, node.years.high)
    return wq.Or([wq.Term(node.field, normalise(node.field, v)) for v in node.values])


def compile_query(
    node: Node | None,
    normalise: Normaliser,
    frequency: Frequency | None = None,
    cross_lingual: bool = False,
    keep_stopwords: bool = False,
) -> Any:
    """A Whoosh query for the tree; Every() for an empty query."""
    if node is None:
        return wq.Every()
    ctx = _Context(normalise, frequency, cross_lingual)
    compiled = ctx.compile(node, keep_stopwords)
    if compiled is None and not keep_stopwords:  # a query of stopwords only: search them anyway
        compiled = ctx.compile(node, True)
    if compiled is None:
        return wq.NullQuery
    # A title match ranks a passage higher but never makes it match on its own, or every
    # passage of a document would match a word of its title.
    title_terms = [
        wq.Term("title", analysis.fold(analysis.lower(t)), boost=TITLE_BOOST)
        for w in words_of(node)
        for t, _, _ in analysis.tokens(w)
    ]
    return wq.AndMaybe(compiled, wq.Or(title_terms)) if title_terms else compiled


class _Context:
    def __init__(
        self, normalise: Normaliser, frequency: Frequency | None, cross_lingual: bool
    ) -> None:
        self.normalise, self.frequency, self.cross_lingual = normalise, frequency, cross_lingual

    def compile(self, node: Node, keep: bool) -> Any:
        if isinstance(node, Word):
            return self.sequence([node], keep)
        if isinstance(node, Phrase):
            return _phrase(list(node.words), node.within)
        if isinstance(node, FieldFilter):
            return filter_query(node, self.normalise)
        if isinstance(node, Not):
            inner = self.compile(node.child, True)
            return wq.AndNot(wq.Every(), inner) if inner is not None else None
        if isinstance(node, AnyOf):
            parts = [q for c in node.children if (q := self.compile(c, keep)) is not None]
            return wq.Or(parts) if parts else None
        positives: list[Node] = [c for c in node.children if not isinstance(c, Not)]
        negatives = [c.child for c in node.children if isinstance(c, Not)]
        pos = self.positives(positives, keep)
        neg = [q for c in negatives if (q := self.compile(c, True)) is not None]
        if not pos and not neg:
            return None
        base = wq.And(pos) if pos else wq.Every()
        return wq.AndNot(base, wq.Or(neg)) if neg else base

    def positives(self, children: list[Node], keep: bool) -> list[Any]:
        out: list[Any] = []
        i = 0
        while i < len(children):
            run: list[Word] = []
            while i + len(run) < len(children):
                c = children[i + len(run)]
                if not (isinstance(c, Word) and not c.prefix and not c.fuzzy):
                    break
                run.append(c)
            if run:
                out += self.sequence(run, keep, as_list=True)
                i += len(run)
                continue
            q = self.compile(children[i], keep)
            if q is not None:
                out.append(q)
            i += 1
        return out

    def sequence(self, words: list[Word], keep: bool, as_list: bool = False) -> Any:
        """Consecutive plain words: concepts of the glossary (when switched on), else words."""
        out: list[Any] = []
        i = 0
        while i < len(words):
            span, concepts = 0, tuple[Concept, ...]()
            if self.cross_lingual and not (words[i].prefix or words[i].fuzzy):
                span, concepts = glossary().match([w.text for w in words[i:]])
            if span:
                own = [
                    q
                    for w in words[i : i + span]
                    if (q := _word(w, True, self.frequency)) is not None
                ]
                original = own[0] if len(own) == 1 else wq.And(own)
                out.append(_concept_query(original, concepts))
                i += span
                continue
            q = _word(words[i], keep, self.frequency)
            if q is not None:
                out.append(q)
            i += 1
        if as_list:
            return out
        return out[0] if len(out) == 1 else (wq.And(out) if out else None)
