"""One table of what a person can do: keys, label and help of every action.

The app's bindings, the command palette and the help screen are all made from `ACTIONS`
(as harlequin does), so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType


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
        'search as you type; "phrase", "near words"~3, -word, OR, prefix*, fuzzy~, country:LV year:2015..2018',
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
        "ctrl+g",
        "toggle_watch",
        "Watch folder",
        "watch the corpus folder on/off: new, changed and removed files are indexed as they come",
    ),
    Action(
        "f6",
        "reindex(True)",
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


def bindings() -> list[BindingType]:
    """The app's key bindings; the footer shows the everyday keys in FOOTER's order."""
    footer_first = sorted(ACTIONS, key=lambda a: FOOTER.index(a.name) if a.footer else len(FOOTER))
    return [
        Binding(a.keys, a.name, a.label, show=a.footer) for a in footer_first if a.keys and a.name
    ]


def palette(app: App[None]) -> Iterator[SystemCommand]:
    """The command palette's entries: every action by its label, with its keys."""
    for a in ACTIONS:
        if a.name and a.name != "cancel_index":
            what = f"{a.help[:1].upper()}{a.help[1:]} ({a.key_text})"
            yield SystemCommand(a.label, what, partial(app.run_action, a.name))
