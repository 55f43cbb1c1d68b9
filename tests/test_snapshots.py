"""Snapshot tests: the main screen, the reader and the help screen at 80×24 and 120×40.

Update after a deliberate change of look with `pytest tests/test_snapshots.py --snapshot-update`
and inspect the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

import pytest
import rich.style
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from search.settings import Settings
from tui import SearchApp, make_app

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def _fixed_ids() -> None:
    """Rich numbers clickable styles from a counter started at random bits, and the SVG's id
    hashes those numbers: restart the counter so a snapshot does not depend on which tests
    ran before it in the same process."""
    random.seed(1234)
    rich.style._id_generator = itertools.count(0)


async def _settled(pilot: Pilot[Any], done: Callable[[], bool]) -> None:
    """Wait until `done()` holds and no worker runs, so the screen is the same every time."""
    for _ in range(200):
        await pilot.pause(0.05)
        if done() and not any(w.is_running for w in pilot.app.workers):
            break
    await pilot.pause(0.2)


async def _results_for(pilot: Pilot[Any], query: str) -> None:
    app = pilot.app
    assert isinstance(app, SearchApp)
    app.query_one("#query", Input).cursor_blink = False  # a blinking cursor is a coin toss
    await _settled(pilot, lambda: app.searches >= 1)
    before = app.searches
    if query:
        await pilot.press(*query)
        await _settled(pilot, lambda: app.searches > before and app.state.text == query)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(
    snap_compare: Callable[..., bool], fixture_index: Settings, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _results_for(pilot, "kommunen")

    assert snap_compare(
        make_app(fixture_index, show_timing=False), terminal_size=size, run_before=run_before
    )


@pytest.mark.parametrize("size", SIZES)
def test_reader(
    snap_compare: Callable[..., bool], fixture_index: Settings, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _results_for(pilot, "Valmierā")
        pilot.app.query_one("#results", OptionList).focus()
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(
        make_app(fixture_index, show_timing=False), terminal_size=size, run_before=run_before
    )


@pytest.mark.parametrize("size", SIZES)
def test_help(
    snap_compare: Callable[..., bool], fixture_index: Settings, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _results_for(pilot, "")
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(
        make_app(fixture_index, show_timing=False), terminal_size=size, run_before=run_before
    )


def test_main_screen_light_theme(
    snap_compare: Callable[..., bool], fixture_index: Settings
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"
        await _results_for(pilot, "pašvaldība")

    assert snap_compare(
        make_app(fixture_index, show_timing=False), terminal_size=(80, 24), run_before=run_before
    )


@pytest.mark.parametrize("size", SIZES)
def test_ask_mode(
    snap_compare: Callable[..., bool], sample_index: Settings, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _results_for(pilot, "")
        await pilot.press("f9")
        await pilot.press(*"Cik porciju katru dienu piegādā Zaļā virtuve?", "enter")
        app = pilot.app
        assert isinstance(app, SearchApp)
        await _settled(pilot, lambda: app.answer is not None)

    assert snap_compare(
        make_app(sample_index, show_timing=False), terminal_size=size, run_before=run_before
    )
