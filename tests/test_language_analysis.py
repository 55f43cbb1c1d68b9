"""Language-aware analysis: Swedish compounds, diacritics, places, cross-lingual glossary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.models import SearchRequest
from search.retrieval.engine import Engine
from search.service import SearchService, open_search, run_index
from search.settings import Settings
from search.text import analysis
from search.text.analysis import TOKEN_PATTERN
from tests.conftest import settings_for

DOCS = {
    "sv/lund.md": "# Samverkan i Lund\n\nEtt nytt kommunsamarbete om städning startade i fjol "
    "och ger arbete åt åtta personer som länge stått utan jobb.\n",
    "sv/kalmar.md": "# Samarbete i Kalmar\n\nEtt samarbete mellan kommunen och en förening ger "
    "sommarjobb åt unga. Socialföretaget i hamnen säljer fisk.\n",
    "lv/riga.md": "# Centrs Rīgā\n\nJaunais jauniešu centrs Rīgā atvērās pagājušajā gadā, un to "
    "atbalsta pilsētas pašvaldība.\n",
    "ru/riga.md": "# Выставка в Риге\n\nВ Риге открылась выставка социальных предприятий из "
    "Латвии и Беларуси, на которую приехали гости из Минска.\n",
    "ru/minsk.md": "# Кафе в Минске\n\nКафе открылось в Минске в прошлом году. В Минске кафе "
    "работает с людьми с инвалидностью и получает заказы от администрации района.\n",
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("analysis")
    for rel, text in DOCS.items():
        path = root / "corpus" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    settings = settings_for(root / "corpus", root / "index")
    assert run_index(settings).exit_code == 0
    return settings


def keys(engine: Engine, text: str, **kw: object) -> list[str]:
    return [h.source_key for h in engine.search(SearchRequest(text=text, **kw)).hits]  # type: ignore[arg-type]


def test_an_update_splits_a_compound_at_words_only_the_index_holds(tmp_path: Path) -> None:
    """A new file's compound is split where both parts are words of files indexed before
    (neither is a shipped part, nor standalone in the new file): each is looked up in the
    index as the compound asks for it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tulpaner.md").write_text(
        "Föreningen säljer tulpaner. Odling pågår hela året i växthuset.\n", encoding="utf-8"
    )
    settings = settings_for(corpus, tmp_path / "index")
    assert run_index(settings).exit_code == 0
    (corpus / "nytt.md").write_text(
        "Tulpanodlingen anställer tio personer i år.\n", encoding="utf-8"
    )
    assert run_index(settings).exit_code == 0  # an update of the live index
    engine = open_search(settings)
    assert keys(engine, "odling") == ["tulpaner.md", "nytt.md"]
    assert keys(engine, "tulpan") == ["tulpaner.md", "nytt.md"]
    assert keys(engine, "växthus") == ["tulpaner.md"]
    engine.close()


def test_a_part_finds_the_compound_ranked_below_the_word_itself(small: Settings) -> None:
    engine = open_search(small)
    assert keys(engine, "samarbete") == ["sv/kalmar.md", "sv/lund.md"]
    assert "sv/kalmar.md" in keys(engine, "företag")  # only as Socialföretaget
    engine.close()


def test_the_compound_a_part_found_is_marked_in_the_snippet(small: Settings) -> None:
    from search.retrieval.highlight import match_spans

    engine = open_search(small)
    hit = next(
        h
        for h in engine.search(SearchRequest(text="företag")).hits
        if h.source_key == "sv/kalmar.md"
    )
    assert [seg.text for seg in hit.snippet if seg.match] == ["Socialföretaget"]
    engine.close()
    # only a last part is looked for inside a word, and only one of five letters or more
    text = "Kommunikationen med förvaltningen ska förebygga problem i epoxiprodukter."
    parts = {("text_sv_parts", "kommun"), ("text_sv_parts", "bygg"), ("text_sv_parts", "produkt")}
    assert [text[a:b] for a, b in match_spans(text, "sv", parts)] == ["epoxiprodukter"]
    assert match_spans(text, "lv", parts) == []


def test_one_marker_for_a_page_of_hits_marks_as_each_passage_alone() -> None:
    """A search's marker remembers each word it has looked at, per language: the same word
    in a passage of another language is looked at again, by that language's field."""
    from search.retrieval.highlight import Marker, match_spans

    terms = {("text_sv", "kommun"), ("text_folded", "kommun")}
    passages = [
        ("Kommunen och kommun samarbetar.", "sv"),
        ("Kommunen un pašvaldība sadarbojas.", "lv"),  # not the Swedish stem: unmarked
        ("kommun kommun", "en"),
        ("Kommunen och kommun samarbetar.", "sv"),
    ]
    marker = Marker(terms)
    for text, language in passages:
        assert marker.spans(text, language) == match_spans(text, language, terms), language
    assert Marker(set()).spans("kommun", "sv") == []


def test_a_place_name_reaches_every_spelling(small: Settings) -> None:
    engine = open_search(small)
    assert set(keys(engine, "Riga")) == {"lv/riga.md", "ru/riga.md"}
    assert set(keys(engine, "Rīga")) == {"lv/riga.md", "ru/riga.md"}
    assert set(keys(engine, "Minsk")) == {"ru/minsk.md", "ru/riga.md"}
    engine.close()


