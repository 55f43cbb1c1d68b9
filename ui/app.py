"""The app: wires the widgets to the search service and runs its calls off the UI thread.

Everything it knows about documents comes through `SearchService` (and the plain records
of `search.models`); it never touches the index, the PDF parser or the language detector.
Every worker runs with `exit_on_error=False`; `on_worker_state_changed` is the one place
a failure of any of them is shown (status line and a notification), and the app lives on.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from search import render
from search.errors import IndexMissingError, QuerySyntaxError, SearchError
from search.models import AnswerResult, Hit, SearchResults
from search.service import SearchService
from search.settings import Settings
from ui import state as status
from ui.actions import bindings, palette
from ui.dialogs import AddUrlScreen, ConfirmScreen, ExportScreen, FailuresScreen, HelpScreen
from ui.outside import copy, export_to, show_source
from ui.reader import ReaderScreen
from ui.state import KeystrokeClock, UIState, facet_labels
from ui.widgets import (
    FacetPanel,
    FilterLine,
    ProgressRow,
    QueryBox,
    ResultsList,
    StatusLine,
)

DEBOUNCE_SECONDS = 0.04
FULL_COLLECTION_AFTER = 100
"""Young collections before Python considers a full one (its default, 10, made one every
dozen keystrokes at 100k passages: pauses of 25-35 ms while typing)."""


class SearchApp(App[None]):
    TITLE = "Multilingual search"
    CSS = "#body { height: 1fr; }"
    BINDINGS: ClassVar[list[BindingType]] = bindings()

    def __init__(self, settings: Settings, show_timing: bool = True, watch: bool = False) -> None:
        super().__init__()
        self.settings, self.show_timing, self.watch_corpus = settings, show_timing, watch
        self.service = SearchService(settings)
        self.state = UIState()
        self.results: SearchResults | None = None
        self.answer: AnswerResult | None = None
        self.failures = self.service.failed_files()
        """Files of the corpus that could not be indexed (ctrl+n lists them)."""
        self.export_dir = Path.cwd()
        self.searches = 0
        self.clock = KeystrokeClock()
        self.box = QueryBox(id="query")
        self.results_list = ResultsList(self.service)

    def compose(self) -> ComposeResult:
        yield self.box
        yield FilterLine(id="filters")
        with Horizontal(id="body"):
            yield FacetPanel(facet_labels())
            yield self.results_list
        yield ProgressRow(self.service)
        yield StatusLine(id="status")
        yield Footer()

    def say(self, text: str, error: bool = False) -> None:
        self.query_one(StatusLine).say(text, error)

    def on_status_line_said(self, event: StatusLine.Said) -> None:
        self.say(event.text)

    def on_mount(self) -> None:
        self.box.focus()  # (the screen's size came before: `on_resize`)
        if self.watch_corpus:
            self.action_toggle_watch()
        if self.watch_corpus or self.service.index_exists():  # a watch builds a missing one
            self.run_search()
            work = partial(prepare, self.service)
            self.run_worker(work, thread=True, group="prepare", exit_on_error=False)
            return
        self.show_no_index()
        question = f"There is no index yet.\nBuild it now from {self.settings.corpus_dir}?"
        self.push_screen(
            ConfirmScreen(question, "Build the index"),
            lambda build: self.action_reindex() if build else None,
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from palette(self)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            title = error.title if isinstance(error, SearchError) else type(error).__name__
            self.say(f"{title}: {error}", error=True)
            self.notify(f"{title}: {error}", severity="error", timeout=8)

    # -- searching and asking

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        if self.state.mode == "search":  # a question is asked with enter, not per keystroke
            self.state.text = event.value
            self.clock.typed()
            self.run_search()

    @on(Input.Submitted, "#query")
    def query_submitted(self, event: Input.Submitted) -> None:
        if self.state.mode == "search":
            self.results_list.focus()
        elif event.value.strip():
            self.state.question = event.value.strip()
            self.say("thinking…")
            self.run_ask()

    def action_toggle_mode(self) -> None:
        self.state.mode = "ask" if self.state.mode == "search" else "search"
        if self.state.mode == "ask":
            self.results_list.show_message("", "Answers")
            self.say("Ask mode: type a question and press enter")
        else:
            self.state.text = self.box.value
            self.run_search(debounce=0)
        self.box.show_mode(self.state.mode)

    @work(exit_on_error=False, exclusive=True, group="search")
    async def run_search(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        """Search after a short pause in typing; a newer search cancels this one."""
        await asyncio.sleep(debounce)
        request = self.state.request()
        try:
            results = await asyncio.to_thread(self.service.search, request)
        except QuerySyntaxError as exc:  # typing goes on: said in the status line, no toast
            self.say(str(exc), error=True)
            return
        except IndexMissingError:
            self.show_no_index()
            return
        if request != self.state.request():
            return  # the user changed something while it ran: a newer search is coming
        self.results, self.searches = results, self.searches + 1
        self.show_results(results)
        self.call_after_refresh(self.clock.results_drawn())

    def show_results(self, results: SearchResults, title: str = "") -> None:
        total = render.plural(results.total_documents, "document")
        self.results_list.show_results(results, title or f"Results: {total}")
        self.query_one(FacetPanel).show(results.facets)
        self.query_one(FilterLine).show(self.state.selected)
        row = self.query_one(ProgressRow)
        writer = None if row.running.is_set() else self.service.writer_pid()
        failing, note = len(self.failures), row.watch_note
        self.say(status.search_status(results, self.state, failing, writer, self.show_timing, note))

    @work(exit_on_error=False, exclusive=True, group="search")
    async def run_ask(self) -> None:
        result = await asyncio.to_thread(
            self.service.ask, self.state.question, self.state.request()
        )
        self.answer = result
        shown = [*[a.hit for a in result.answers], *result.closest]
        self.query_one(FacetPanel).show(self.service.facets_of(shown, self.state.selected))
        self.query_one(FilterLine).show(self.state.selected)
        line, title = status.answer_status(result, self.show_timing)
        self.results_list.show_answer(result, title)
        self.say(line)

    @on(FacetPanel.Toggled)
    def facet_toggled(self, event: FacetPanel.Toggled) -> None:
        self.state.toggle(event.facet, event.value)
        if self.state.mode == "search":
            self.run_search(debounce=0)
        elif self.state.question:
            self.run_ask()

    def show_no_index(self) -> None:
        self.results_list.show_message(status.no_index(self.settings.index_dir))
        self.say("no index yet: F5 builds it")

    # -- the highlighted result

    @on(ResultsList.OptionSelected, "#results")
    def result_chosen(self) -> None:
        if (hit := self.results_list.current()) is not None:
            self.open_reader(hit)

    @work(exit_on_error=False, exclusive=True, group="reader")
    async def open_reader(self, hit: Hit) -> None:
        pages = await asyncio.to_thread(self.service.document_pages, hit.doc_id)
        query = self.state.text
        if self.state.mode == "ask" and self.answer is not None:
            query = " OR ".join(self.answer.keywords)
        if pages:
            mark = partial(self.service.mark, query=query, cross_lingual=self.state.cross_lingual)
            await self.push_screen(ReaderScreen(hit, pages, mark, self.settings.corpus_dir))

    def action_copy_citation(self) -> None:
        if (hit := self.results_list.current()) is not None:
            copy(self, render.citation(hit))

    def action_open_source(self) -> None:
        if (hit := self.results_list.current()) is not None:
            show_source(self, self.settings.corpus_dir, hit, hit.page)

    def action_more_like(self) -> None:
        self.results_list.more_like(self.state.page_size)

    # -- the other actions

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_focus_query(self) -> None:
        self.box.focus()

    def action_show_failures(self) -> None:
        if not isinstance(self.screen, FailuresScreen):
            notes = self.query_one(ProgressRow).notes
            self.push_screen(FailuresScreen(self.failures, self.settings.corpus_dir, notes))

    def action_toggle_facets(self) -> None:
        self.query_one(FacetPanel).toggle_class("hidden")

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(FacetPanel).fit_to(event.size.width)
        self.state.fit_page(event.size.height)

    def action_take_suggestion(self) -> None:
        r = self.results
        if self.state.mode != "search" or r is None or not r.suggestion:
            self.notify("No other spelling to take", timeout=2)
            return
        self.box.value = r.suggestion
        self.box.cursor_position = len(r.suggestion)

    def action_toggle_sort(self) -> None:
        self.state.sort = "year" if self.state.sort == "relevance" else "relevance"
        self.run_search(debounce=0)

    def action_toggle_cross_lingual(self) -> None:
        self.state.cross_lingual = not self.state.cross_lingual
        self.notify(f"Cross-lingual expansion {'on' if self.state.cross_lingual else 'off'}")
        self.run_search(debounce=0)

    def action_clear_filters(self) -> None:
        self.state.selected.clear()
        self.run_search(debounce=0)

    def action_export(self) -> None:
        answer = self.answer if self.state.mode == "ask" else None
        if answer is None and (self.state.mode == "ask" or self.results is None):
            self.notify("Nothing to export yet", timeout=3)
            return
        request = self.state.request()
        folder, service = self.export_dir, self.service
        self.push_screen(ExportScreen(lambda fmt: export_to(folder, fmt, service, request, answer)))

    def action_add_url(self) -> None:
        self.push_screen(
            AddUrlScreen(lambda url: self.service.add_url(url).path, self.action_reindex)
        )

    # -- the index

    def action_toggle_watch(self) -> None:
        watching = self.query_one(ProgressRow).toggle_watch()
        self.notify("Watching the corpus folder" if watching else "No longer watching", timeout=3)

    def action_reindex(self, rebuild: bool = False) -> None:
        self.query_one(ProgressRow).run(rebuild)

    def action_cancel_index(self) -> None:
        self.query_one(ProgressRow).cancel()

    @on(ProgressRow.Finished)
    def index_finished(self, event: ProgressRow.Finished) -> None:
        self.failures = self.service.failed_files()
        message, severity = status.index_outcome(event.outcome)
        self.notify(message, severity=severity, timeout=6)  # type: ignore[arg-type]
        self.run_search(debounce=0)


def prepare(service: SearchService) -> None:
    """Load what the first query and the first F5 would wait for while the person reads the
    screen; then take everything loaded so far out of the garbage collector's way. Its full
    collections walked all of Textual's and the index's objects: pauses of 35-42 ms that
    were the slowest keystrokes at 100k passages. Objects made later are collected as
    before, fully when typing pauses (`QueryBox`) or after `FULL_COLLECTION_AFTER` young
    collections."""
    service.prepare()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)


def make_app(settings: Settings, show_timing: bool = True, watch: bool = False) -> SearchApp:
    """The app over an explicit index and corpus (tests point it at fixture data)."""
    return SearchApp(settings, show_timing=show_timing, watch=watch)
