"""Searching: one long-lived Whoosh searcher, refreshed when the index changes.

The engine turns a SearchRequest into SearchResults: parse, compile, match, count
facets, rank, collapse passages per document, highlight, suggest. No Whoosh object
leaves this module.
"""

from __future__ import annotations

import bisect
import gc
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq

from search import fields
from search.errors import QuerySyntaxError
from search.indexing import store, word_forms
from search.indexing.damage import reads_index
from search.models import (
    Hit,
    IndexedDocument,
    PageView,
    Passage,
    SearchRequest,
    SearchResults,
    Segment,
)
from search.retrieval import highlight, names, together, whoosh_layout
from search.retrieval.array_sets import firsts
from search.retrieval.facets import Counted, FacetIndex, SegmentsRead, Selection
from search.retrieval.matching import UNSTEMMED, Frequency, compile_query, is_stopword
from search.retrieval.query import FieldFilter, Node, Word, parse, split_filters, words_of
from search.retrieval.ranking import Matches, Postings
from search.retrieval.spelling import Spellings
from search.settings import Settings
from search.text import analysis
from search.text.analysis import FOLDED_FIELD

CANDIDATE_FACTOR = 6
"""Passages ranked per wanted document before collapsing (documents repeat)."""
SUGGEST_BELOW = 3
"""Offer "did you mean" when a query finds fewer documents than this."""


def _edits_allowed(word: str) -> int:
    """How far a spelling suggestion may be from a word: none for one or two letters, one
    edit up to five letters, two beyond (the usual "auto" fuzziness). Two edits from a
    three-letter word make another word, not its spelling, and looking for them was the
    slowest part of a search while a word is being typed."""
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2