def test_municipality_and_country_are_inferred_from_place_names(small: Settings) -> None:
    shown = SearchService(small).show("ru/minsk.md")
    assert shown is not None
    fields = {name: (value, origin) for name, value, origin in shown.fields}
    assert fields["municipality"] == ("Минск", "inferred (places named in the text)")
    assert fields["country"] == ("BY", "inferred (places named in the text)")


def test_declared_municipality_wins_over_inference(fixture_index: Settings) -> None:
    shown = SearchService(fixture_index).show("lv/riga.md")
    assert shown is not None
    assert ("municipality", "Rīga", "sidecar") in shown.fields


def test_input_without_diacritics_finds_latvian(fixture_index: Settings) -> None:
    engine = open_search(fixture_index)
    assert "lv/valmiera.md" in keys(engine, "pasvaldiba")
    engine.close()


def test_cross_lingual_reaches_swedish_latvian_and_russian(sample_index: Settings) -> None:
    engine = open_search(sample_index)
    query = "social enterprise municipality procurement"
    plain = engine.search(SearchRequest(text=query, page_size=10))
    assert {h.language for h in plain.hits} == {"en"}
    words = ("social", "enterprise", "municipal", "procurement")
    in_passage = [all(w in h.text.lower() for w in words) for h in plain.hits]
    assert in_passage[0] and in_passage == sorted(in_passage, reverse=True), in_passage
    for hit in plain.hits:  # the rest hold the words across their passages
        shown = SearchService(sample_index).show(hit.source_key)
        assert shown is not None
        text = " ".join(p.text for p in shown.passages).lower()
        assert all(w in text for w in words), hit.title
    wide = engine.search(SearchRequest(text=query, page_size=10, cross_lingual=True))
    assert {"sv", "lv", "ru"} <= {h.language for h in wide.hits}
    assert wide.hits[0].language == "en", "expansions rank below the words typed"
    engine.close()


def test_the_glossary_has_eighty_concepts_in_four_languages() -> None:
    from search.text.glossary import glossary

    concepts = glossary().concepts
    assert len(concepts) >= 80
    for concept in concepts:
        assert {"en", "sv", "lv", "ru"} <= {lang for lang, _ in concept.terms}


def test_the_gazetteer_lists_every_swedish_kommun_and_latvian_municipality() -> None:
    from search.text.places import gazetteer

    places = gazetteer().places
    assert sum(p.country == "SE" for p in places) == 290
    assert sum(p.country == "LV" for p in places) == 43
    assert {"Минск", "Брест", "Витебск", "Гомель", "Гродно", "Могилёв"} <= {p.name for p in places}


def test_cli_cross_lingual_flag(sample_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from search.cli import main

    base = ["--corpus", str(sample_index.corpus_dir), "--index", str(sample_index.index_dir)]
    assert main([*base, "query", "elderly care", "--cross-lingual", "--json"]) == 0
    import json

    langs = {h["language"] for h in json.loads(capsys.readouterr().out)["hits"]}
    assert {"sv", "lv", "ru"} & langs


@given(st.text(alphabet="ab'’_-1é\n. Ёё", max_size=40))
def test_token_positions_are_those_of_the_analyzers_tokenizer(text: str) -> None:
    # highlighting finds tokens with findall + find; the analyzers tokenize with the regex
    expected = [(m.group(0), m.start(), m.end()) for m in re.finditer(TOKEN_PATTERN, text)]
    assert analysis.tokens(text) == expected


def test_a_number_with_grouped_thousands_or_a_decimal_part_is_one_token() -> None:
    text = "Budgeten: 12 000 kr, 1,000 people, 7,9 % och 7.9 Mw; 12.05.2008, 1,2,3 och 2008,2009."
    assert [t for t, _, _ in analysis.tokens(text)] == [
        "Budgeten", "12 000", "kr", "1,000", "people", "7,9", "och", "7.9", "Mw",
        "12", "05", "2008", "1", "2", "3", "och", "2008", "2009",
    ]  # fmt: skip
    assert analysis.field_terms("12 000 kr och 7,9 %", "sv")["text_sv"] == ["12000", "k", "7.9"]
    assert {analysis.analyze_token("en", n) for n in ("1,000", "1 000", "1\u00a0000")} == {"1000"}


def test_a_number_is_found_however_its_thousands_and_decimals_are_written(
    tmp_path: object,
) -> None:
    """Reports write `12 000 kr`, `12,000 SEK` and `7,9 procent`; a person types `12000`,
    `12 000` or `7.9`. Each finds each, and `7.9` no longer finds a 7 and a 9 apart."""
    from pathlib import Path

    from tests.conftest import corpus_of

    assert isinstance(tmp_path, Path)
    service = corpus_of(
        tmp_path,
        {
            "budget.md": b"# Budget\n\nKommunen gav 12 000 kr och andelen var 7,9 procent.\n",
            "report.md": b"# Report\n\nThe grant was 12,000 SEK in 2019.\n",
            "apart.md": b"# Apart\n\nSju personer arbetade 7 dagar och 9 timmar.\n",
        },
    )
    assert not service.run_index().failed

    def found(text: str) -> set[str]:
        return {h.source_key for h in service.search(SearchRequest(text=text)).hits}

    for typed in ("12000", "12 000", "12,000", '"12 000 kr"'):
        assert found(typed) >= {"budget.md"}, typed
    assert found("12000") == {"budget.md", "report.md"}
    assert found("7.9") == found("7,9") == {"budget.md"}
    first = service.search(SearchRequest(text="12 000")).hits[0]
    assert any(s.match and s.text == "12 000" for s in first.snippet)
