"""The terminal UI: search as you type, facets, a reader, reindexing.

    python tui.py [--index DIR] [--corpus DIR]

Everything it knows about documents comes through the `search` package's public API
(`search.service`, `search.models`, `search.render`); it never touches the index,
the PDF parser or the language detector itself.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import Worker, WorkerState

from search import clipboard, render
from search.errors import IndexMissingError, QuerySyntaxError, SearchError
from search.models import (
    Answer,
    AnswerResult,
    Facet,
    Failure,
    Hit,
    IndexProgress,
    IndexReport,
    Mode,
    PageView,
    SearchRequest,
    SearchResults,
    Segment,
    Sort,
    unsupported_summary,
)
from search.service import SearchService
from search.settings import Settings, default_settings

DEBOUNCE_SECONDS = 0.04
PAGE_SIZE = 40
FACET_LABELS = {
    "country": "Country",
    "lang": "Language",
    "doc_type": "Type",
    "year": "Year",
    "organisation": "Organisation",
    "municipality": "Municipality",
    "source": "Source",
}
FACET_SHOWN = 8
MATCH_STYLE = "bold reverse"


@dataclass(frozen=True, slots=True)
class Action:
    """One thing a person can do: its keys, and the words the footer, the command palette
    and the help screen use for it. Bindings, palette and help are all made from ACTIONS."""

    keys: str
    """Textual key names, comma-separated ("f5,ctrl+r"); empty for a key handled in place."""
    name: str
    """The app's action method (`action_<name>`); empty for keys that only the help names."""
    label: str
    help: str
    footer: bool = False
    shown_keys: str = ""
    """How the help writes the keys, where that is not derived from `keys`."""

    @property
    def key_text(self) -> str:
        if self.shown_keys:
            return self.shown_keys
        return " or ".join(
            k.upper() if k.startswith("f") and k[1:].isdigit() else k for k in self.keys.split(",")
        )


def shown_only(keys: str, help: str) -> Action:
    """A key the help names that is no action of the app (typing, tab, the reader's keys)."""
    return Action("", "", "", help, shown_keys=keys)


ACTIONS: tuple[Action, ...] = (
    shown_only(
        "type",
        'search as you type; "phrase", -word, OR, prefix*, fuzzy~, country:LV year:2015..2018',
    ),
    Action(
        "ctrl+l,slash",
        "focus_query",
        "Search box",
        "back to the search box",
        shown_keys="ctrl+l or /",
    ),
    shown_only("tab / shift+tab", "move between search box, facets and results"),
    shown_only(
        "enter or space",
        "on a facet value: select or unselect it (values of one facet combine with OR)",
    ),
    Action("f8", "clear_filters", "Clear filters", "clear all facet filters"),
    Action(
        "ctrl+b",
        "toggle_facets",
        "Filters",
        "hide or show the filter pane (more room for results on a small terminal)",
        footer=True,
    ),
    Action(
        "ctrl+t",
        "take_suggestion",
        "Did you mean",
        'take the "did you mean" spelling the status line offers',
    ),
    shown_only("enter", "on a result: open it in the reader"),
    Action(
        "ctrl+y",
        "copy_citation",
        "Copy citation",
        "copy the citation of the highlighted result",
        shown_keys="c or ctrl+y",
    ),
    Action(
        "ctrl+o",
        "open_source",
        "Open source",
        "open the source file (at the page) in the system viewer",
        shown_keys="o or ctrl+o",
    ),
    Action(
        "",
        "more_like",
        "More like this",
        "more like this: documents similar to the highlighted result",
        shown_keys="m",
    ),
    Action("f4", "toggle_sort", "Sort", "sort by relevance or by year"),
    Action(
        "f7",
        "toggle_cross_lingual",
        "Cross-lingual",
        "cross-lingual on/off: concepts of the glossary also in the other languages",
    ),
    Action(
        "f9",
        "toggle_mode",
        "Ask",
        "Ask mode / Search mode: ask a question (enter), get cited answer sentences",
        footer=True,
    ),
    Action(
        "f3",
        "export",
        "Export",
        "export all results (in Ask mode the answers) as CSV, JSON or Markdown",
        footer=True,
    ),
    Action(
        "f5,ctrl+r",
        "reindex",
        "Reindex",
        "reindex: add new, replace changed, drop removed documents",
        footer=True,
    ),
    Action(
        "f6",
        "rebuild",
        "Rebuild",
        "full rebuild of the index (the old one stays usable until it is done)",
    ),
    Action(
        "escape", "cancel_index", "Cancel", "cancel a running reindex; close the reader or a dialog"
    ),
    Action("f2", "add_url", "Add URL", "add a web page by its URL"),
    Action(
        "ctrl+n",
        "show_failures",
        "Files not indexed",
        "the files that could not be indexed, and why",
    ),
    shown_only("ctrl+p", "command palette: every action by name"),
    Action("f1,question_mark", "help", "Help", "this help", footer=True, shown_keys="F1 or ?"),
    shown_only("ctrl+q", "quit"),
    shown_only("reader: n / N", "next / previous match, on to the next page that has one"),
    shown_only("reader: right / left", "next / previous page"),
)
FOOTER = ("help", "reindex", "export", "toggle_mode", "toggle_facets")
"""The footer's keys, in this order (the rest are in F1's help and the palette)."""
KEYS: tuple[tuple[str, str], ...] = tuple((a.key_text, a.help) for a in ACTIONS)
"""The help screen's rows."""


