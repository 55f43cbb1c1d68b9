"""Facets are declared once, in `search.fields`: a row added to the table arrives in the
index, the query language, the CLI (options and JSON), `show`, sidecars and the TUI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import OptionList

from search import cli, fields
from search.ingest.metadata import read_toml
from search.models import Document, Metadata, Passage, SearchRequest
from search.service import SearchService
from search.settings import Settings
from tests.test_tui import settle
from tui import make_app

FUNDER = fields.Field("funder", "Funder", ("fund",), many=True, help="funding programmes")


def _document(key: str, title: str, text: str, funders: tuple[str, ...]) -> Document:
    doc_id = SearchService.doc_id(key)
    passage = Passage(f"{doc_id}-1", doc_id, 1, "", 0, len(text), text, "en")
    metadata = Metadata(title=title, country=("SE",), extra=(("funder", funders),))
    return Document(doc_id, key, "text", metadata, (passage,), 1)


@pytest.fixture
def funded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """An index whose schema has the extra `funder` field, with two documents."""
    monkeypatch.setattr(fields, "FIELDS", (*fields.FIELDS, FUNDER))
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus")
    settings.corpus_dir.mkdir()
    SearchService(settings).build_from(
        [
            _document(
                "a.txt",
                "Cross-border kitchens",
                "Social kitchens across the border.",
                ("Interreg",),
            ),
            _document(
                "b.txt",
                "Local bakeries",
                "A bakery run by a social enterprise.",
                ("ESF", "Interreg"),
            ),
        ]
    )
    return settings


def test_an_added_field_is_a_facet_and_a_filter_of_the_query_language(funded: Settings) -> None:
    service = SearchService(funded)
    everything = service.search(SearchRequest())
    counts = {f.name: {v.value: v.count for v in f.values} for f in everything.facets}
    assert counts["funder"] == {"Interreg": 2, "ESF": 1}
    only_esf = service.search(SearchRequest(text="fund:esf"))  # alias, case forgiven
    assert [h.title for h in only_esf.hits] == ["Local bakeries"]
    assert fields.hit_values(FUNDER, only_esf.hits[0]) == ("ESF", "Interreg")
    shown = service.show("b.txt")
    assert shown is not None and ("funder", "ESF,Interreg", "") in shown.fields


def test_an_added_field_is_a_cli_option_and_a_json_key(
    funded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--index", str(funded.index_dir), "--corpus", str(funded.corpus_dir)]
    assert cli.main(["query", *where, "--funder", "ESF", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [h["title"] for h in data["hits"]] == ["Local bakeries"]
    assert data["hits"][0]["funder"] == ["ESF", "Interreg"]
    assert {v["value"] for v in data["facets"]["funder"]} == {"ESF", "Interreg"}
    with pytest.raises(SystemExit):
        cli.main(["query", "--help"])
    assert "--funder" in capsys.readouterr().out


def test_an_added_field_is_accepted_in_a_sidecar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sidecar = tmp_path / "report.pdf.meta.toml"
    sidecar.write_text('fund = ["Interreg", "ESF"]\ncountry = "LV"\n', encoding="utf-8")
    with pytest.raises(Exception, match="unknown field 'fund'"):
        read_toml(sidecar)
    monkeypatch.setattr(fields, "FIELDS", (*fields.FIELDS, FUNDER))
    assert read_toml(sidecar)["extra"] == (("funder", ("Interreg", "ESF")),)


async def test_an_added_field_shows_in_the_facet_panel(funded: Settings) -> None:
    app = make_app(funded, show_timing=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        panel = app.query_one("#facets", OptionList)
        ids = [panel.get_option_at_index(i).id for i in range(panel.option_count)]
        assert "h:funder" in ids and "v:funder:ESF" in ids
        heading = panel.get_option_at_index(ids.index("h:funder")).prompt
        assert "FUNDER" in str(heading)
