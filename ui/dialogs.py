"""The dialogs: help, a yes/no question, a URL to add, an export format, the failed files."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import ClassVar, TypeVar

from rich.table import Table
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from search import render
from search.errors import SearchError
from search.models import Failure
from ui.actions import KEYS

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    """A box in the middle of the screen over the app."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog .dialog {
        width: 70; height: auto; border: round $accent; background: $surface; padding: 1 2;
    }
    Dialog .dialog.wide { width: 90%; max-height: 90%; }
    Dialog .hint { color: $text-muted; }
    Dialog .buttons { height: auto; margin-top: 1; }
    Dialog .buttons Button { margin-right: 2; }
    """


class HelpScreen(Screen[None]):
    """Every key, on a screen of its own (escape returns)."""

    DEFAULT_CSS = """
    #help-box { height: 1fr; border: round $accent; padding: 0 1; }
    """
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


class ConfirmScreen(Dialog[bool]):
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


class AddUrlScreen(Dialog[str]):
    """A URL to fetch into the corpus; `then` runs (on the UI thread) once it is saved."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, fetch: Callable[[str], Path], then: Callable[[], object]) -> None:
        super().__init__()
        self.fetch, self.then = fetch, then

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
        url, app = self.query_one("#url", Input).value.strip(), self.app
        if url:
            app.run_worker(partial(self._add, app, url), thread=True, exit_on_error=False)
        self.dismiss(url)

    def _add(self, app: App[None], url: str) -> None:
        path = self.fetch(url)  # a failure is the app's to show (its one error handler)
        app.call_from_thread(app.notify, f"Saved {path.name}; indexing it now")
        app.call_from_thread(self.then)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss("")


class ExportScreen(Dialog[str]):
    """Choose a format; the export is written in a worker and its path announced."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, write: Callable[[str], Path]) -> None:
        super().__init__()
        self.write = write

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
        event.stop()
        fmt, app = event.option.id or "", self.app
        app.run_worker(partial(self._export, app, fmt), thread=True, exit_on_error=False)
        self.dismiss(fmt)

    def _export(self, app: App[None], fmt: str) -> None:
        try:
            path = self.write(fmt)
        except (SearchError, OSError) as exc:  # a query typed wrong since, a full disk
            app.call_from_thread(app.notify, f"Nothing exported: {exc}", severity="error")
            return
        app.call_from_thread(app.notify, f"Exported to {path}")

    def action_cancel(self) -> None:
        self.dismiss("")


def _files_table(rows: tuple[Failure, ...], file_heading: str, why_heading: str) -> Table:
    table = Table(box=None, show_header=True, expand=True, padding=(0, 1))
    table.add_column(file_heading, style="bold", overflow="fold", ratio=2)
    table.add_column(why_heading, ratio=3)
    for row in rows:
        table.add_row(row.key, row.reason)
    return table


class FailuresScreen(Dialog[None]):
    """The files that could not be indexed, each with the reason; and the files the last
    index run read with something to say (pages not indexed, read by OCR, …)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,ctrl+n", "close", "Close")]
    DEFAULT_CSS = """
    #failures-list { height: auto; max-height: 20; }
    """

    def __init__(
        self, failures: tuple[Failure, ...], corpus: Path, notes: tuple[Failure, ...] = ()
    ) -> None:
        super().__init__()
        self.failures, self.corpus, self.notes = failures, corpus, notes

    def compose(self) -> ComposeResult:
        table = _files_table(self.failures, "file", "why it could not be read")
        with Vertical(classes="dialog wide"):
            yield Static(
                f"{render.plural(len(self.failures), 'file')} in {self.corpus} could not be "
                "indexed. They are read again when they change (or on F6)."
                if self.failures
                else "Every file of the corpus was indexed."
            )
            with VerticalScroll(id="failures-list"):
                yield Static(table)
                if self.notes:
                    yield Static(
                        _files_table(self.notes, "indexed, with a note (last run)", "note")
                    )
            yield Label("escape closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