@dataclass
class UIState:
    """What the user has asked for; the search request is derived from it."""

    text: str = ""
    selected: dict[str, set[str]] = field(default_factory=dict)
    sort: Sort = "relevance"
    cross_lingual: bool = False

    def request(self, page_size: int = PAGE_SIZE) -> SearchRequest:
        filters = tuple((f, tuple(sorted(v))) for f, v in sorted(self.selected.items()) if v)
        return SearchRequest(
            text=self.text,
            filters=filters,
            sort=self.sort,
            page_size=page_size,
            cross_lingual=self.cross_lingual,
        )

    def toggle(self, facet: str, value: str) -> None:
        chosen = self.selected.setdefault(facet, set())
        chosen.symmetric_difference_update({value})


def styled(segments: Iterable[Segment]) -> Text:
    """Snippet segments as Rich text, the matched words marked (works in any theme)."""
    text = Text()
    for seg in segments:
        text.append(re.sub(r"\s+", " ", seg.text), MATCH_STYLE if seg.match else "")
    return text


def hit_prompt(hit: Hit) -> Text:
    meta = " · ".join(
        part
        for part in (
            ",".join(hit.country),
            hit.language,
            hit.doc_type,
            str(hit.year or ""),
            render.where_in(hit)[:40],
            f"+{hit.more_in_document} more in this document" if hit.more_in_document else "",
        )
        if part
    )
    prompt = Text(hit.title, style="bold")
    prompt.append("\n" + meta + "\n", style="dim")
    prompt.append_text(styled(hit.snippet))
    prompt.append("\n")
    return prompt


def answer_prompt(answer: Answer) -> Text:
    """An answer card: the sentence, its context, its citation."""
    prompt = styled(answer.sentence)
    if answer.before or answer.after:
        prompt.append(
            f"\n… {answer.after[:160]}" if answer.after else f"\n{answer.before[-160:]} …",
            style="dim",
        )
    prompt.append(f"\n— {render.citation(answer.hit)}\n", style="italic")
    return prompt


def viewer_command(path: Path, page: int) -> list[str] | None:
    """A command that opens a file at a page in whatever viewer this machine has."""
    if path.suffix.lower() == ".pdf":
        for name, args in (
            ("evince", ["-i", str(page)]),
            ("okular", ["-p", str(page)]),
            ("zathura", ["-P", str(page)]),
        ):
            if shutil.which(name):
                return [name, *args, str(path)]
    for opener in ("xdg-open", "open"):
        if shutil.which(opener):
            return [opener, str(path)]
    return None


# ------------------------------------------------------------------- modal screens


