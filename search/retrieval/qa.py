"""Questions and answers: extractive, offline, explainable.

question → its content words (question words and stopwords out) and the country it names
→ the passages a keyword search ranks highest → their sentences → each sentence described
by a few features (`FEATURES`: how much of the question it holds and how close together,
whether it holds the kind of thing asked for, its passage's score…) and scored by their
weighted sum (`WEIGHTS`, fitted on development questions by bench/fit_answers.py) → the
best 1–3 sentences, from different documents where possible, each with its context and
citation. When the best sentence holds too little of the question, the answer says so and
shows the closest passages instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from search.errors import QuerySyntaxError
from search.models import Answer, AnswerResult, Hit, SearchRequest, Segment
from search.retrieval.answer_kinds import QUESTION_WORDS, answer_type, answering_phrase, kind
from search.retrieval.engine import Engine
from search.retrieval.highlight import COMPOUND_PARTS, Marker
from search.retrieval.query import check_text
from search.retrieval.together import idf
from search.text import analysis
from search.text.sentences import sentences

CANDIDATE_PASSAGES = 40
MAX_ANSWERS = 3
MIN_COVERAGE = 0.3
"""When neither the best sentence nor its passage holds this much of the question's
(IDF-weighted) words, nothing answers it: the closest passages are shown instead. Chosen
on the development questions (`python -m bench.fit_answers`): 0.6 % of answerable English
ones refused, none of the Latvian, Swedish or Russian, and 12 of the 15 questions no
document answers. Refusing on the sentence alone refused 1.9 % of the English and one
Swedish question in twelve (its answer is a name on a line of its own, under the words
of the question) for one more of the 15; a floor on the score as well refused more
answerable questions before it refused one more unanswerable. A sentence that holds
little of the question in a passage that holds enough is offered as unsure."""
SURE_COVERAGE = 0.4
"""An answer whose sentence holds less of the question's words is offered as unsure."""
MIN_SENTENCE_WORDS = 6

FEATURES = (
    "coverage",  # the IDF-weighted share of the question's words the sentence holds
    "share",  # the plain share of them
    "proximity",  # how close together they stand
    "passage",  # its passage's search score, over the best passage's
    "kind",  # holds the kind of thing asked for (a number, a year, a name)
    "heading",  # a few words without a full stop: a heading or a table cell
    "novelty",  # the share of its words that are not the question's
    "first",  # the first sentence of its passage
    "rank",  # 1 / (1 + its passage's rank)
    "bm25",  # BM25 of the question's words in the sentence (IDF-weighted, length-normalised)
    "before",  # the coverage of the sentence before it (it may name what this one says)
    "after",  # the coverage of the sentence after it
    "in passage",  # the coverage of its whole passage (the question's words around it)
    # how the ones above reinforce each other, and the sentence against the others
    "coverage×kind",  # much of the question, and the kind of thing asked for
    "coverage×proximity",  # much of the question, close together
    "bm25/best",  # its bm25 over the best bm25 of the question's sentences
    "coverage²",  # a sentence that holds nearly all the question counts more than twice one
    # that holds half
)
WEIGHTS = (
    *(0.452, 0.271, -0.04, 0.882, 0.807, -0.083, -0.095, 0.039, 0.191, -0.139, 0.144),
    *(-0.079, 1.0, 0.055, 0.268, 0.733, 0.295),
)
"""A sentence's score: the weighted sum of its features. Fitted on the development halves
only (`python -m bench.fit_answers`, 2026-12-04), scaled to a largest weight of 1."""

_COVERAGE, _PROXIMITY, _KIND, _BM25, _IN_PASSAGE = (
    FEATURES.index(name) for name in ("coverage", "proximity", "kind", "bm25", "in passage")
)

COUNTRIES = (
    ("SE", ("swed", "sverig", "zviedrij", "швец", "швед", "швэц")),
    ("LV", ("latvi", "lettland", "латви", "латвi")),
    ("BY", ("belarus", "vitryss", "baltkriev", "беларус", "белорус", "белару")),
)


def content_words(question: str) -> list[str]:
    words = [t for t, _, _ in analysis.tokens(question)]
    kept = [w for w in words if w.lower() not in QUESTION_WORDS]
    return [w for w in kept if not _is_stop(w)] or kept


