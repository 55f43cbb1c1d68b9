"""The main screen's parts, each owning its looks and its state: the results list, the
facet panel, the filter line, the status line and the progress row."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Generator, Iterable
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from search.errors import SearchError
from search.models import (
    AnswerResult,
    Facet,
    Failure,
    Hit,
    IndexProgress,
    IndexReport,
    Mode,
    SearchRequest,
    SearchResults,
)
from search.service import SearchService
from ui.cards import answer_prompt, hit_prompt
from ui.state import empty_index, facet_labels

FACET_SHOWN = 8
"""Values shown per facet (selected ones are always shown)."""
PAUSE_SECONDS = 1.5
"""A pause in typing this long, and the garbage collector makes a full collection."""


class QueryBox(Input):
    """The search box, or the question box in Ask mode. When typing in it pauses, the
    garbage collector makes its full collection then, not as a pause between two
    keystrokes (`ui.app.prepare` makes Python start fewer of its own)."""

    HINTS: ClassVar[dict[Mode, str]] = {
        "search": "Search sv · lv · ru · en  (F1 help)",
        "ask": "Ask a question in any language, then enter  (F9: back to search)",
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(placeholder=self.HINTS["search"], **options)
        self._pause: Timer | None = None

    def show_mode(self, mode: Mode) -> None:
        """Its hint for the mode, focused, what it holds selected: typing replaces the
        search words with a question (or the question with search words), an arrow key
        keeps them."""
        self.placeholder = self.HINTS[mode]
        self.focus()
        self.select_all()

    @on(Input.Changed)
    def _typed(self) -> None:
        if self._pause is not None:
            self._pause.stop()
        self._pause = self.set_timer(PAUSE_SECONDS, gc.collect)


class ResultsList(OptionList):
    """Search results or answers; each row stands for one hit (an answer for its passage)."""

    DEFAULT_CSS = """
    ResultsList { width: 1fr; height: 1fr; border: round $panel; }
    ResultsList:focus { border: round $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "app.copy_citation", "Copy citation", show=False),
        Binding("o", "app.open_source", "Open source", show=False),
        Binding("m", "app.more_like", "More like this", show=False),
    ]

    def __init__(self, service: SearchService) -> None:
        super().__init__(id="results")
        self.service = service
        self.hits: list[Hit] = []
        """The hit of each row: the first page of results and the pages scrolled on to."""
        self.results: SearchResults | None = None
        """The search shown, whose next pages scrolling loads; None for answers."""

    def on_mount(self) -> None:
        self.border_title = "Results"

    def show_results(self, results: SearchResults, title: str) -> None:
        browsing = not results.request.text.strip() and not results.request.filters
        if browsing and not results.total_documents:  # nothing indexed: say what to do
            self.show_message(empty_index(self.service.settings.corpus_dir), title)
            return
        self.show_hits(results.hits, title)
        self.results = results

    def show_hits(self, hits: Iterable[Hit], title: str) -> None:
        """New results; the cursor keeps its row."""
        highlighted, self.results = self.highlighted, None
        new = list(hits)
        if new == self.hits and self.option_count == len(new):
            self.border_title = title  # the same cards (a space typed): nothing to lay out
            return
        self.hits = new
        self.set_options(Option(hit_prompt(h), id=f"r{i}") for i, h in enumerate(self.hits))
        if self.hits:
            self.highlighted = min(highlighted or 0, len(self.hits) - 1)
        self.border_title = title

    def add_hits(self, hits: Iterable[Hit]) -> None:
        more = list(hits)
        start = len(self.hits)
        self.hits += more
        self.add_options(Option(hit_prompt(h), id=f"r{start + i}") for i, h in enumerate(more))

    @on(OptionList.OptionHighlighted)
    def _near_the_end(self, event: OptionList.OptionHighlighted) -> None:
        """Scrolling to the last rows loads the next page of results."""
        r, shown = self.results, len(self.hits)
        if r is not None and event.option_index >= shown - 1 and shown < r.total_documents:
            page = replace(r.request, page=shown // r.request.page_size + 1)
            load = self._load(page)
            self.app.run_worker(load, exclusive=True, group="more", exit_on_error=False)

    async def _load(self, request: SearchRequest) -> None:
        try:
            more = await asyncio.to_thread(self.service.search, request)
        except SearchError:
            return  # the query changed since (and its own search shows what is wrong)
        shown = self.results
        wanted = shown is not None and shown.request == replace(request, page=1)
        if wanted and len(self.hits) == (request.page - 1) * request.page_size:
            self.add_hits(more.hits)

    def more_like(self, page_size: int) -> None:
        """Documents like the highlighted one, in place of the results (a new search, or a
        newer "more like", replaces it: the app's search group)."""
        if (hit := self.current()) is not None:
            find = self._more_like(hit, page_size)
            self.app.run_worker(find, group="search", exclusive=True, exit_on_error=False)

    async def _more_like(self, hit: Hit, page_size: int) -> None:
        found = await asyncio.to_thread(self.service.more_like, hit.passage_id, page_size)
        self.show_hits(found.hits, f"More like: {hit.title[:40]}")
        self.post_message(
            StatusLine.Said(f"{len(found.hits)} like “{hit.title}” · type to search again")
        )

    def show_answer(self, result: AnswerResult, title: str) -> None:
        """The answer cards, or (when nothing answers well) the closest passages."""
        if not result.confident:
            self.show_hits(result.closest, title)
            return
        self.hits, self.results = [a.hit for a in result.answers], None
        cards = (Option(answer_prompt(a), id=f"a{i}") for i, a in enumerate(result.answers))
        self.set_options(cards)
        self.border_title = title
        if result.answers:
            self.highlighted = 0

    def show_message(self, text: str, title: str | None = None) -> None:
        self.hits, self.results = [], None
        self.set_options([Option(Text(text, style="bold"), disabled=True)] if text else [])
        if title is not None:
            self.border_title = title

    def current(self) -> Hit | None:
        at = self.highlighted
        return self.hits[at] if at is not None and at < len(self.hits) else None


class FacetPanel(OptionList):
    """Facet values with their counts; enter or space toggles one (posts `Toggled`)."""

    DEFAULT_CSS = """
    FacetPanel { width: 28; height: 1fr; border: round $panel; }
    FacetPanel.narrow { width: 22; }
    FacetPanel.hidden { display: none; }
    FacetPanel:focus { border: round $accent; }
    """

    class Toggled(Message):
        def __init__(self, facet: str, value: str) -> None:
            super().__init__()
            self.facet, self.value = facet, value

    def __init__(self, labels: dict[str, str]) -> None:
        super().__init__(id="facets")
        self.labels = labels
        self.shown: tuple[Facet, ...] = ()
        """The facets on show, as last given."""

    def on_mount(self) -> None:
        self.border_title = "Filters"

    def fit_to(self, width: int) -> None:
        """Narrower on small terminals (80 columns leave 50 for the results)."""
        if self.has_class("narrow") != (width < 100):
            self.shown = ()  # the labels are cut to another width at the next show
        self.set_class(width < 100, "narrow")

    def show(self, facets: Iterable[Facet]) -> None:
        """Facet values in a steady order (by count, as the engine gives them): toggling a
        value leaves it, and the cursor on it, where it was."""
        facets = tuple(facets)
        if facets == self.shown:
            return  # the same counts: nothing to lay out
        self.shown = facets
        highlighted = self.highlighted
        cursor_id = (
            self.get_option_at_index(highlighted).id
            if highlighted is not None and highlighted < self.option_count
            else None
        )
        options: list[Option] = []
        width = 12 if self.has_class("narrow") else 18
        for facet in facets:
            if not facet.values:
                continue
            heading = Text(self.labels.get(facet.name, facet.name).upper(), style="bold")
            options.append(Option(heading, id=f"h:{facet.name}", disabled=True))
            shown = list(facet.values[:FACET_SHOWN]) + [
                v for v in facet.values[FACET_SHOWN:] if v.selected
            ]
            for value in shown:
                style = "bold" if value.selected else ""
                label = Text(f"{'■' if value.selected else '□'} ", style=style)
                label.append(value.value[:width], style=style)
                label.append(f" {value.count}", style="dim")
                options.append(Option(label, id=f"v:{facet.name}:{value.value}"))
        self.set_options(options)
        if cursor_id is not None:
            try:
                self.highlighted = self.get_option_index(cursor_id)
                return
            except OptionDoesNotExist:  # the value is gone from the list: keep the row
                pass
        if highlighted is not None and self.option_count:
            self.highlighted = min(highlighted, self.option_count - 1)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, facet, value = (event.option.id or "::").split(":", 2)
        if kind == "v":
            self.post_message(self.Toggled(facet, value))


class FilterLine(Static):
    """The chosen facet values, in words."""

    DEFAULT_CSS = "FilterLine { height: 1; padding: 0 1; color: $accent; }"
    shown = ""

    def show(self, chosen: dict[str, set[str]]) -> None:
        labels = facet_labels()
        parts = [
            f"{labels.get(f, f).lower()}: {', '.join(sorted(v))}" for f, v in chosen.items() if v
        ]
        text = ("Filters: " + " · ".join(parts) + "   (F8 clears)") if parts else ""
        if text != self.shown:  # one line always: no layout, only this line redrawn
            self.shown = text
            self.update(text, layout=False)


class StatusLine(Static):
    """One or two lines of what just happened; errors in the error colour."""

    DEFAULT_CSS = """
    StatusLine { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    StatusLine.error { color: $error; }
    """

    class Said(Message):
        """Something another part of the screen wants the status line to say."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    lines = 0

    def say(self, text: str, error: bool = False) -> None:
        """The screen is laid out again only when the line count changes (a search's
        status is said at every keystroke)."""
        self.set_class(error, "error")
        width = max(1, self.content_region.width)
        lines = 2 if "\n" in text or cell_len(text) > width else 1
        self.update(text, layout=lines != self.lines)
        self.lines = lines


PHASES = {"scan": "scanning", "extract": "reading", "write": "writing", "commit": "committing"}


class ProgressRow(Horizontal):
    """An index run: it starts it, shows its bar and phase, cancels it, and posts
    `Finished` with the report (or why it stopped). Shown only while a run goes on."""

    DEFAULT_CSS = """
    ProgressRow { height: 1; display: none; padding: 0 1; }
    ProgressRow.running { display: block; }
    ProgressRow #progress-label { width: 1fr; }
    """

    class Finished(Message):
        def __init__(self, outcome: IndexReport | str) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(self, service: SearchService) -> None:
        super().__init__(id="progress-row")
        self.service = service
        self.running, self.cancelled = threading.Event(), threading.Event()
        self.watching: threading.Event | None = None
        """Set while the corpus is watched; setting it stops the watch."""
        self.watch_note = ""
        """What the watch last did, for the status line ("watching: 1 added at 12:03")."""
        self.notes: tuple[Failure, ...] = ()
        """What the last index run had to say about files it indexed (listed by ctrl+n)."""

    def toggle_watch(self) -> bool:
        """Start or stop keeping the index current as files arrive, change or go; each
        update posts `Finished` like a run from F5. True when now watching."""
        if self.watching is not None:
            self.watching.set()
            self.watching, self.watch_note = None, ""
            return False
        stop = self.watching = threading.Event()
        self.watch_note = "watching the corpus folder"
        work = partial(self._watch, stop)
        self.app.run_worker(work, thread=True, group="watch", exit_on_error=False)
        return True

    def _watch(self, stop: threading.Event) -> None:
        for outcome in self.service.watch(stop):
            if stop.is_set():
                return
            if isinstance(outcome, SearchError):
                self.watch_note = f"watching; not updated: {outcome}"
                self.app.call_from_thread(self.post_message, self.Finished(str(outcome)))
                continue
            changed = len(outcome.added) + len(outcome.updated) + len(outcome.removed)
            if changed or outcome.failed:
                stamp = time.strftime("%H:%M")
                what = ", ".join(outcome.added[:2]) or f"{changed} changed"
                self.watch_note = f"watching: {what} at {stamp}"
                self.app.call_from_thread(self.post_message, self.Finished(outcome))

    def compose(self) -> ComposeResult:
        yield Label("", id="progress-label")
        yield ProgressBar(id="progress", show_eta=False)

    def run(self, rebuild: bool) -> None:
        """Start an index run in a thread (the app's worker: its one error handler applies)."""
        if self.running.is_set():
            self.app.notify("An index run is already going on", timeout=3)
            return
        self.running.set()
        self.cancelled.clear()
        self.add_class("running")
        self.say("rebuilding…" if rebuild else "reindexing…")
        work = partial(self._run, rebuild)
        self.app.run_worker(work, thread=True, exclusive=True, group="index", exit_on_error=False)

    def cancel(self) -> None:
        if self.running.is_set():
            self.cancelled.set()
            self.say("cancelling…")

    def _run(self, rebuild: bool) -> None:
        events: Generator[IndexProgress | IndexReport, None, None] | None = None
        outcome: IndexReport | str = "cancelled: the index is unchanged"
        try:
            events = self.service.index_events(rebuild=rebuild)
            for event in events:
                if self.cancelled.is_set():
                    events.close()  # the run cancels itself: the index stays as it was
                    break
                if isinstance(event, IndexReport):
                    outcome = event
                else:
                    self.app.call_from_thread(self.step, event)
        except SearchError as exc:
            outcome = str(exc)
        finally:
            self.running.clear()
            self.app.call_from_thread(self._finished, outcome)

    def _finished(self, outcome: IndexReport | str) -> None:
        if isinstance(outcome, IndexReport):
            self.notes = outcome.notes
        self.stop()
        self.post_message(self.Finished(outcome))

    def step(self, event: IndexProgress) -> None:
        self.query_one(ProgressBar).update(total=max(event.total, 1), progress=event.done)
        self.say(
            f"{PHASES.get(event.phase, event.phase)} {event.done}/{event.total} "
            f"{event.current[-30:]}  (escape cancels)"
        )

    def say(self, text: str) -> None:
        self.query_one(Label).update(text)

    def stop(self) -> None:
        self.remove_class("running")
