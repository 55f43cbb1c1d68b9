"""The front door: `SearchService` is all the CLI, the TUI and the benchmarks use.
Plain dataclasses in and out.

The functions below are its parts (tests call some of them directly). Heavy machinery
(Whoosh, PDF parsing, HTML extraction, language detection) is imported only by the
functions that need it: importing this module, or the TUI, loads none of it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from search import fields
from search.errors import SearchError
from search.indexing.damage import reads_index
from search.models import (
    AnswerResult,
    Document,
    Facet,
    FacetValue,
    Failure,
    Hit,
    IndexedDocument,
    IndexProgress,
    IndexReport,
    PageView,
    Passage,
    SearchRequest,
    SearchResults,
    Segment,
    SourceFile,
    Stats,
    YearRange,
)
from search.settings import Settings

if TYPE_CHECKING:
    from search.indexing.doctor import Finding
    from search.ingest.fetch import Saved
    from search.retrieval.engine import Engine


def index_events(
    settings: Settings, rebuild: bool = False
) -> Generator[IndexProgress | IndexReport, None, None]:
    """Update (or rebuild) the index, yielding progress; the last event is the report.

    Closing the generator early cancels the run: the writer is cancelled, a half-built
    generation removed, the lock released, and the index stays as it was.
    """
    from search.indexing.indexer import index_events as events

    return events(settings, rebuild)


def run_index(settings: Settings, rebuild: bool = False) -> IndexReport:
    from search.indexing.indexer import run_index as run

    return run(settings, rebuild)


@reads_index
def stats(settings: Settings) -> Stats:
    """Documents and passages per country, language and type; size and last update."""
    from search.indexing import store
    from search.retrieval.facets import collection

    gen, ix = store.open_current(settings.index_dir)
    with ix.reader() as reader:
        held = collection(reader)
    by_country = {v or "(none)": n for v, n in held.by_value.get("country", {}).items()}
    toc = max((p.stat().st_mtime for p in gen.glob("*.toc")), default=0.0)
    return Stats(
        documents=held.documents,
        passages=held.passages,
        by_country=tuple(sorted(by_country.items())),
        by_language=tuple(sorted(held.by_language.items())),
        by_type=tuple(sorted(held.by_value.get("doc_type", {}).items())),
        passages_by_language=tuple(sorted(held.passages_by_language.items())),
        index_bytes=store.size_bytes(gen),
        last_update=dt.datetime.fromtimestamp(toc, dt.UTC).isoformat(timespec="seconds")
        if toc
        else "",
        index_dir=str(gen),
        unsupported=_unsupported_types(settings),
    )


def _unsupported_types(settings: Settings) -> tuple[tuple[str, int], ...]:
    from search.indexing.indexer import walk_corpus
    from search.models import type_counts

    try:
        return type_counts(walk_corpus(settings.corpus_dir).unsupported)
    except SearchError:  # the corpus is gone: the index can still be described
        return ()


@dataclass(frozen=True, slots=True)
class ShownDocument:
    doc_id: str
    source_key: str
    title: str
    fields: tuple[tuple[str, str, str], ...]
    """(field, value, where it came from)"""
    passages: tuple[Passage, ...]


def document_candidates(settings: Settings, ref: str) -> list[str]:
    """The doc ids `ref` may mean: itself, or a path absolute or relative to the corpus
    or to the working folder."""
    from search.ingest.extract import doc_id_for

    candidates = [ref]
    path = Path(ref)
    for base in (settings.corpus_dir, Path.cwd()):
        full = (base / path) if not path.is_absolute() else path
        try:
            rel = full.resolve().relative_to(settings.corpus_dir.resolve())
        except ValueError:
            continue
        candidates.append(doc_id_for(rel.as_posix()))
    candidates.append(doc_id_for(path.as_posix()))
    return list(dict.fromkeys(candidates))


def shown_document(indexed: IndexedDocument) -> ShownDocument:
    """A document as `show` lists it: each field of the table with its origin."""
    origin = dict(indexed.origin)
    hit = indexed.hit
    shown = [("title", hit.title, origin.get("title", ""))] if hit.title else []
    for f in fields.table():
        if f.per_passage:
            languages = sorted({p.language for p in indexed.passages if p.language})
            values: tuple[str, ...] = (",".join(languages),) if languages else ()
            shown += [("language", v, origin.get("language", "inferred")) for v in values]
        elif f.name != "source":
            value = ",".join(fields.hit_values(f, hit))
            if value:
                shown.append((f.name, value, origin.get(f.name, "")))
    if hit.url:
        shown.append(("url", hit.url, origin.get("url", "")))
    shown += [("same file at", key, "same content") for key in hit.copies]
    return ShownDocument(hit.doc_id, hit.source_key, hit.title, tuple(shown), indexed.passages)


def open_search(settings: Settings) -> Engine:
    """A search engine over the live index; keep it for many queries (it caches)."""
    from search.retrieval.engine import Engine

    return Engine(settings)


def parse_year_range(text: str) -> YearRange:
    """`2015..2018`, `2015..`, `..2018` or `2016`; raises QuerySyntaxError."""
    from search.retrieval.query import year_range

    return year_range(text)


def writer_pid(settings: Settings) -> int | None:
    """The pid of another process updating the index right now, if any (this process's
    own runs, from the TUI or a watch, are not another's)."""
    from search.indexing.lock import holder

    pid = holder(settings.index_dir)
    return None if pid == os.getpid() else pid


def failed_files(settings: Settings) -> tuple[Failure, ...]:
    """Files of the corpus that could not be indexed, with the reason (as last recorded)."""
    from search.indexing import manifest, store

    gen = store.current_generation(settings.index_dir)
    if gen is None:
        return ()
    try:
        recorded = manifest.load_failures(gen)
    except SearchError:  # a damaged manifest: the search itself says so
        return ()
    return tuple(Failure(f.key, f.reason) for f in recorded.values())


def facets_of(
    hits: Iterable[Hit], selected: dict[str, set[str]] | None = None
) -> tuple[Facet, ...]:
    """Facet counts over a list of hits (the answers on screen), one count per document."""
    chosen = selected or {}
    described = fields.table()
    counts: dict[str, Counter[str]] = {f.name: Counter() for f in described}
    seen: set[str] = set()
    for hit in hits:
        if hit.doc_id in seen:
            continue
        seen.add(hit.doc_id)
        for f in described:
            counts[f.name].update(v for v in fields.hit_values(f, hit) if v)
    return tuple(
        Facet(
            f.name,
            tuple(
                FacetValue(v, c, v in chosen.get(f.name, set()))
                for v, c in sorted(counts[f.name].items(), key=lambda vc: (-vc[1], vc[0]))
            ),
        )
        for f in described
    )


def index_exists(settings: Settings) -> bool:
    from search.indexing import store

    return store.current_generation(settings.index_dir) is not None


def export_results(engine: Engine, request: SearchRequest, fmt: str) -> str:
    """Every hit of a search (all pages) as CSV, JSON or Markdown, with citations."""
    from dataclasses import replace

    from search import render

    hits: list[Hit] = []
    page = 1
    while True:
        results = engine.search(replace(request, page=page, page_size=200))
        hits.extend(results.hits)
        if len(hits) >= results.total_documents or not results.hits:
            break
        page += 1
    if fmt == "csv":
        return render.hits_csv(hits)
    if fmt == "md":
        return render.hits_markdown(hits, request.text)
    if fmt == "json":
        return render.hits_json(hits, request.text) + "\n"
    raise ValueError(f"unknown export format {fmt!r}: csv, json or md")


def ask(
    engine: Engine,
    question: str,
    request: SearchRequest | None = None,
) -> AnswerResult:
    """The sentences that answer a question, each with its citation; or none, said plainly.
    `request` narrows it as it would a search: filters, years, cross-lingual."""
    from search.retrieval.qa import ask as answer

    return answer(engine, question, request)


@dataclass(frozen=True, slots=True)
class Checkup:
    """What `doctor` found, what a repair did, and what is still wrong after it."""

    findings: tuple[Finding, ...]
    actions: tuple[str, ...]
    remaining: tuple[Finding, ...]

    @property
    def healthy(self) -> bool:
        return not self.remaining


class SearchService:
    """Everything a front end does with the collection, over one index and its corpus.

    It owns the search engine (opened at the first search, reopened by it after an index
    run) and hands out plain records; nothing outside `search` needs another module of the
    package than this one, `models`, `errors`, `settings` and `render`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_search(self.settings)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    # -- finding

    def search(self, request: SearchRequest) -> SearchResults:
        return self.engine.search(request)

    def more_like(self, passage_id: str, limit: int = 10) -> SearchResults:
        return self.engine.more_like(passage_id, limit)

    def document_pages(self, doc_id: str) -> list[PageView]:
        """A document page by page (or section by section), as its passages were indexed."""
        return self.engine.document_pages(doc_id)

    def mark(
        self, text: str, language: str, query: str, cross_lingual: bool = False
    ) -> tuple[Segment, ...]:
        """`text` with the words `query` matches marked, analysed as `language`."""
        return self.engine.mark(text, language, query, cross_lingual)

    def ask(self, question: str, request: SearchRequest | None = None) -> AnswerResult:
        return ask(self.engine, question, request)

    def export(self, request: SearchRequest, fmt: str) -> str:
        return export_results(self.engine, request, fmt)

    @staticmethod
    def parse_year_range(text: str) -> YearRange:
        return parse_year_range(text)

    @staticmethod
    def facets_of(
        hits: Iterable[Hit], selected: dict[str, set[str]] | None = None
    ) -> tuple[Facet, ...]:
        return facets_of(hits, selected)

    # -- the index

    def index_events(
        self, rebuild: bool = False
    ) -> Generator[IndexProgress | IndexReport, None, None]:
        return index_events(self.settings, rebuild)

    def run_index(self, rebuild: bool = False) -> IndexReport:
        return run_index(self.settings, rebuild)

    def watch(self, stop: threading.Event | None = None) -> Iterator[IndexReport | SearchError]:
        """Keep the index current as files arrive, change or go (until `stop` is set): a
        report per run, or the error that stopped one (the watch goes on)."""
        from search.indexing.watch import watch_index

        return watch_index(self.settings, stop)

    def add_url(self, url: str) -> Saved:
        from search.ingest.fetch import fetch_page

        return fetch_page(url, self.settings.corpus_dir, self.settings.limits)

    def stats(self) -> Stats:
        return stats(self.settings)

    def show(self, ref: str) -> ShownDocument | None:
        """A document as indexed, by doc id or by path (absolute, or relative to the corpus)."""
        indexed = self.engine.document(document_candidates(self.settings, ref))
        return shown_document(indexed) if indexed is not None else None

    def doctor(self, repair: bool = False) -> Checkup:
        """What is wrong with the index (and, with `repair`, what was done and what remains)."""
        from search.indexing import doctor

        if repair:
            report = doctor.repair(self.settings)
            remaining = tuple(f for f in doctor.check(self.settings) if f.repairable)
            return Checkup(report.findings, report.actions, remaining)
        findings = tuple(doctor.check(self.settings))
        return Checkup(findings, (), tuple(f for f in findings if f.repairable))

    def failed_files(self) -> tuple[Failure, ...]:
        return failed_files(self.settings)

    def disk_usage(self) -> tuple[int, int]:
        """(bytes, segments) of the live index; (0, 0) when there is none."""
        from search.indexing import store

        gen = store.current_generation(self.settings.index_dir)
        if gen is None:
            return 0, 0
        return store.size_bytes(gen), len(list(gen.glob("*.seg")))

    # -- for benchmarks and imports of prepared collections

    def corpus_files(self) -> list[SourceFile]:
        from search.indexing.indexer import scan_corpus

        return list(scan_corpus(self.settings.corpus_dir).values())

    def read(self, source: SourceFile) -> Document:
        """One file extracted, cleaned and cut into passages (in this process)."""
        from search.ingest.extract import process_file

        return process_file(
            Path(source.path), source.key, self.settings.corpus_dir, self.settings.limits
        )

    def build_from(self, documents: Iterable[Document], procs: int = 1, limitmb: int = 0) -> int:
        """A fresh index of processed documents (no extraction), written by `procs`
        processes: the passages written."""
        from search.indexing.indexer import WRITER_MB, build_from_documents

        self.close()
        return build_from_documents(self.settings, iter(documents), procs, limitmb or WRITER_MB)

    def add_documents(self, documents: list[Document]) -> int:
        """Processed documents replaced or added in the live index with one commit."""
        from search.indexing.indexer import add_documents

        return add_documents(self.settings, documents)

    @staticmethod
    def doc_id(key: str) -> str:
        """The document id of a corpus-relative path."""
        from search.ingest.extract import doc_id_for

        return doc_id_for(key)

    @staticmethod
    def prepare_analysis() -> None:
        """Read the word-form dictionaries (about 0.4 s) and compile the patterns that find
        words to mark in snippets now, so that the first queries do not wait for them."""
        from search.retrieval import highlight
        from search.text import lemmas

        lemmas.preload()
        highlight.prepare()

    @classmethod
    def prepare(cls) -> None:
        """What a person's first query and first F5 would otherwise wait for: the word-form
        dictionaries, and the process extraction workers are forked from (together about a
        second). The TUI calls it in a thread as it starts."""
        from search.ingest import workers

        cls.prepare_analysis()
        workers.warm_up()

    @staticmethod
    def index_term(language: str, word: str, dictionary: bool = True) -> str:
        """What a language field indexes a word as (`dictionary=False`: the stemmer alone,
        without Hunspell's dictionary forms; what the conflation benchmark compares)."""
        from search.text import analysis

        term = analysis.analyze_token if dictionary else analysis.plain_term
        return term(language, word) or word.lower()

    def baseline_answer(self, question: str) -> tuple[list[Hit], str]:
        """Plain BM25 over the question's words: the passages, and the first sentence of the
        first (what the Q&A evaluation compares `ask` with)."""
        from search.retrieval import qa

        passages = qa.baseline(self.engine, question)
        return passages, qa.first_sentence(passages[0]) if passages else ""

    def sentence_features(
        self, question: str, cross_lingual: bool = False
    ) -> list[tuple[str, str, tuple[float, ...]]]:
        """Each sentence `ask` weighs for a question: its source, text and features (what
        bench/fit_answers.py fits the answer weights on)."""
        from search.retrieval import qa

        return qa.sentence_features(self.engine, question, cross_lingual)

    @staticmethod
    def answer_weights() -> tuple[tuple[str, float], ...]:
        """The features `ask` scores a sentence by, with their weights."""
        from search.retrieval import qa

        return tuple(zip(qa.FEATURES, qa.WEIGHTS, strict=True))

    @staticmethod
    def offers_answer(features: tuple[float, ...]) -> bool:
        """Whether `ask` offers a sentence with these features as an answer (or refuses)."""
        from search.retrieval import qa

        return qa.answers_enough(features)

    def search_unstemmed(self, request: SearchRequest) -> SearchResults:
        """The same search with exact word forms only (the evaluation's comparison)."""
        return self.engine.search(request, stemmed=False)

    def index_exists(self) -> bool:
        return index_exists(self.settings)

    def writer_pid(self) -> int | None:
        return writer_pid(self.settings)