def _is_stop(word: str) -> bool:
    return any(analysis.analyze_token(lang, word) is None for lang in analysis.LANGUAGE_FIELDS)


def countries_named(question: str) -> tuple[str, ...]:
    found = []
    for token, _, _ in analysis.tokens(question):
        low = analysis.fold(token)
        for code, prefixes in COUNTRIES:
            if any(low.startswith(analysis.fold(p)) for p in prefixes) and code not in found:
                found.append(code)
    return tuple(found)


@dataclass(slots=True)
class _Candidate:
    hit: Hit
    span: tuple[int, int]
    score: float
    coverage: float
    spans: list[tuple[int, int]]
    features: tuple[float, ...]


def ask(
    engine: Engine,
    question: str,
    request: SearchRequest | None = None,
) -> AnswerResult:
    """Answer a question from the index: the best sentences with citations, or none.

    `request` carries the filters, the year range and cross-lingual expansion, as for a
    search (its text and paging are not used). Raises QuerySyntaxError for a question with
    no word to look for ('?', 'what is it')."""
    started = time.perf_counter()
    check_text(question)
    keywords, request = _keywords(question, request or SearchRequest())
    filters = request.filters
    passages = engine.retrieve(request, CANDIDATE_PASSAGES, plain=True)
    language = _question_language(question)
    if not passages:
        return AnswerResult(
            question, language, tuple(keywords), filters, (), False, (), (), _ms(started)
        )
    wanted = answer_type(question)
    candidates = _candidates(engine, question, keywords, passages, request.cross_lingual, wanted)
    candidates.sort(key=lambda c: -c.score)
    ranked = _passage_order(candidates)
    chosen = _diverse(candidates)
    confident = bool(chosen) and answers_enough(chosen[0].features)
    answers = tuple(_card(c, wanted, question) for c in chosen) if confident else ()
    closest = () if confident else tuple((ranked or list(passages))[:MAX_ANSWERS])
    return AnswerResult(
        question,
        language,
        tuple(keywords),
        filters,
        answers,
        confident,
        closest,
        tuple(ranked),
        _ms(started),
    )


def answers_enough(features: tuple[float, ...]) -> bool:
    """Whether a sentence (by its `FEATURES`) or its passage holds enough of the question
    to be offered as an answer (`MIN_COVERAGE`)."""
    return max(features[_COVERAGE], features[_IN_PASSAGE]) >= MIN_COVERAGE


def _keywords(question: str, request: SearchRequest) -> tuple[list[str], SearchRequest]:
    """The question's content words, and the search for them (a country it names becomes
    a filter)."""
    words = content_words(question)
    if not words:
        raise QuerySyntaxError(
            "the question has no word to look for: name what you ask about, "
            "e.g. 'How many participants did Returhuset have in 2018?'"
        )
    filters = request.filters
    named = countries_named(question)
    if named and not any(f == "country" for f, _ in filters):
        filters = (*filters, ("country", named))
    # places and countries are filters or expansions already; keep the rest as keywords
    keywords = [w for w in words if not countries_named(w)] or words
    query_text = " OR ".join(_quote(w) for w in keywords)
    return keywords, replace(request, text=query_text, filters=filters, page=1)


def sentence_features(
    engine: Engine, question: str, cross_lingual: bool = False
) -> list[tuple[str, str, tuple[float, ...]]]:
    """Each candidate sentence of a question as `ask` sees it: its passage's source, its
    text and its `FEATURES` (for fitting `WEIGHTS` on development questions)."""
    keywords, request = _keywords(question, SearchRequest(cross_lingual=cross_lingual))
    passages = engine.retrieve(request, CANDIDATE_PASSAGES, plain=True)
    if not passages:
        return []
    found = _candidates(
        engine, question, keywords, passages, request.cross_lingual, answer_type(question)
    )
    return [(c.hit.source_key, c.hit.text[c.span[0] : c.span[1]], c.features) for c in found]


