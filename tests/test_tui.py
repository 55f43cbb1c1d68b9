"""The terminal UI driven for real with Textual's Pilot, over the fixture index."""

from __future__ import annotations

import asyncio
import gc
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.binding import Binding
from textual.widgets import OptionList, Static

from search.service import run_index
from search.settings import Settings
from tests.conftest import FUZZ_SCALE, settings_for
from tests.fixture_corpus import write_fixture_corpus
from tui import SearchApp, make_app
from ui import widgets
from ui.app import FULL_COLLECTION_AFTER
from ui.dialogs import ConfirmScreen, HelpScreen
from ui.reader import ReaderScreen
from ui.widgets import ProgressRow


def status(app: SearchApp) -> str:
    return str(app.query_one("#status", Static).render())


def result_titles(app: SearchApp) -> list[str]:
    return [h.title for h in app.results.hits] if app.results else []


def facet_counts(app: SearchApp, name: str) -> dict[str, int]:
    assert app.results is not None
    return {v.value: v.count for f in app.results.facets if f.name == name for v in f.values}


async def settle(pilot: object, app: SearchApp) -> None:
    await pilot.pause(0.3)  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


def facet_index(app: SearchApp, facet: str, value: str) -> int:
    panel = app.query_one("#facets", OptionList)
    for i in range(panel.option_count):
        if panel.get_option_at_index(i).id == f"v:{facet}:{value}":
            return i
    raise AssertionError(f"{facet}={value} not in the facet panel")


async def choose_facet(pilot: object, app: SearchApp, facet: str, value: str) -> None:
    panel = app.query_one("#facets", OptionList)
    panel.focus()
    panel.highlighted = facet_index(app, facet, value)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot, app)


async def test_typing_a_query_updates_results(fixture_index: Settings) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert len(result_titles(app)) == 6
        await pilot.press(*"Valmierā")
        await settle(pilot, app)
        assert result_titles(app) == ["Sociālais uzņēmums Valmierā"]
        assert status(app).startswith("1 document,")


async def test_country_values_combine_with_or_and_other_facets_update(
    fixture_index: Settings,
) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await choose_facet(pilot, app, "country", "SE")
        assert app.results is not None and app.results.total_documents == 3
        assert facet_counts(app, "doc_type") == {"case": 2, "report": 1}
        await choose_facet(pilot, app, "country", "LV")
        assert app.results.total_documents == 5
        assert facet_counts(app, "doc_type") == {"case": 4, "report": 1}
        assert facet_counts(app, "country") == {"SE": 3, "LV": 3, "BY": 2}
        assert "country: LV, SE" in str(app.query_one("#filters", Static).render())
        await pilot.press("f8")
        await settle(pilot, app)
        assert app.results.total_documents == 6
        assert str(app.query_one("#filters", Static).render()) == ""


async def test_no_results_with_filters_suggests_the_facets_that_give_results(
    fixture_index: Settings,
) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await choose_facet(pilot, app, "country", "BY")
        app.query_one("#query").focus()
        await pilot.press(*"Valmierā")
        await settle(pilot, app)
        assert result_titles(app) == []
        assert "no results with these filters; try country LV" in status(app)


async def test_a_query_error_is_shown_inline(fixture_index: Settings) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*'"unclosed')
        await settle(pilot, app)
        assert "unclosed quote starting at column 1" in status(app)
        assert app.query_one("#status").has_class("error")
        await pilot.press('"')
        await settle(pilot, app)
        assert not app.query_one("#status").has_class("error")


async def test_did_you_mean_is_offered(fixture_index: Settings) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"upphandlig")
        await settle(pilot, app)
        assert "did you mean: upphandling" in status(app)


async def test_reader_opens_a_hit_and_jumps_between_matches_and_pages(
    fixture_index: Settings,
) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"kommunen", "enter")
        await settle(pilot, app)
        hits = app.query_one("#results", OptionList)
        hits.highlighted = result_titles(app).index("Kafé Trädgården: arbetsträning i Uppsala")
        await pilot.press("enter")
        await settle(pilot, app)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert len(reader.match_widgets) >= 1
        await pilot.press("n")
        assert reader.match == 0 and reader.match_widgets[0].has_class("current-match")
        assert len(reader.pages) == 2
        first_page = reader.pages[reader.index].number
        await pilot.press("left" if reader.index == len(reader.pages) - 1 else "right")
        await pilot.pause()
        assert reader.pages[reader.index].number != first_page
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReaderScreen)