class Engine:
    """Search over the live index; safe to share between threads (one lock)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._generation: Path | None = None
        self._searcher: Any = None
        self._facets: FacetIndex | None = None
        self._postings: Postings | None = None
        self._spellings: Spellings | None = None
        self._stored: _Stored | None = None
        self._stamp: tuple[int, ...] | None = None
        self._segments_read: SegmentsRead = {}
        """The opened version's segments as the facet table read them: reused by the next
        version for the segments it keeps."""
        self._segments_checked: set[str] = set()
        """The opened version's segments whose layout the array evaluator checked."""

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher, self._facets, self._generation = None, None, None
            self._postings, self._spellings, self._stored = None, None, None

    def _current(self) -> tuple[Any, FacetIndex]:
        """The searcher and facet table, reopened after a rebuild or a commit."""
        if self._searcher is not None and self._facets is not None:
            stamp = store.change_stamp(self.settings.index_dir, self._generation)
            if stamp is not None and stamp == self._stamp:
                return self._searcher, self._facets  # nothing written since the last look
            live = store.current_generation(self.settings.index_dir)
            if live == self._generation and self._searcher.up_to_date():
                self._stamp = stamp
                return self._searcher, self._facets
        self.close()
        self._stamp = store.change_stamp(self.settings.index_dir, None)
        gen, ix = store.open_current(self.settings.index_dir)
        self._generation, self._searcher = gen, ix.searcher()
        self._facets = FacetIndex(self._searcher.reader(), self._segments_read)
        self._postings = Postings(self._searcher, checked=self._segments_checked)
        self._spellings = Spellings(self._searcher.reader())
        self._stored = _Stored(self._searcher)
        # the words of hits are marked without asking the dictionaries again
        word_forms.learn(self._searcher.reader())
        # Opening leaves much garbage; collected now, not as a pause in the middle of a search.
        gc.collect()
        return self._searcher, self._facets

    def _read(self, docnum: int) -> dict[str, Any]:
        """A passage's stored fields."""
        assert self._stored is not None
        return self._stored(docnum)

    def _frequency(self, field: str, word: str) -> int:
        assert self._postings is not None
        return self._postings.doc_frequency(field, word)

    def _matches(
        self,
        facets: FacetIndex,
        text_node: Node | None,
        selection: Selection,
        request: SearchRequest,
        stemmed: bool,
        plain: bool = False,
    ) -> _Found:
        """What the query matches (`plain`: ranked by BM25 alone, for baselines)."""
        assert self._postings is not None
        frequency = self._frequency if stemmed else UNSTEMMED
        q = compile_query(text_node, facets.canonical, frequency, request.cross_lingual)
        marker = highlight.Marker(_query_terms(q, self._searcher, self._frequency))
        if text_node is None:  # browsing: every passage, in index order
            ids = facets.live_passages()
            counted = facets.count(ids, selection)
            everything = Matches(ids, np.zeros(len(ids), dtype=np.float64))
            return _Found(_allowed(everything, counted), counted, marker, {})
        found = self._postings.run(q).ranked()
        spread = self._postings.spread(q, facets.passage_doc, found.ids).ranked()
        counted = facets.count(np.concatenate([found.ids, spread.ids]), selection)
        found, spread = _allowed(found, counted), _allowed(spread, counted)
        stored: dict[int, Any] = {}
        if stemmed and not plain:
            found = self._together(found, text_node, facets, request, marker, stored)
        if len(spread.ids):  # after every passage that holds all the words
            found = Matches(
                np.concatenate([found.ids, spread.ids]),
                np.concatenate([found.scores, spread.scores]),
            )
        return _Found(found, counted, marker, stored)

    def _together(
        self,
        found: Matches,
        text_node: Node,
        facets: FacetIndex,
        request: SearchRequest,
        marker: highlight.Marker,
        stored: dict[int, Any],
    ) -> Matches:
        """The best passages of a query of several words, those that say them in one
        sentence first (`together`; `marker`: the query's, which marks each word; `stored`
        gets the stored fields of the passages read, for their hits)."""
        words = list(dict.fromkeys(w.lower() for w in words_of(text_node)))
        words = [w for w in words if not is_stopword(w)]
        if len(words) < together.MIN_WORDS or len(found.ids) < 2:
            return found
        searcher = self._searcher
        passages = searcher.doc_count()
        per_word = []
        for word in words:
            terms = _query_terms(
                compile_query(Word(word), facets.canonical, self._frequency, request.cross_lingual),
                searcher,
                self._frequency,
            )
            if terms:
                holding = max(self._frequency(*t) for t in terms)
                per_word.append(
                    together.QueryWord(highlight.Marker(terms), together.idf(passages, holding))
                )
        if len(per_word) < together.MIN_WORDS:
            return found
        for i in found.ids[: together.RERANKED].tolist():
            stored[i] = self._read(i)
        gained = together.gains(
            [(f.get("text", ""), f.get("lang", "")) for f in stored.values()], per_word, marker
        )
        return Matches(*together.reordered(found.ids, found.scores, gained))

    @reads_index
    def search(self, request: SearchRequest, stemmed: bool = True) -> SearchResults:
        """Run one search: hits collapsed per document, facet counts, suggestion."""
        started = time.perf_counter()
        node = parse(request.text)
        text_node, inline = split_filters(node)
        with self._lock:
            _, facets = self._current()
            selection = _selection(request, inline, facets)
            found = self._matches(facets, text_node, selection, request, stemmed)
            hits = self._ranked_hits(facets, text_node is None, found, request)
            counted = found.counted
            suggestion = ""
            if counted.documents < SUGGEST_BELOW and text_node is not None:
                suggestion = self._suggest(
                    facets, request.text, text_node, counted.documents, selection
                )
        return SearchResults(
            request=request,
            hits=tuple(hits),
            total_documents=counted.documents,
            total_passages=counted.passages,
            facets=counted.facets,
            suggestion=suggestion,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def _ranked_hits(
        self,
        facets: FacetIndex,
        browsing: bool,
        found: _Found,
        request: SearchRequest,
    ) -> list[Hit]:
        """The page of documents wanted, each with its best passage."""
        ids, scores = found.passages.ids, found.passages.scores
        docs = facets.passage_doc[ids]
        best = firsts(docs)
        best.sort()  # each document's best passage, best documents first
        if request.sort == "year" or browsing:
            # stable: ties keep score order
            best = best[np.argsort(-facets.doc_year[docs[best]], kind="stable")]
        page = best[(request.page - 1) * request.page_size : request.page * request.page_size]
        more = found.counted.passages_per_doc[docs[page]] - 1
        passages = zip(ids[page].tolist(), scores[page].tolist(), more.tolist(), strict=True)
        return self._hits(facets, list(passages), found.marker, found.stored)

    def _hits(
        self,
        facets: FacetIndex,
        passages: list[tuple[int, float, int]],
        marker: highlight.Marker,
        stored: dict[int, Any] | None = None,
    ) -> list[Hit]:
        """Passages as hits: (number, score, passages more in its document) each, with
        their snippets (`stored`: stored fields read already, by passage number)."""
        read = [(stored or {}).get(n) or self._read(n) for n, _, _ in passages]
        shown = highlight.snippets([(f.get("text", ""), f.get("lang", "")) for f in read], marker)
        return [
            Hit(
                doc_id=f["doc_id"],
                passage_id=f["id"],
                title=f.get("title", ""),
                page=f.get("page", 0),
                heading=f.get("heading", ""),
                source_key=f.get("source_key", ""),
                url=f.get("url", ""),
                snippet=snippet,
                more_in_document=max(0, more),
                score=score,
                text=f.get("text", ""),
                start=f.get("start", 0),
                end=f.get("end", 0),
                ocr=bool(f.get("ocr")),
                copies=facets.copies_of(f.get("source_key", "")),
                **fields.hit_attributes(f),  # type: ignore[arg-type]
            )
            for f, snippet, (_, score, more) in zip(read, shown, passages, strict=True)
        ]

    def _suggest(
        self,
        facets: FacetIndex,
        text: str,
        node: Node,
        found: int,
        selection: Selection,
    ) -> str:
        replaced = text
        changed = False
        for word in words_of(node):
            lower = word.lower()
            if is_stopword(lower) or any(
                self._frequency(FOLDED_FIELD, t) >= 2 for t in analysis.folded_terms(lower)
            ):
                continue
            assert self._spellings is not None
            within = self._spellings.within(lower, _edits_allowed(lower))
            candidates = [c for c in within if c != lower]
            if not candidates:
                continue
            best = max(candidates, key=lambda c: self._frequency("spelling", c))
            if self._frequency("spelling", best) > self._frequency("spelling", lower):
                replaced = replaced.replace(word, best, 1)
                changed = True
        if not changed:
            return ""
        text_node, _ = split_filters(parse(replaced))
        assert self._postings is not None
        better = facets.count(
            self._postings.run(compile_query(text_node, facets.canonical)).ids, selection
        )
        return replaced if better.documents > found else ""

    @reads_index
    def retrieve(self, request: SearchRequest, limit: int, plain: bool = False) -> list[Hit]:
        """The best passages for a request, not collapsed per document (for answers;
        `plain`: ranked by BM25 alone, without `together`: what `ask` scores sentences
        from, and the evaluation's baseline)."""
        text_node, inline = split_filters(parse(request.text))
        with self._lock:
            _, facets = self._current()
            selection = _selection(request, inline, facets)
            found = self._matches(facets, text_node, selection, request, True, plain)
            ids, scores = found.passages.ids[:limit].tolist(), found.passages.scores[:limit]
            passages = [(n, float(score), 0) for n, score in zip(ids, scores.tolist(), strict=True)]
            return self._hits(facets, passages, found.marker, found.stored)

    @reads_index
    def match_terms(self, text: str, cross_lingual: bool = False) -> set[tuple[str, str]]:
        """The (field, term) pairs a query matches in the index, expansions included."""
        text_node, _ = split_filters(parse(text))
        with self._lock:
            searcher, facets = self._current()
            q = compile_query(text_node, facets.canonical, self._frequency, cross_lingual)
            return _query_terms(q, searcher, self._frequency)

    def term_statistics(
        self, terms: set[tuple[str, str]]
    ) -> tuple[int, dict[tuple[str, str], int]]:
        """Passages in the index, and how many hold each term."""
        with self._lock:
            searcher, _ = self._current()
            return searcher.reader().doc_count(), {t: self._frequency(*t) for t in terms}

    @reads_index
    def document(self, doc_ids: list[str]) -> IndexedDocument | None:
        """The first of `doc_ids` that is in the index, with all its passages."""
        with self._lock:
            searcher, facets = self._current()
            for doc_id in doc_ids:
                numbers = sorted(searcher.document_numbers(doc_id=doc_id))
                if numbers:
                    stored = [self._read(n) for n in numbers]
                    unmarked = highlight.Marker(())
                    passage = (numbers[0], 0.0, len(numbers) - 1)
                    first = self._hits(facets, [passage], unmarked, {numbers[0]: stored[0]})[0]
                    break
            else:
                return None
        stored.sort(key=lambda f: (f.get("page", 0), f.get("start", 0)))
        passages = tuple(
            Passage(
                id=f["id"],
                doc_id=f["doc_id"],
                page=f.get("page", 0),
                heading=f.get("heading", ""),
                start=f.get("start", 0),
                end=f.get("end", 0),
                text=f.get("text", ""),
                language=f.get("lang", ""),
                ocr=bool(f.get("ocr")),
            )
            for f in stored
        )
        return IndexedDocument(first, tuple(dict(stored[0].get("origin") or {}).items()), passages)

    def document_pages(self, doc_id: str) -> list[PageView]:
        """Every page of a document with its passages, in reading order."""
        indexed = self.document([doc_id])
        pages: dict[int, list[Passage]] = {}
        for p in indexed.passages if indexed else ():
            pages.setdefault(p.page, []).append(p)
        return [PageView(n, ps[0].heading, tuple(ps)) for n, ps in pages.items()]

    def mark(
        self, text: str, language: str, query_text: str, cross_lingual: bool = False
    ) -> tuple[Segment, ...]:
        """The whole text split into segments, the words the query matches marked."""
        try:
            terms = self.match_terms(query_text, cross_lingual)
        except QuerySyntaxError:
            return (Segment(text),)
        return tuple(highlight.segments(text, highlight.match_spans(text, language, terms)))

    @reads_index
    def more_like(self, passage_id: str, limit: int = 10) -> SearchResults:
        """Documents whose passages share the most distinctive words with this passage."""
        started = time.perf_counter()
        with self._lock:
            searcher, facets = self._current()
            n = searcher.document_number(id=passage_id)
            if n is None:
                return SearchResults(SearchRequest(), (), 0, 0, (), "", 0.0)
            own = self._read(n)
            results = searcher.more_like(
                n,
                FOLDED_FIELD,
                text=analysis.folded_text(own.get("text", ""), own.get("lang", "other")),
                top=limit * CANDIDATE_FACTOR,
            )
            best: dict[int, tuple[int, float]] = {}
            own_doc = facets.passage_doc[n]
            for hit in results:
                d = facets.passage_doc[hit.docnum]
                if d >= 0 and d != own_doc and d not in best:  # -1: deleted, or a copy
                    best[d] = (hit.docnum, hit.score or 0.0)
            chosen = [(m, s, 0) for m, s in list(best.values())[:limit]]
            hits = self._hits(facets, chosen, highlight.Marker(()))
        return SearchResults(
            SearchRequest(page_size=limit),
            tuple(hits),
            len(hits),
            len(hits),
            (),
            "",
            (time.perf_counter() - started) * 1000,
        )


class _Stored:
    """The stored fields of a passage by its number in the index, read from its segment
    the quick way (`whoosh_layout.stored_fields`) where it holds, else through Whoosh."""

    def __init__(self, searcher: Any) -> None:
        self._starts: list[int] = []
        self._reads: list[whoosh_layout.StoredFields] = []
        for sub, start in searcher.leaf_searchers():
            leaf = sub.reader()
            self._starts.append(start)
            self._reads.append(whoosh_layout.stored_fields(leaf) or leaf.stored_fields)

    def __call__(self, docnum: int) -> dict[str, Any]:
        leaf = bisect.bisect_right(self._starts, docnum) - 1
        return self._reads[leaf](docnum - self._starts[leaf])


@dataclass(frozen=True, slots=True)
class _Found:
    """What a query matched: every passage the filters let through, best first; the facet
    counts; the marker of the query's words; and the stored fields read on the way (by
    passage number), which its hits use instead of reading them again."""

    passages: Matches
    counted: Counted
    marker: highlight.Marker
    stored: dict[int, Any]


def _allowed(found: Matches, counted: Counted) -> Matches:
    """The passages the filters let through."""
    keep = counted.allowed[found.ids]
    return Matches(found.ids[keep], found.scores[keep])


def _selection(
    request: SearchRequest, inline: tuple[FieldFilter, ...], facets: FacetIndex
) -> Selection:
    values: dict[str, set[str]] = {}
    years = request.years
    chosen = [*request.filters, *((f.field, f.values) for f in inline)]
    for f in inline:
        years = years.narrowed(f.years)
    for facet, picked in chosen:
        values.setdefault(facet, set()).update(
            facets.canonical(facet, names.normalise(facet, v)) for v in picked
        )
    return Selection({k: frozenset(v) for k, v in values.items() if v}, years)


def _query_terms(q: Any, searcher: Any, frequency: Frequency) -> set[tuple[str, str]]:
    """(field, term) pairs of the query that exist in the index, prefixes and fuzzies expanded.

    Written out rather than Whoosh's `existing_terms`, whose loop variable shadows its
    `fieldname` argument and so drops every field after the first.
    """
    if isinstance(q, wq.Every):
        return set()
    reader = searcher.reader()
    found: set[tuple[str, str]] = set()
    stack = [q]
    while stack:  # (Whoosh's `leaves` and `expanded_terms`, without their generators)
        node = stack.pop()
        kind = type(node)
        if kind is wq.Term:
            pairs: Any = ((node.fieldname, node.text),)
        elif kind is wq.Phrase:
            pairs = [(node.fieldname, word) for word in node.words]
        elif not node.is_leaf():
            stack.extend(node.children())
            continue
        else:
            pairs = node.expanded_terms(reader, phrases=True)
        for field, text in pairs:
            word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
            if (field, word) not in found and frequency(field, word) > 0:
                found.add((field, word))
    return found
