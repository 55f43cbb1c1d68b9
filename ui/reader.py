"""The reader: a document page by page, every match of the query marked, n/N between them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from search import render
from search.errors import SearchError
from search.models import Hit, PageView, Segment
from ui.cards import styled
from ui.outside import copy, show_source

Marker = Callable[[str, str], tuple[Segment, ...]]
"""(text, language) → the text with the query's words marked."""


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

    DEFAULT_CSS = """
    #reader-title { height: auto; padding: 0 1; border-bottom: solid $panel; }
    #reader-body { padding: 0 1; }
    .passage { margin: 0 0 1 0; color: $text-muted; }
    .current-passage { color: $text; border-left: thick $accent; padding-left: 1; }
    .current-match { background: $boost; border-left: thick $warning; padding-left: 1; }
    """

    def __init__(self, hit: Hit, pages: list[PageView], mark: Marker, corpus: Path) -> None:
        super().__init__()
        self.hit, self.pages, self.mark, self.corpus = hit, pages, mark, corpus
        numbers = [p.number for p in pages]
        self.index = numbers.index(hit.page) if hit.page in numbers else 0
        self.found_on = self.index
        """The page of the passage the search found (shown first, that passage in view)."""
        self.match = -1
        self.match_widgets: list[Static] = []
        self.marked: dict[int, list[tuple[Segment, ...]]] = {}
        """Per page index: each passage's text with the query's matches marked (filled by
        the marking worker, the page on screen first)."""

    def compose(self) -> ComposeResult:
        yield Static(id="reader-title")
        yield VerticalScroll(id="reader-body")
        yield Footer()

    def on_mount(self) -> None:
        self.show_page(focus_passage=self.hit.passage_id)
        # the app's worker, so that its one error handler shows any failure
        self.app.run_worker(self.mark_pages, thread=True, exit_on_error=False, group="marking")

    def mark_pages(self) -> None:
        """Mark the query's words on every page, off the UI thread, the page shown first;
        the page on screen is redrawn once its marks are in."""
        first = self.found_on
        for i in [first, *(i for i in range(len(self.pages)) if i != first)]:
            marks = [self._mark(p.text, p.language) for p in self.pages[i].passages]
            if not self.is_attached:
                return  # the reader was closed
            self.app.call_from_thread(self._marked, i, marks)

    def _mark(self, text: str, language: str) -> tuple[Segment, ...]:
        try:
            return self.mark(text, language)
        except SearchError:  # e.g. a query that no longer parses: the text unmarked
            return (Segment(text),)

    def _marked(self, index: int, marks: list[tuple[Segment, ...]]) -> None:
        if not self.is_attached:
            return
        self.marked[index] = marks
        if index == self.index and self.match < 0:
            self.show_page(self.hit.passage_id if index == self.found_on else "")

    def citation(self) -> str:
        """The citation of the page or section on screen (not the one the search found)."""
        page = self.pages[self.index]
        return render.citation(self.hit, page.number, page.heading)

    def marks(self, index: int) -> list[tuple[Segment, ...]]:
        """The page's passages marked, or plain while the worker has not reached it."""
        plain: list[tuple[Segment, ...]] = [(Segment(p.text),) for p in self.pages[index].passages]
        return self.marked.get(index, plain)

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
        copy(self.app, self.citation())

    def action_open(self) -> None:
        show_source(self.app, self.corpus, self.hit, self.pages[self.index].number)