def _candidates(
    engine: Engine,
    question: str,
    keywords: list[str],
    passages: list[Hit],
    cross_lingual: bool,
    wanted: str,
) -> list[_Candidate]:
    """Every sentence of the passages found, with its features and its score."""
    per_word = [engine.match_terms(_quote(w), cross_lingual) | _as_part(w) for w in keywords]
    # a compound of the question said in words of its own counts half the word's weight
    known = _IndexedStems(engine)
    last_parts = [_parts_of(w, known) for w in keywords]
    weights = [_idf(engine, terms) for terms in per_word]
    total_weight = sum(weights) or 1.0
    best_passage = max(h.score for h in passages) or 1.0
    candidates: list[_Candidate] = []
    all_terms = set().union(*per_word, *last_parts) if per_word else set()
    # a marker for all the passages' words, and one for each question word's terms
    marker = Marker(all_terms)
    word_terms, part_terms = [Marker(t) for t in per_word], [Marker(t) for t in last_parts]
    for rank, hit in enumerate(passages):
        matched = marker.spans(hit.text, hit.language)
        everywhere = [hit.text[a:b] for a, b in matched]
        in_passage = sum(
            weight
            for weight, terms in zip(weights, word_terms, strict=True)
            if _holds(everywhere, hit, terms)
        )
        before = 0.0  # the coverage of the sentence before
        first = len(candidates)
        for at, (s, e) in enumerate(sentences(hit.text)):
            inside = [(a, b) for a, b in matched if s <= a < e]
            found = [hit.text[a:b] for a, b in inside]
            counts = [sum(_holds([w], hit, terms) for w in found) for terms in word_terms]
            covered = [i for i, n in enumerate(counts) if n]
            halves = [
                i
                for i, terms in enumerate(part_terms)
                if terms.terms and i not in covered and _holds(found, hit, terms)
            ]
            coverage = (
                sum(weights[i] for i in covered) + 0.5 * sum(weights[i] for i in halves)
            ) / total_weight
            share = (len(covered) + 0.5 * len(halves)) / len(per_word)
            sentence = hit.text[s:e]
            words = analysis.tokens(sentence)
            spans = [(a - s, b - s) for a, b in inside]
            features = (
                coverage,
                share,
                _proximity(words, spans, len(covered)),
                hit.score / best_passage,
                kind(sentence, wanted, question),
                1.0 if _heading_or_cell(sentence, len(words)) else 0.0,
                _novelty(words, spans),
                1.0 if at == 0 else 0.0,
                1.0 / (1 + rank),
                _bm25(counts, weights, len(words)) / total_weight,
                before,
            )
            before = coverage
            candidates.append(_Candidate(hit, (s, e), 0.0, coverage, inside, features))
        ones = candidates[first:]
        for c, after in zip(ones, [*ones[1:], None], strict=True):
            c.features = (*c.features, after.coverage if after else 0.0, in_passage / total_weight)
    best_bm25 = max((c.features[_BM25] for c in candidates), default=0.0) or 1.0
    for c in candidates:
        f = c.features
        c.features = (
            *f,
            f[_COVERAGE] * f[_KIND],
            f[_COVERAGE] * f[_PROXIMITY],
            f[_BM25] / best_bm25,
            f[_COVERAGE] * f[_COVERAGE],
        )
        c.score = sum(w * f for w, f in zip(WEIGHTS, c.features, strict=True))
    return candidates


def _as_part(word: str) -> set[tuple[str, str]]:
    """A Swedish question word as the last part of a compound in the text (`produkter` in
    `epoxiprodukter`): Swedish writes new compounds freely, and a sentence holding one
    holds the word."""
    stem = analysis.analyze_token("sv", word)
    return {(COMPOUND_PARTS, stem)} if stem else set()


def _holds(words: list[str], hit: Hit, terms: Marker) -> bool:
    """Whether one of a sentence's matched words (each one token) is one of these terms."""
    return any(terms.marks(w, hit.language) for w in words)


