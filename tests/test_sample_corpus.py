"""The shipped sample corpus: it indexes cleanly, covers every country, language and type,
its page numbers and titles come out right, and it is reproducible from its sources."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from search.models import IndexReport, SearchRequest
from search.service import SearchService, open_search, run_index, stats
from search.settings import Settings
from tests.conftest import PROJECT, settings_for

CORPUS = PROJECT / "corpus"
OVERVIEW = "reports/social-enterprises-and-municipalities-overview-2019.pdf"


def _renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render", CORPUS / "_tools" / "render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["render"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, IndexReport]]:
    settings = settings_for(CORPUS, tmp_path_factory.mktemp("sample") / "index")
    yield settings, run_index(settings)


def test_the_corpus_indexes_without_a_single_failure(sample: tuple[Settings, IndexReport]) -> None:
    _, report = sample
    assert report.failed == ()
    assert len(report.added) == 37


def test_stats_show_every_country_language_and_type(sample: tuple[Settings, IndexReport]) -> None:
    st = stats(sample[0])
    assert dict(st.by_country) == {"SE": 13, "LV": 13, "BY": 13}
    assert {"sv", "lv", "ru", "en", "be"} <= dict(st.by_language).keys()
    assert dict(st.by_type) == {"case": 33, "report": 4}


def test_the_overview_has_twenty_pages_and_its_contents_match_the_pages(
    sample: tuple[Settings, IndexReport],
) -> None:
    shown = SearchService(sample[0]).show(OVERVIEW)
    assert shown is not None
    pages = {p.page for p in shown.passages}
    assert max(pages) >= 20
    import pypdf

    contents = pypdf.PdfReader(CORPUS / OVERVIEW).pages[1].extract_text()
    entries = re.findall(r"^(\d+ [A-Z].+?) (\d+)$", contents, re.MULTILINE)
    assert len(entries) >= 10
    for heading, page in entries:
        starts = [p.page for p in shown.passages if " ".join(p.text.split()).startswith(heading)]
        assert starts == [int(page)], (heading, page, starts)


def test_running_headers_footers_and_page_numbers_are_gone(
    sample: tuple[Settings, IndexReport],
) -> None:
    shown = SearchService(sample[0]).show(OVERVIEW)
    assert shown is not None
    body = [p for p in shown.passages if p.page > 2]
    assert not any("Overview report 2019" in p.text for p in body)
    assert not any(
        p.text.startswith("Social Enterprises and Municipalities in Sweden") for p in body
    )


def test_a_word_hyphenated_across_lines_is_found_whole(
    sample: tuple[Settings, IndexReport],
) -> None:
    import pypdf

    reader = pypdf.PdfReader(CORPUS / OVERVIEW)
    split = [
        (n, m.group(1) + m.group(2))
        for n, page in enumerate(reader.pages, start=1)
        for m in re.finditer(r"\b([a-z]{3,})-\n([a-z]{3,})\b", page.extract_text())
    ]
    assert len(split) >= 10, "the report should break words across lines"
    shown = SearchService(sample[0]).show(OVERVIEW)
    assert shown is not None
    engine = open_search(sample[0])
    try:
        for page, word in split[:10]:
            hits = engine.search(SearchRequest(text=f'"{word}"', page_size=50)).hits
            overview = [h for h in hits if h.source_key == OVERVIEW]
            assert overview, word
            assert page in {p.page for p in shown.passages if word in p.text}, (word, page)
    finally:
        engine.close()


def test_web_page_titles_and_metadata_come_out_right(sample: tuple[Settings, IndexReport]) -> None:
    sources = sorted((CORPUS / "_source" / "cases").rglob("*.txt"))
    html_sources = []
    for path in sources:
        front = tomllib.loads(path.read_text(encoding="utf-8").split("+++")[1])
        if front["output"].endswith(".html"):
            html_sources.append(front)
    assert len(html_sources) >= 12
    for front in html_sources:
        shown = SearchService(sample[0]).show(front["output"])
        assert shown is not None, front["output"]
        assert shown.title == front["title"]
        fields = {name: (value, origin) for name, value, origin in shown.fields}
        assert fields["url"] == (front["meta"]["url"], "sidecar")
        assert fields["country"][1].startswith("folder cases/")


def test_page_furniture_of_web_pages_is_not_indexed(sample: tuple[Settings, IndexReport]) -> None:
    engine = open_search(sample[0])
    try:
        for word in ("kakpolicy", "sīkdatņu", "рассылку", "LinkedIn", "nyhetsbrev"):
            assert engine.search(SearchRequest(text=word)).total_documents == 0, word
    finally:
        engine.close()


def test_rendering_is_reproducible_and_matches_the_committed_files(tmp_path: Path) -> None:
    """The committed files came from an earlier run: matching them byte for byte shows both
    that rendering is reproducible and that the committed corpus is up to date."""
    render = _renderer()
    written = render.render_all(target=tmp_path)
    assert len(written) == 37
    for path in written:
        rel = path.relative_to(tmp_path)
        assert (CORPUS / rel).read_bytes() == path.read_bytes(), (
            f"{rel} differs: run corpus/_tools/render.py"
        )
        sidecar = rel.with_name(rel.name + ".meta.toml")
        assert (CORPUS / sidecar).read_text() == (tmp_path / sidecar).read_text()