async def test_copy_citation_puts_the_citation_on_the_clipboard(fixture_index: Settings) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"Минске", "enter")
        await settle(pilot, app)
        await pilot.press("c")
        # the web page's first section is headed by its title: the citation says it once
        assert app.clipboard == "Социальное предприятие в Минске, BY, 2016, by/minsk.html"


async def test_export_writes_every_result(fixture_index: Settings, tmp_path: Path) -> None:
    app = make_app(fixture_index, show_timing=False)
    app.export_dir = tmp_path
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await pilot.pause()
        formats = app.screen.query_one("#formats", OptionList)
        formats.highlighted = 1  # JSON
        await pilot.press("enter")
        await settle(pilot, app)
    exported = list(tmp_path.glob("search-results-*.json"))
    assert len(exported) == 1
    data = json.loads(exported[0].read_text(encoding="utf-8"))
    assert len(data["hits"]) == 6 and all(h["citation"] for h in data["hits"])


async def test_export_of_a_query_typed_wrong_says_so_and_keeps_running(
    fixture_index: Settings, tmp_path: Path
) -> None:
    # found by `make fuzz`: F3 after typing `aaa*aa` took the whole UI down
    app = make_app(fixture_index, show_timing=False)
    app.export_dir = tmp_path
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        for key in "kommun*x":
            await pilot.press(key)
        await settle(pilot, app)
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.is_running
        notes = [n.message for n in app._notifications]
        assert any(m.startswith("Nothing exported:") and "'*'" in m for m in notes), notes
    assert not list(tmp_path.glob("search-results-*"))


