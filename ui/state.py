"""What the person has asked for, and what the status line says about the outcome.

Plain Python, no widgets: the request a search runs is derived from `UIState`, and the
status lines are functions of results and state, so both are easy to test."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from search import fields, render
from search.models import (
    AnswerResult,
    IndexReport,
    Mode,
    SearchRequest,
    SearchResults,
    Sort,
    unsupported_summary,
)

PAGE_SIZE = 20
CARD_LINES = 3
"""A result card takes four or five lines: a page of one per three rows fills the screen
and leaves some to scroll before the next page is asked for."""
MIN_PAGE_SIZE = 10


def facet_labels() -> dict[str, str]:
    """Facet name → how the panel and the status line name it (from the field table)."""
    return {f.name: f.label for f in fields.table()}


@dataclass
class UIState:
    """What the user has asked for; the search request is derived from it."""

    text: str = ""
    selected: dict[str, set[str]] = field(default_factory=dict)
    sort: Sort = "relevance"
    cross_lingual: bool = False
    mode: Mode = "search"
    question: str = ""
    """The last question asked (Ask mode); facets re-ask it."""
    page_size: int = PAGE_SIZE
    """Results per page: scrolling to the end of one loads the next."""

    def fit_page(self, rows: int) -> None:
        """As many results a page as the screen shows, and some: every card of a page is
        highlighted, laid out and drawn at each keystroke."""
        self.page_size = max(MIN_PAGE_SIZE, rows // CARD_LINES)

    def request(self) -> SearchRequest:
        filters = tuple((f, tuple(sorted(v))) for f, v in sorted(self.selected.items()) if v)
        return SearchRequest(
            text=self.text,
            filters=filters,
            sort=self.sort,
            page_size=self.page_size,
            cross_lingual=self.cross_lingual,
        )

    def toggle(self, facet: str, value: str) -> None:
        chosen = self.selected.setdefault(facet, set())
        chosen.symmetric_difference_update({value})


@dataclass
class KeystrokeClock:
    """Milliseconds from a keystroke in the search box to its results on screen (what
    `make bench` reports as the TUI's keystroke latency)."""

    typed_at: float | None = None
    latencies: list[float] = field(default_factory=list)

    def typed(self) -> None:
        self.typed_at = time.perf_counter()

    def results_drawn(self) -> Callable[[], None]:
        """Call it once the results are on screen (after the refresh)."""
        typed, self.typed_at = self.typed_at, None

        def stop() -> None:
            if typed is not None:
                self.latencies.append((time.perf_counter() - typed) * 1000)

        return stop


def no_index(index_dir: Path) -> str:
    return f"No index yet at {index_dir}.\nPress F5 to build it from the corpus folder."


def empty_index(corpus_dir: Path) -> str:
    return (
        f"The index is empty: nothing in {corpus_dir} could be read yet.\n"
        "Put reports there (PDF, Word, OpenDocument, web pages, text) and press F5."
    )


def search_status(
    results: SearchResults,
    state: UIState,
    failures: int,
    other_writer: int | None,
    show_timing: bool,
    watch_note: str = "",
) -> str:
    """Counts, paging, sort, suggestion, why nothing was found, files not indexed, what
    the watch of the corpus last did."""
    parts = [
        f"{render.plural(results.total_documents, 'document')}, "
        f"{render.plural(results.total_passages, 'passage')}"
    ]
    if results.hits and len(results.hits) < results.total_documents:
        parts.append(f"showing {len(results.hits)}, more as you scroll")
    if state.sort == "year":
        parts.append("sorted by year")
    if state.cross_lingual:
        parts.append("cross-lingual")
    if show_timing:
        parts.append(f"{results.elapsed_ms:.0f} ms")
    if results.suggestion:
        parts.append(f"did you mean: {results.suggestion} (ctrl+t)")
    if not results.hits:
        parts.append(empty_hint(results, state))
    if failures:
        parts.append(f"{render.plural(failures, 'file')} not indexed (ctrl+n)")
    if watch_note:
        parts.append(watch_note)
    if other_writer is not None:
        parts.append(
            f"index being updated by another process (pid {other_writer}); showing the current one"
        )
    return " · ".join(p for p in parts if p)


def empty_hint(results: SearchResults, state: UIState) -> str:
    if any(state.selected.values()):
        labels = facet_labels()
        wider = [
            f"{labels.get(f.name, f.name).lower()} {v.value} ({v.count})"
            for f in results.facets
            for v in f.values
            if v.count and not v.selected
        ][:3]
        return "no results with these filters" + (
            f"; try {', '.join(wider)}" if wider else "; F8 clears them"
        )
    return "no results"


def answer_status(result: AnswerResult, show_timing: bool) -> tuple[str, str]:
    """(status line, results title) for the outcome of a question."""
    if result.confident:
        labels = facet_labels()
        named = [f"{labels.get(f, f).lower()} {', '.join(v)}" for f, v in result.filters]
        status = f"{len(result.answers)} answers" + (
            f" · from the question: {'; '.join(named)}" if named else ""
        )
        title = f"Answers: {len(result.answers)}"
    else:
        status = "no passage answers this well" + (
            "; the closest passages are shown"
            if result.closest
            else f"; nothing in the collection matches {', '.join(result.keywords)}"
        )
        title = (
            "No passage answers this well: the closest passages"
            if result.closest
            else "Nothing matches the words of this question"
        )
    if show_timing:
        status += f" · {result.elapsed_ms:.0f} ms"
    return status, title


def index_outcome(outcome: IndexReport | str) -> tuple[str, str]:
    """(message, severity) for the end of an index run."""
    if isinstance(outcome, str):
        return outcome, "warning" if "cancelled" in outcome else "error"
    failing = len(outcome.failed) + len(outcome.known_failures)
    failed = f", {failing} failed (ctrl+n lists them)" if failing else ""
    if outcome.unsupported:
        failed += f"; not read: {unsupported_summary(outcome.unsupported)}"
    if outcome.notes:
        failed += f"; {render.plural(len(outcome.notes), 'note')} (ctrl+n)"
    message = (
        f"Index {'rebuilt' if outcome.rebuilt else 'updated'}: {len(outcome.added)} added, "
        f"{len(outcome.updated)} updated, {len(outcome.removed)} removed{failed}"
    )
    return message, "warning" if failing else "information"