class HelpScreen(Screen[None]):
    """Every key, on a screen of its own (escape returns)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
        for key, what in KEYS:
            table.add_row(key, what)
        with Vertical(id="help-box"):
            yield Label("Keys", id="help-title")
            with VerticalScroll():
                yield Static(table, id="help-keys")
            yield Label("escape closes", id="help-hint")
        yield Footer()

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(result)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "no", "Not now")]

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        self.question, self.yes = question, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button("Not now", id="no")

    @on(Button.Pressed)
    def answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_no(self) -> None:
        self.dismiss(False)


class AddUrlScreen(ModalScreen[str]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "Add a web page (http or https). It is saved under corpus/web/ and indexed."
            )
            yield Input(placeholder="https://…", id="url")
            with Horizontal(classes="buttons"):
                yield Button("Add", variant="primary", id="add")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#add")
    def submit(self) -> None:
        self.dismiss(self.query_one("#url", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss("")


class ExportScreen(ModalScreen[str]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Export every result with its citation as:")
            yield OptionList(
                Option("CSV", id="csv"),
                Option("JSON", id="json"),
                Option("Markdown", id="md"),
                id="formats",
            )

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or "")

    def action_cancel(self) -> None:
        self.dismiss("")


class FailuresScreen(ModalScreen[None]):
    """The files that could not be indexed, each with the reason."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,ctrl+n", "close", "Close")]

    def __init__(self, failures: tuple[Failure, ...], corpus: Path) -> None:
        super().__init__()
        self.failures, self.corpus = failures, corpus

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, expand=True, padding=(0, 1))
        table.add_column("file", style="bold", overflow="fold", ratio=2)
        table.add_column("why it could not be read", ratio=3)
        for f in self.failures:
            table.add_row(f.key, f.reason)
        with Vertical(classes="dialog wide"):
            yield Static(
                f"{render.plural(len(self.failures), 'file')} in {self.corpus} could not be "
                "indexed. They are read again when they change (or on F6)."
                if self.failures
                else "Every file of the corpus was indexed."
            )
            with VerticalScroll(id="failures-list"):
                yield Static(table)
            yield Label("escape closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ReaderScreen(Screen[None]):
    """A document page by page, with every match of the query marked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("n", "match(1)", "Next match"),
        Binding("N", "match(-1)", "Prev match"),
        Binding("right,pagedown", "page(1)", "Next page"),
        Binding("left,pageup", "page(-1)", "Prev page"),
        Binding("c", "copy", "Copy citation"),
        Binding("o", "open", "Open source"),
    ]

    def __init__(self, hit: Hit, pages: list[PageView], query: str) -> None:
        super().__init__()
        self.hit, self.pages, self.query_text = hit, pages, query
        numbers = [p.number for p in pages]
        self.index = numbers.index(hit.page) if hit.page in numbers else 0
        self.match = -1
        self.match_widgets: list[Static] = []
        self.marked: dict[int, list[tuple[Segment, ...]]] = {}
        """Per page index: each passage's text with the query's matches marked."""

    def compose(self) -> ComposeResult:
        yield Static(id="reader-title")
        yield VerticalScroll(id="reader-body")
        yield Footer()

    def on_mount(self) -> None:
        self.show_page(focus_passage=self.hit.passage_id)

    @property
    def app_(self) -> SearchApp:
        assert isinstance(self.app, SearchApp)
        return self.app

    def citation(self) -> str:
        """The citation of the page or section on screen (not the one the search found)."""
        page = self.pages[self.index]
        return render.citation(self.hit, page.number, page.heading)

    def marks(self, index: int) -> list[tuple[Segment, ...]]:
        if index not in self.marked:
            self.marked[index] = [
                self.app_.marked(p.text, p.language, self.query_text)
                for p in self.pages[index].passages
            ]
        return self.marked[index]

    def show_page(self, focus_passage: str = "") -> None:
        page = self.pages[self.index]
        unit = "page" if self.hit.source == "pdf" else "section"
        title = Text(self.hit.title, style="bold")
        section = "" if render.where_in(self.hit, page.number, page.heading) == "" else page.heading
        title.append(
            f"\n{unit} {page.number} ({self.index + 1} of {len(self.pages)})"
            + (f" · {section}" if section else "")
            + f" · {self.citation()}",
            style="dim",
        )
        self.query_one("#reader-title", Static).update(title)
        body = self.query_one("#reader-body", VerticalScroll)
        body.remove_children()
        self.match_widgets, self.match = [], -1
        focus_widget: Static | None = None
        widgets = []
        for passage, segments in zip(page.passages, self.marks(self.index), strict=True):
            widget = Static(styled(segments), classes="passage")
            if passage.id == focus_passage:
                widget.add_class("current-passage")
                focus_widget = widget
            if any(s.match for s in segments):
                self.match_widgets.append(widget)
            widgets.append(widget)
        body.mount_all(widgets)
        if focus_widget is not None:
            self.call_after_refresh(body.scroll_to_widget, focus_widget, animate=False, top=True)

    def action_match(self, step: int) -> None:
        """The next (or previous) match: on this page, else on the nearest page with one."""
        if 0 <= self.match < len(self.match_widgets):
            self.match_widgets[self.match].remove_class("current-match")
        wanted = self.match + step if self.match >= 0 or step > 0 else len(self.match_widgets) - 1
        if not 0 <= wanted < len(self.match_widgets):
            other = self.page_with_match(step)
            if other is None:
                self.notify("No other match in this document", timeout=2)
                if self.match_widgets:
                    wanted = self.match if self.match >= 0 else 0
                else:
                    return
            else:
                self.index = other
                self.show_page()
                wanted = 0 if step > 0 else len(self.match_widgets) - 1
        self.match = wanted
        target = self.match_widgets[self.match]
        target.add_class("current-match")
        self.query_one("#reader-body", VerticalScroll).scroll_to_widget(
            target, animate=False, top=True
        )

    def page_with_match(self, step: int) -> int | None:
        """The nearest other page after (step 1) or before (step -1) this one with a match,
        going round past the end (or the start) of the document."""
        count = len(self.pages)
        for k in range(1, count):
            i = (self.index + step * k) % count
            if any(s.match for segments in self.marks(i) for s in segments):
                if (i < self.index) == (step > 0):
                    self.notify(
                        "From the start of the document" if step > 0 else "From the end",
                        timeout=2,
                    )
                return i
        return None

    def action_page(self, step: int) -> None:
        new = self.index + step
        if 0 <= new < len(self.pages):
            self.index = new
            self.show_page()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        self.app_.copy_text(self.citation())

    def action_open(self) -> None:
        self.app_.open_source(self.hit, self.pages[self.index].number)


# ------------------------------------------------------------------------- the app


class SearchApp(App[None]):
    TITLE = "Multilingual search"
    CSS = """
    #query { margin: 0 0; }
    #status { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    #status.error { color: $error; }
    #filters { height: 1; padding: 0 1; color: $accent; }
    #body { height: 1fr; }
    #facets { width: 28; border: round $panel; }
    #facets.narrow { width: 22; }
    #facets.hidden { display: none; }
    #results { width: 1fr; border: round $panel; }
    #facets:focus, #results:focus { border: round $accent; }
    #progress-row { height: 1; display: none; padding: 0 1; }
    #progress-row.running { display: block; }
    #progress-label { width: 1fr; }
    #reader-title { height: auto; padding: 0 1; border-bottom: solid $panel; }
    #reader-body { padding: 0 1; }
    .passage { margin: 0 0 1 0; color: $text-muted; }
    .current-passage { color: $text; border-left: thick $accent; padding-left: 1; }
    .current-match { background: $boost; border-left: thick $warning; padding-left: 1; }
    #help-box { height: 1fr; border: round $accent; padding: 0 1; }
    ModalScreen { align: center middle; }
    .dialog { width: 70; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    .dialog.wide { width: 90%; max-height: 90%; }
    #failures-list { height: auto; max-height: 20; }
    .hint { color: $text-muted; }
    .buttons { height: auto; margin-top: 1; }
    .buttons Button { margin-right: 2; }
    """
    # The footer shows the everyday keys and fits 80 columns; F1 lists every key.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(a.keys, a.name, a.label, show=a.footer)
        for a in sorted(ACTIONS, key=lambda a: FOOTER.index(a.name) if a.footer else len(FOOTER))
        if a.keys and a.name
    ]

    def __init__(self, settings: Settings, show_timing: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.show_timing = show_timing
        self.state = UIState()
        self.results: SearchResults | None = None
        self.service = SearchService(settings)
        self.indexing = threading.Event()
        self.cancel_requested = threading.Event()
        self.searches = 0
        self.export_dir = Path.cwd()
        self.mode: Mode = "search"
        self.page_size = PAGE_SIZE
        self.shown_hits: list[Hit] = []
        """Every result shown so far: the first page, and the pages loaded by scrolling on."""
        self.answer_hits: list[Hit] = []
        self.answer: AnswerResult | None = None
        self.question = ""
        self.failures: tuple[Failure, ...] = ()
        """Files of the corpus that could not be indexed (ctrl+n lists them)."""
        self.typed_at: float | None = None
        self.render_latencies: list[float] = []
        """Milliseconds from a keystroke in the search box to the refreshed results (for `make bench`)."""

    # -- layout

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search sv · lv · ru · en  (F1 help)", id="query")
        yield Static("", id="filters")
        with Horizontal(id="body"):
            yield OptionList(id="facets")
            yield OptionList(id="results")
        with Horizontal(id="progress-row"):
            yield Label("", id="progress-label")
            yield ProgressBar(id="progress", show_eta=False)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#facets", OptionList).border_title = "Filters"
        self.query_one("#results", OptionList).border_title = "Results"
        self.query_one("#query", Input).focus()
        self.failures = self.service.failed_files()
        self.fit_to(self.size.width)
        if not self.service.index_exists():
            self.show_no_index()
            self.push_screen(
                ConfirmScreen(
                    f"There is no index yet.\nBuild it now from {self.settings.corpus_dir}?",
                    "Build the index",
                ),
                lambda build: self.action_reindex() if build else None,
            )
        else:
            self.run_search()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for a in ACTIONS:
            if a.name and a.name != "cancel_index":
                help_text = a.help[:1].upper() + a.help[1:]
                yield SystemCommand(
                    a.label, f"{help_text} ({a.key_text})", getattr(self, f"action_{a.name}")
                )

    # -- searching

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        if self.mode == "ask":
            return  # a question is asked with enter, not per keystroke
        self.state.text = event.value
        self.typed_at = time.perf_counter()
        self.run_search()

    @on(Input.Submitted, "#query")
    def query_submitted(self, event: Input.Submitted) -> None:
        if self.mode == "ask":
            if event.value.strip():
                self.question = event.value.strip()
                self.set_status("thinking…")
                self.run_ask(self.question)
            return
        self.query_one("#results", OptionList).focus()

    def action_toggle_mode(self) -> None:
        self.mode = "ask" if self.mode == "search" else "search"
        box = self.query_one("#query", Input)
        results = self.query_one("#results", OptionList)
        if self.mode == "ask":
            box.placeholder = "Ask a question in any language, then enter  (F9: back to search)"
            results.border_title = "Answers"
            results.set_options([])
            self.set_status("Ask mode: type a question and press enter")
        else:
            box.placeholder = "Search sv · lv · ru · en  (F1 help)"
            self.state.text = box.value
            self.run_search(debounce=0)
        box.focus()

    @work(exit_on_error=False, exclusive=True, group="search")
    async def run_ask(self, question: str) -> None:
        try:
            result = await asyncio.to_thread(self.service.ask, question, self.state.request())
        except SearchError as exc:
            self.set_status(str(exc), error=True)
            return
        self.answer = result
        self.show_facets(
            SearchService.facets_of(
                [*[a.hit for a in result.answers], *result.closest], self.state.selected
            )
        )
        self.show_filters()
        results = self.query_one("#results", OptionList)
        if result.confident:
            self.answer_hits = [a.hit for a in result.answers]
            results.set_options(
                Option(answer_prompt(a), id=f"a{i}") for i, a in enumerate(result.answers)
            )
            results.border_title = f"Answers: {len(result.answers)}"
            named = [f"{FACET_LABELS[f].lower()} {', '.join(v)}" for f, v in result.filters]
            status = f"{len(result.answers)} answers" + (
                f" · from the question: {'; '.join(named)}" if named else ""
            )
        else:
            self.answer_hits = list(result.closest)
            results.set_options(
                Option(hit_prompt(h), id=f"c{i}") for i, h in enumerate(result.closest)
            )
            results.border_title = (
                "No passage answers this well: the closest passages"
                if result.closest
                else "Nothing matches the words of this question"
            )
            status = "no passage answers this well" + (
                "; the closest passages are shown"
                if result.closest
                else f"; nothing in the collection matches {', '.join(result.keywords)}"
            )
        if self.show_timing:
            status += f" · {result.elapsed_ms:.0f} ms"
        self.set_status(status)
        if results.option_count:
            results.highlighted = 0

    @work(exit_on_error=False, exclusive=True, group="search")
    async def run_search(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        """Search after a short pause in typing; a newer search cancels this one."""
        await asyncio.sleep(debounce)
        request = self.state.request(self.page_size)
        try:
            results = await asyncio.to_thread(self.service.search, request)
        except QuerySyntaxError as exc:
            self.set_status(str(exc), error=True)
            return
        except IndexMissingError:
            self.show_no_index()
            return
        except SearchError as exc:
            self.set_status(str(exc), error=True)
            return
        if request != self.state.request(self.page_size):
            return  # the user changed something while it ran: a newer search is coming
        self.results = results
        self.searches += 1
        self.show_results(results)
        if self.typed_at is not None:
            typed, self.typed_at = self.typed_at, None
            self.call_after_refresh(
                lambda: self.render_latencies.append((time.perf_counter() - typed) * 1000)
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure in one place: shown in the status line with its title, and
        the app lives on (no worker ends the app: they all run with exit_on_error off)."""
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            title = error.title if isinstance(error, SearchError) else type(error).__name__
            self.set_status(f"{title}: {error}", error=True)
            self.notify(f"{title}: {error}", severity="error", timeout=8)
            if self.query_one("#progress-row").has_class("running") and not self.indexing.is_set():
                self.query_one("#progress-row").remove_class("running")

    def marked(self, text: str, language: str, query: str) -> tuple[Segment, ...]:
        try:
            return self.service.mark(text, language, query, self.state.cross_lingual)
        except SearchError:
            return (Segment(text),)

    def show_results(self, results: SearchResults) -> None:
        hits = self.query_one("#results", OptionList)
        highlighted = hits.highlighted
        self.shown_hits = list(results.hits)
        hits.set_options(Option(hit_prompt(h), id=h.passage_id) for h in results.hits)
        if results.hits:
            hits.highlighted = min(highlighted or 0, len(results.hits) - 1)
        hits.border_title = f"Results: {render.plural(results.total_documents, 'document')}"
        self.show_facets(results.facets)
        self.show_filters()
        parts = [
            f"{render.plural(results.total_documents, 'document')}, "
            f"{render.plural(results.total_passages, 'passage')}"
        ]
        if results.hits and len(results.hits) < results.total_documents:
            parts.append(f"showing {len(results.hits)}, more as you scroll")
        if self.state.sort == "year":
            parts.append("sorted by year")
        if self.state.cross_lingual:
            parts.append("cross-lingual")
        if self.show_timing:
            parts.append(f"{results.elapsed_ms:.0f} ms")
        if results.suggestion:
            parts.append(f"did you mean: {results.suggestion} (ctrl+t)")
        if not results.hits:
            parts.append(self.empty_hint(results))
        if self.failures:
            parts.append(f"{render.plural(len(self.failures), 'file')} not indexed (ctrl+n)")
        pid = self.service.writer_pid()
        if pid is not None and not self.indexing.is_set():
            parts.append(
                f"index being updated by another process (pid {pid}); showing the current one"
            )
        self.set_status(" · ".join(p for p in parts if p))

    def empty_hint(self, results: SearchResults) -> str:
        if any(self.state.selected.values()):
            wider = [
                f"{FACET_LABELS[f.name].lower()} {v.value} ({v.count})"
                for f in results.facets
                for v in f.values
                if v.count and not v.selected
            ][:3]
            return "no results with these filters" + (
                f"; try {', '.join(wider)}" if wider else "; F8 clears them"
            )
        return "no results"

    def show_facets(self, facets: tuple[Facet, ...]) -> None:
        """Facet values in a steady order (by count, as the engine gives them): toggling a
        value leaves it, and the cursor on it, where it was."""
        panel = self.query_one("#facets", OptionList)
        highlighted = panel.highlighted
        cursor_id = (
            panel.get_option_at_index(highlighted).id
            if highlighted is not None and highlighted < panel.option_count
            else None
        )
        options: list[Option | None] = []
        width = 12 if panel.has_class("narrow") else 18
        for facet in facets:
            if not facet.values:
                continue
            options.append(
                Option(
                    Text(FACET_LABELS[facet.name].upper(), style="bold"),
                    id=f"h:{facet.name}",
                    disabled=True,
                )
            )
            shown = list(facet.values[:FACET_SHOWN]) + [
                v for v in facet.values[FACET_SHOWN:] if v.selected
            ]
            for value in shown:
                mark = "■" if value.selected else "□"
                label = Text(f"{mark} ", style="bold" if value.selected else "")
                label.append(value.value[:width], style="bold" if value.selected else "")
                label.append(f" {value.count}", style="dim")
                options.append(Option(label, id=f"v:{facet.name}:{value.value}"))
        panel.set_options(o for o in options if o is not None)
        if cursor_id is not None:
            try:
                panel.highlighted = panel.get_option_index(cursor_id)
                return
            except OptionDoesNotExist:  # the value is gone from the list: keep the row
                pass
        if highlighted is not None and panel.option_count:
            panel.highlighted = min(highlighted, panel.option_count - 1)

    def show_filters(self) -> None:
        chosen = [
            f"{FACET_LABELS[f].lower()}: {', '.join(sorted(v))}"
            for f, v in self.state.selected.items()
            if v
        ]
        text = ("Filters: " + " · ".join(chosen) + "   (F8 clears)") if chosen else ""
        self.query_one("#filters", Static).update(text)

    def show_no_index(self) -> None:
        self.query_one("#results", OptionList).set_options(
            [
                Option(
                    Text(
                        f"No index yet at {self.settings.index_dir}.\n"
                        "Press F5 to build it from the corpus folder.",
                        style="bold",
                    ),
                    disabled=True,
                )
            ]
        )
        self.set_status("no index yet: F5 builds it")

    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.set_class(error, "error")
        status.update(text)

    @on(OptionList.OptionSelected, "#facets")
    def facet_chosen(self, event: OptionList.OptionSelected) -> None:
        kind, facet, value = (event.option.id or "::").split(":", 2)
        if kind == "v":
            self.state.toggle(facet, value)
            if self.mode == "ask":
                if self.question:
                    self.run_ask(self.question)
            else:
                self.run_search(debounce=0)

    @on(OptionList.OptionHighlighted, "#results")
    def near_the_end(self, event: OptionList.OptionHighlighted) -> None:
        """Scrolling to the last results loads the next page of them."""
        r = self.results
        if self.mode != "search" or r is None or r.request.text != self.state.text:
            return
        if (
            event.option_index >= len(self.shown_hits) - 1
            and len(self.shown_hits) < r.total_documents
        ):
            self.load_more(len(self.shown_hits) // self.page_size + 1)

    @work(exit_on_error=False, exclusive=True, group="more")
    async def load_more(self, page: int) -> None:
        request = replace(self.state.request(self.page_size), page=page)
        try:
            results = await asyncio.to_thread(self.service.search, request)
        except SearchError:
            return  # the query changed since (and its own search shows what is wrong)
        if request.text != self.state.text or len(self.shown_hits) != (page - 1) * self.page_size:
            return  # a new search started, or this page is in already
        self.shown_hits += results.hits
        self.query_one("#results", OptionList).add_options(
            Option(hit_prompt(h), id=h.passage_id) for h in results.hits
        )

    @on(OptionList.OptionSelected, "#results")
    def result_chosen(self, event: OptionList.OptionSelected) -> None:
        hit = self.current_hit()
        if hit is not None:
            self.open_reader(hit)

    def current_hit(self) -> Hit | None:
        hits = self.query_one("#results", OptionList)
        if self.mode == "ask":
            index = hits.highlighted
            return (
                self.answer_hits[index]
                if index is not None and index < len(self.answer_hits)
                else None
            )
        if hits.highlighted is None or hits.highlighted >= len(self.shown_hits):
            return None
        return self.shown_hits[hits.highlighted]

    @work(exit_on_error=False, exclusive=True, group="reader")
    async def open_reader(self, hit: Hit) -> None:
        try:
            pages = await asyncio.to_thread(self.service.document_pages, hit.doc_id)
        except SearchError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        query = self.state.text
        if self.mode == "ask" and self.answer is not None:
            query = " OR ".join(self.answer.keywords)
        if pages:
            await self.push_screen(ReaderScreen(hit, pages, query))

    def on_key(self, event: Any) -> None:
        if self.focused is not self.query_one("#results", OptionList):
            return
        actions: dict[str, Callable[[], object]] = {
            "c": self.action_copy_citation,
            "o": self.action_open_source,
            "m": self.action_more_like,
        }
        if event.character in actions:
            actions[event.character]()
            event.stop()

    # -- actions

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_focus_query(self) -> None:
        self.query_one("#query", Input).focus()

    def action_show_failures(self) -> None:
        if not isinstance(self.screen, FailuresScreen):
            self.push_screen(FailuresScreen(self.failures, self.settings.corpus_dir))

    def action_toggle_facets(self) -> None:
        self.query_one("#facets", OptionList).toggle_class("hidden")

    def action_take_suggestion(self) -> None:
        r = self.results
        if self.mode != "search" or r is None or not r.suggestion:
            self.notify("No other spelling to take", timeout=2)
            return
        box = self.query_one("#query", Input)
        box.value = r.suggestion
        box.cursor_position = len(box.value)

    def on_resize(self, event: events.Resize) -> None:
        self.fit_to(event.size.width)

    def fit_to(self, width: int) -> None:
        """A narrower filter pane on small terminals (80 columns leave 50 for results)."""
        self.query_one("#facets", OptionList).set_class(width < 100, "narrow")

    def action_toggle_sort(self) -> None:
        self.state.sort = "year" if self.state.sort == "relevance" else "relevance"
        self.run_search(debounce=0)

    def action_toggle_cross_lingual(self) -> None:
        self.state.cross_lingual = not self.state.cross_lingual
        self.notify(
            f"Cross-lingual expansion {'on' if self.state.cross_lingual else 'off'}", timeout=2
        )
        self.run_search(debounce=0)

    def action_clear_filters(self) -> None:
        self.state.selected.clear()
        self.run_search(debounce=0)

    def action_copy_citation(self) -> None:
        hit = self.current_hit()
        if hit is not None:
            self.copy_citation(hit)

    def copy_citation(self, hit: Hit) -> None:
        self.copy_text(render.citation(hit))

    def copy_text(self, text: str) -> None:
        """Put text on the clipboard every way this machine offers, and say which took it."""
        self.copy_to_clipboard(text)  # OSC 52: terminals (and tmux with set-clipboard) take it
        took = clipboard.copy(text)
        if took:
            self.notify(f"Copied ({', '.join(took)}): {text}", timeout=4)
        else:
            self.notify(
                f"Sent to the terminal's clipboard (OSC 52); if it does not paste, this terminal "
                f"does not accept it and no xclip, xsel or wl-copy is installed. {text}",
                severity="warning",
                timeout=8,
            )

    def action_open_source(self) -> None:
        hit = self.current_hit()
        if hit is not None:
            self.open_source(hit, hit.page)

    def open_source(self, hit: Hit, page: int) -> None:
        path = self.settings.corpus_dir / hit.source_key
        command = viewer_command(path, page)
        if command is None:
            self.notify(f"No viewer found on this machine; the file is {path}", severity="warning")
            return
        subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        self.notify(
            f"Opening {hit.source_key}" + (f" at page {page}" if hit.source == "pdf" else "")
        )

    @work(exit_on_error=False, exclusive=True, group="search")
    async def action_more_like(self) -> None:
        hit = self.current_hit()
        if hit is None:
            return
        try:
            results = await asyncio.to_thread(self.service.more_like, hit.passage_id, PAGE_SIZE)
        except SearchError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.results = results
        hits = self.query_one("#results", OptionList)
        self.shown_hits = list(results.hits)
        hits.set_options(Option(hit_prompt(h), id=h.passage_id) for h in results.hits)
        hits.border_title = f"More like: {hit.title[:40]}"
        self.set_status(
            f"{render.plural(len(results.hits), 'document')} like “{hit.title}” · type to search again"
        )

    def action_export(self) -> None:
        if (self.answer if self.mode == "ask" else self.results) is None:
            self.notify("Nothing to export yet", timeout=3)
            return
        self.push_screen(ExportScreen(), self.export_chosen)

    def export_chosen(self, fmt: str | None) -> None:
        self.export_as(fmt)

    @work(exit_on_error=False, thread=True, group="export")
    def export_as(self, fmt: str | None) -> None:
        if not fmt:
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        answer = self.answer if self.mode == "ask" else None
        path = self.export_dir / f"{'answers' if answer else 'search-results'}-{stamp}.{fmt}"
        try:
            if answer is not None:
                data = render.answers_export(answer, fmt)
            else:
                data = self.service.export(self.state.request(), fmt)
            path.write_text(data, encoding="utf-8")
        except (SearchError, OSError) as exc:  # a query typed wrong since, a full disk
            self.call_from_thread(
                self.notify, f"Nothing exported: {exc}", severity="error", timeout=8
            )
            return
        self.call_from_thread(self.notify, f"Exported to {path}")

    def action_add_url(self) -> None:
        self.push_screen(AddUrlScreen(), self.url_entered)

    def url_entered(self, url: str | None) -> None:
        self.add_url(url)

    @work(exit_on_error=False, thread=True, group="add-url")
    def add_url(self, url: str | None) -> None:
        if not url:
            return
        try:
            path = self.service.add_url(url).path
        except SearchError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        self.call_from_thread(self.notify, f"Saved {path.name}; indexing it now")
        self.call_from_thread(self.action_reindex)

    def action_reindex(self) -> None:
        self.start_index(rebuild=False)

    def action_rebuild(self) -> None:
        self.start_index(rebuild=True)

    def action_cancel_index(self) -> None:
        if self.indexing.is_set():
            self.cancel_requested.set()
            self.query_one("#progress-label", Label).update("cancelling…")

    def start_index(self, rebuild: bool) -> None:
        if self.indexing.is_set():
            self.notify("An index run is already going on", timeout=3)
            return
        self.indexing.set()
        self.cancel_requested.clear()
        self.query_one("#progress-row").add_class("running")
        self.query_one("#progress-label", Label).update("rebuilding…" if rebuild else "reindexing…")
        self.index_worker(rebuild)

    @work(exit_on_error=False, thread=True, exclusive=True, group="index")
    def index_worker(self, rebuild: bool) -> None:
        events: Generator[IndexProgress | IndexReport, None, None] | None = None
        outcome: IndexReport | str = "cancelled: the index is unchanged"
        try:
            events = self.service.index_events(rebuild=rebuild)
            for event in events:
                if self.cancel_requested.is_set():
                    events.close()
                    break
                if isinstance(event, IndexReport):
                    outcome = event
                else:
                    self.call_from_thread(self.show_progress, event)
        except SearchError as exc:
            outcome = str(exc)
        finally:
            self.indexing.clear()
            self.call_from_thread(self.index_finished, outcome)

    def show_progress(self, event: IndexProgress) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(event.total, 1), progress=event.done)
        what = {
            "scan": "scanning",
            "extract": "reading",
            "write": "writing",
            "commit": "committing",
        }
        self.query_one("#progress-label", Label).update(
            f"{what.get(event.phase, event.phase)} {event.done}/{event.total} {event.current[-30:]}  (escape cancels)"
        )

    def index_finished(self, outcome: IndexReport | str) -> None:
        self.query_one("#progress-row").remove_class("running")
        self.failures = self.service.failed_files()
        if isinstance(outcome, str):
            self.notify(
                outcome, severity="warning" if "cancelled" in outcome else "error", timeout=6
            )
        else:
            failing = len(outcome.failed) + len(outcome.known_failures)
            failed = f", {failing} failed (ctrl+n lists them)" if failing else ""
            if outcome.unsupported:
                failed += f"; not read: {unsupported_summary(outcome.unsupported)}"
            self.notify(
                f"Index {'rebuilt' if outcome.rebuilt else 'updated'}: {len(outcome.added)} added, "
                f"{len(outcome.updated)} updated, {len(outcome.removed)} removed{failed}",
                severity="warning" if failing else "information",
                timeout=6,
            )
        self.run_search(debounce=0)


def make_app(settings: Settings, show_timing: bool = True) -> SearchApp:
    """The app over an explicit index and corpus (tests point it at fixture data)."""
    return SearchApp(settings, show_timing=show_timing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Terminal UI for searching the document collection."
    )
    parser.add_argument("--index", metavar="DIR", help="index folder (default: ./index)")
    parser.add_argument("--corpus", metavar="DIR", help="document folder (default: ./corpus)")
    args = parser.parse_args(argv)
    make_app(default_settings(args.index, args.corpus)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
