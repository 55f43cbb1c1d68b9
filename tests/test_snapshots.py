"""Snapshot tests: the main screen, the reader and the help screen at 80×24 and 120×40.

Update after a deliberate change of look with `pytest tests/test_snapshots.py --snapshot-update`
and inspect the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from search.settings import Settings
from tui import make_app

SIZES = [(80, 24), (120, 40)]


async def _results_for(pilot: Pilot[Any], query: str) -> None:
    await pilot.press(*query)
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


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