async def test_help_lists_keys(fixture_index: Settings) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_no_index_offers_to_build_it_with_progress(tmp_path: Path) -> None:
    corpus = write_fixture_corpus(tmp_path / "corpus")
    app = make_app(settings_for(corpus, tmp_path / "index"), show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "No index yet" in str(
            app.query_one("#results", OptionList).get_option_at_index(0).prompt
        )
        await pilot.click("#yes")
        await settle(pilot, app)
        assert len(result_titles(app)) == 6


async def test_an_empty_corpus_says_where_to_put_documents(tmp_path: Path) -> None:
    """A first run over an empty folder: the results say what to do, not nothing."""
    (tmp_path / "corpus").mkdir()
    settings = settings_for(tmp_path / "corpus", tmp_path / "index")
    run_index(settings)
    app = make_app(settings, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        shown = str(app.query_one("#results", OptionList).get_option_at_index(0).prompt)
        assert "The index is empty" in shown and str(tmp_path / "corpus") in shown
        await pilot.press("k", "o", "m")
        await settle(pilot, app)
        assert app.query_one("#results", OptionList).option_count == 0  # a search: no match


@pytest.fixture
def big_corpus(tmp_path: Path) -> Settings:
    corpus = write_fixture_corpus(tmp_path / "corpus")
    settings = settings_for(corpus, tmp_path / "index")
    run_index(settings)
    for n in range(1200):  # enough that a run lasts while the test presses escape
        (corpus / f"note-{n:04}.md").write_text(
            f"# Anteckning {n}\n\nKommunen träffar företaget.\n"
        )
    return settings


async def test_reindex_shows_progress_and_can_be_cancelled(big_corpus: Settings) -> None:
    app = make_app(big_corpus, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        for _ in range(200):
            await pilot.pause(0.05)
            if "reading" in str(app.query_one("#progress-label").render()):
                break
        label = str(app.query_one("#progress-label").render())
        assert app.query_one("#progress-row").has_class("running"), (label, status(app))
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await settle(pilot, app)
        assert not app.query_one("#progress-row").has_class("running")
        assert app.results is not None and app.results.total_documents == 6  # unchanged
        await pilot.press("f5")
        for _ in range(600):
            await pilot.pause(0.05)
            if not app.query_one(ProgressRow).running.is_set():
                break
        await settle(pilot, app)
        assert app.results.total_documents == 1206


async def test_cross_lingual_toggle_widens_the_search(fixture_index: Settings) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"municipalities")
        await settle(pilot, app)
        assert {h.language for h in app.results.hits} == {"en"}  # type: ignore[union-attr]
        await pilot.press("f7")
        await settle(pilot, app)
        assert {"sv", "lv", "ru"} <= {h.language for h in app.results.hits}  # type: ignore[union-attr]
        assert "cross-lingual" in status(app)


async def test_ask_mode_answers_with_citations_and_opens_the_reader(sample_index: Settings) -> None:
    app = make_app(sample_index, show_timing=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("f9")
        await pilot.press(*"How many meals a day does Zaļā virtuve deliver?", "enter")
        await settle(pilot, app)
        assert app.answer is not None and app.answer.confident
        assert "350 meals a day" in app.answer.answers[0].text
        assert str(app.query_one("#status", Static).render()).startswith(
            f"{len(app.answer.answers)} answers"
        )
        app.query_one("#results", OptionList).focus()
        await pilot.press("c")
        assert app.clipboard.startswith('"Zaļā virtuve" in Riga wins a municipal tender')
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.hit.source_key == "cases/lv/zala-virtuve-riga.en.html"


async def test_switching_mode_selects_the_box_so_typing_starts_afresh(
    fixture_index: Settings,
) -> None:
    """Search words typed, F9, a question typed: the question is asked, not the search
    words with the question glued on; F9 back and typing does the same for a search."""
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press(*"kommun")
        await settle(pilot, app)
        await pilot.press("f9", *"Vem?")
        assert app.box.value == "Vem?"
        assert "Ask a question" in str(app.box.placeholder)
        await pilot.press("f9", "right", *" x")  # an arrow key keeps what is there
        assert app.box.value == "Vem? x"
        assert str(app.box.placeholder).startswith("Search")


async def test_ask_mode_says_when_nothing_answers(sample_index: Settings) -> None:
    app = make_app(sample_index, show_timing=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("f9")
        await pilot.press(*"How much does a ticket to the opera in Vilnius cost?", "enter")
        await settle(pilot, app)
        assert status(app).startswith("no passage answers this well")
        assert app.query_one("#results", OptionList).option_count >= 1


KEYS_TO_TRY = [
    *"ab kmä",
    "space",
    "tab",
    "shift+tab",
    "enter",
    "escape",
    "backspace",
    "up",
    "down",
    "left",
    "right",
    "n",
    "N",
    "c",
    "m",
    "f1",
    "f3",
    "f4",
    "f7",
    "f8",
    "f9",
    "question_mark",
    "ctrl+b",
    "ctrl+t",
    "ctrl+n",
    '"',
    "-",
    "*",
]


@pytest.mark.slow  # `make fuzz` runs it with 20 times the key sequences
@settings(max_examples=6 * FUZZ_SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(keys=st.lists(st.sampled_from(KEYS_TO_TRY), min_size=5, max_size=25))
def test_random_key_sequences_never_crash_the_ui(
    fixture_index: Settings, tmp_path_factory: pytest.TempPathFactory, keys: list[str]
) -> None:
    async def run() -> None:
        app = make_app(fixture_index, show_timing=False)
        app.export_dir = tmp_path_factory.mktemp("exports")
        async with app.run_test(size=(80, 24)) as pilot:
            for key in keys:
                await pilot.press(key)
            await pilot.pause(0.2)
            await app.workers.wait_for_complete()
            assert app.is_running  # nothing took it down

    asyncio.run(run())


async def test_scrolling_to_the_end_loads_the_next_page(fixture_index: Settings) -> None:
    app = make_app(fixture_index, show_timing=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.state.page_size = 2
        app.run_search(debounce=0)
        await settle(pilot, app)
        hits = app.query_one("#results", OptionList)
        assert hits.option_count == 2 and "more as you scroll" in status(app)
        hits.focus()
        for _ in range(6):
            await pilot.press("down")
            await settle(pilot, app)
        assert hits.option_count == 6
        assert len({h.doc_id for h in app.results_list.hits}) == 6


async def test_a_page_of_results_is_what_the_screen_shows_and_some(sample_index: Settings) -> None:
    """Every card of a page is laid out at each keystroke: a short terminal asks for
    fewer, a tall one for more (scrolling loads the rest)."""
    for rows, cards in ((24, 10), (45, 15), (66, 22)):
        app = make_app(sample_index, show_timing=False)
        async with app.run_test(size=(120, rows)) as pilot:
            await settle(pilot, app)
            assert app.query_one("#results", OptionList).option_count == cards, rows


async def test_what_startup_loaded_is_kept_out_of_the_garbage_collectors_way(
    sample_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full collections walking Textual's and the index's objects were the slowest
    keystrokes at 100k passages: once the app has loaded what it needs, they are frozen;
    Python starts fewer full collections of its own, and one runs when typing pauses."""
    gc.unfreeze()
    threshold = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's own (another test's app may have changed it)
    monkeypatch.setattr(widgets, "PAUSE_SECONDS", 0.3)
    full: list[float] = []

    def counted(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(time.monotonic())

    app = make_app(sample_index, show_timing=False)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await app.workers.wait_for_complete()
            assert gc.get_freeze_count() > 10_000
            assert gc.get_threshold()[2] == FULL_COLLECTION_AFTER > 10
            gc.callbacks.append(counted)
            await pilot.press(*"kommun")
            await pilot.pause(0.1)
            assert not full  # while typing
            await pilot.pause(0.6)
            assert full  # the pause
    finally:
        if counted in gc.callbacks:
            gc.callbacks.remove(counted)
        gc.set_threshold(*threshold)
        gc.unfreeze()


async def test_n_goes_on_to_the_next_page_with_a_match_and_the_citation_follows(
    sample_index: Settings,
) -> None:
    app = make_app(sample_index, show_timing=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"upphandling type:report lang:sv", "enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        start = reader.index
        on_this_page = len(reader.match_widgets)
        for _ in range(on_this_page + 1):
            await pilot.press("n")
            await pilot.pause()
        assert reader.index != start, "n stopped at the last match of the page"
        assert reader.match == 0 and reader.match_widgets[0].has_class("current-match")
        page = reader.pages[reader.index]
        assert f"p. {page.number}," in reader.citation()
        await pilot.press("N")
        await pilot.pause()
        assert reader.index == start and reader.match == on_this_page - 1
        await pilot.press("c")
        assert app.clipboard == reader.citation()
        assert f"p. {reader.pages[start].number}," in app.clipboard


async def test_any_failure_in_a_worker_shows_in_the_status_line_and_the_app_lives(
    fixture_index: Settings,
) -> None:
    app = make_app(fixture_index, show_timing=False)

    def broken(*_: object, **__: object) -> None:
        raise OSError(5, "Input/output error")

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.service.search = broken  # type: ignore[method-assign,assignment]
        await pilot.press(*"kommunen")
        await settle(pilot, app)
        text = str(app.query_one("#status", Static).render())
        assert "OSError" in text and "Input/output error" in text
        assert app.is_running
        await pilot.press("f9", *"Vad gör kommunen?", "enter")  # ask goes through it too
        await settle(pilot, app)
        assert app.is_running


def test_the_results_line_shows_the_section_never_the_title_again(fixture_index: Settings) -> None:
    from search.models import SearchRequest
    from search.service import open_search
    from ui.cards import hit_prompt

    engine = open_search(fixture_index)
    hits = engine.search(SearchRequest(text="", page_size=50)).hits
    assert any(h.source != "pdf" and h.heading == h.title for h in hits)
    for hit in hits:
        meta = hit_prompt(hit).plain.split("\n")[1]
        assert hit.title[:20] not in meta, meta
        if hit.source != "pdf" and hit.heading and hit.heading != hit.title:
            assert hit.heading[:20] in meta


async def test_bindings_palette_and_help_come_from_one_table(fixture_index: Settings) -> None:
    from ui.actions import ACTIONS, KEYS

    app = make_app(fixture_index, show_timing=False)
    bound = {b.action for b in SearchApp.BINDINGS if isinstance(b, Binding)}
    async with app.run_test(size=(100, 30)):
        palette = {c.title for c in app.get_system_commands(app.screen)}
    for action in ACTIONS:
        assert (action.key_text, action.help) in KEYS
        if action.name and action.keys:
            assert action.name in bound
            assert hasattr(app, f"action_{action.name.split('(')[0]}")
        if action.name and action.name != "cancel_index":
            assert action.label in palette