class _IndexedStems:
    """The Swedish stems the index holds as words: what a compound may be split into."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __contains__(self, stem: object) -> bool:
        term = ("text_sv", str(stem))
        return self.engine.term_statistics({term})[1][term] > 0


def _parts_of(word: str, known: _IndexedStems) -> set[tuple[str, str]]:
    """A Swedish compound in the question as its last part, where the text says it in
    words of its own (`rovdjursinventeringen`: `inventeringen av rovdjur`)."""
    from search.text import compounds

    parts = compounds.split(word, known)
    return {("text_sv", parts[1])} if parts else set()


def _heading_or_cell(sentence: str, words: int) -> bool:
    """A few words (`words`: the sentence's count) without a full stop: a heading or a table
    cell, not an answer ("Kopā poligonā ir 27 darbinieki." is a sentence)."""
    text = sentence.rstrip(" \"'»”)")
    return words < MIN_SENTENCE_WORDS and not text.endswith((".", "!", "?"))


def _quote(word: str) -> str:
    return f'"{word}"' if not word.isalnum() else word


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _question_language(question: str) -> str:
    from search.text.language import detect

    return detect(question, min_letters=1) or "other"


def _idf(engine: Engine, terms: set[tuple[str, str]]) -> float:
    passages, holding = engine.term_statistics(terms)
    return idf(passages, max((holding[t] for t in terms), default=0))


def _proximity(
    toks: list[tuple[str, int, int]], spans: list[tuple[int, int]], covered: int
) -> float:
    if covered < 2 or len(spans) < 2:
        return 1.0 if covered else 0.0
    positions = [i for i, (_, a, _) in enumerate(toks) if any(s <= a < e for s, e in spans)]
    window = positions[-1] - positions[0] + 1
    return min(1.0, covered / window)


SENTENCE_WORDS = 25
"""The length of a typical sentence in words, for `_bm25`'s length normalisation."""


def _bm25(counts: list[int], weights: list[float], length: int) -> float:
    """BM25 (k1 1.2, b 0.75) of the question's words in a sentence: each word's weight,
    its count in the sentence and the sentence's length in words."""
    norm = 1.2 * (0.25 + 0.75 * length / SENTENCE_WORDS)
    return sum(w * n * 2.2 / (n + norm) for n, w in zip(counts, weights, strict=True) if n)


def _novelty(toks: list[tuple[str, int, int]], spans: list[tuple[int, int]]) -> float:
    """The share of a sentence's words that are not the question's: a sentence that only
    restates the question has little, one that adds what was asked has more."""
    if not toks:
        return 0.0
    said = sum(1 for _, a, _ in toks if any(s <= a < e for s, e in spans))
    return 1.0 - said / len(toks)


def _passage_order(candidates: list[_Candidate]) -> list[Hit]:
    seen: set[str] = set()
    order = []
    for c in candidates:
        if c.hit.passage_id not in seen:
            seen.add(c.hit.passage_id)
            order.append(c.hit)
    return order


def _diverse(candidates: list[_Candidate]) -> list[_Candidate]:
    """The best sentences (within 0.6 of the best score): one per document first, then
    the next best of the same documents."""
    if not candidates:
        return []
    first: list[_Candidate] = []
    rest: list[_Candidate] = []
    docs: set[str] = set()
    for c in candidates:
        if c.score < 0.6 * candidates[0].score:
            break
        (rest if c.hit.doc_id in docs else first).append(c)
        docs.add(c.hit.doc_id)
    return (first + rest)[:MAX_ANSWERS]


def _card(c: _Candidate, wanted: str = "", question: str = "") -> Answer:
    text = c.hit.text
    spans = sentences(text)
    i = spans.index(c.span)
    before = text[spans[i - 1][0] : spans[i - 1][1]] if i > 0 else ""
    after = text[spans[i + 1][0] : spans[i + 1][1]] if i + 1 < len(spans) else ""
    s, e = c.span
    marked = [Segment(seg.text, seg.match) for seg in _segments(text, c.spans, s, e)]
    return Answer(
        tuple(marked),
        before.strip(),
        after.strip(),
        c.hit,
        round(c.score, 4),
        round(c.coverage, 3),
        answering_phrase(text[s:e], wanted, question),
        sure=c.coverage >= SURE_COVERAGE,
    )


def _segments(text: str, spans: list[tuple[int, int]], start: int, end: int) -> list[Segment]:
    from search.retrieval.highlight import segments

    return segments(text, spans, start, end)


def first_sentence(hit: Hit) -> str:
    spans = sentences(hit.text)
    return hit.text[spans[0][0] : spans[0][1]] if spans else hit.text


def baseline(engine: Engine, question: str) -> list[Hit]:
    """Plain BM25 ranking of passages for all the question's words (the evaluation's baseline)."""
    words = [t for t, _, _ in analysis.tokens(question)]
    request = SearchRequest(text=" OR ".join(_quote(w) for w in words))
    return engine.retrieve(request, CANDIDATE_PASSAGES, plain=True)
