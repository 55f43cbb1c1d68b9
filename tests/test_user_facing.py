"""What a user meets at the edges: names for countries and languages, query words that start
with '-', options in any order, the index folder that is the tool's own and remembers its
corpus, citations, CSV cells, and questions without words."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from search.cli import main
from search.errors import IndexFolderError, QuerySyntaxError
from search.indexing.index_home import MARKER_NAME, recorded_corpus
from search.render import citation, hits_csv, plural
from search.retrieval.names import country_code, language_code
from search.service import ask, open_search, run_index
from search.settings import Settings, default_settings
from tests.conftest import settings_for
from tests.fixture_corpus import write_fixture_corpus


def _base(s: Settings) -> list[str]:
    return ["--index", str(s.index_dir)]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        *[("SE", "SE"), ("se", "SE"), ("Sweden", "SE"), ("Sverige", "SE"), ("Zviedrija", "SE")],
        *[("Швеция", "SE"), ("Latvija", "LV"), ("Lettland", "LV"), ("Латвия", "LV")],
        *[("Беларусь", "BY"), ("Belarus", "BY"), ("Vitryssland", "BY"), ("Baltkrievija", "BY")],
    ],
)
def test_country_names_in_four_languages_are_codes(name: str, code: str) -> None:
    assert country_code(name) == code


def test_an_unknown_country_is_refused_with_the_codes() -> None:
    with pytest.raises(QuerySyntaxError, match=r"use SE \(Sweden\), LV \(Latvia\) or BY"):
        country_code("Narnia")


@pytest.mark.parametrize(
    ("name", "code"), [("ru", "ru"), ("Russian", "ru"), ("ryska", "ru"), ("latviešu", "lv")]
)
def test_language_names_are_codes(name: str, code: str) -> None:
    assert language_code(name) == code


def test_filters_by_country_name_from_the_cli_and_the_query_language(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = []
    for args in (
        ["query", "--country", "Latvija", "--json"],
        ["query", "country:Latvia", "--json"],
        ["query", "--json", "--country", "LV"],
    ):
        assert main([*_base(fixture_index), *args]) == 0
        outputs.append(json.loads(capsys.readouterr().out)["total_documents"])
    assert outputs[0] == outputs[1] == outputs[2] > 0
    assert main([*_base(fixture_index), "query", "--lang", "klingon"]) == 2
    assert "unknown language 'klingon'" in capsys.readouterr().err


def test_a_query_word_may_start_with_a_minus(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_base(fixture_index), "query", "--json", "", "--limit", "50"]) == 0
    everything = json.loads(capsys.readouterr().out)["total_documents"]
    assert main([*_base(fixture_index), "query", "-kommun", "--json", "--limit", "50"]) == 0
    without = json.loads(capsys.readouterr().out)
    assert 0 < without["total_documents"] < everything
    assert all("kommun" not in h["snippet"].lower() for h in without["hits"])


def test_global_options_go_before_or_after_the_subcommand(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, index = str(fixture_index.corpus_dir), str(fixture_index.index_dir)
    assert main(["stats", "--json", "--index", index, "--corpus", corpus]) == 0
    after = json.loads(capsys.readouterr().out)
    assert main(["--index", index, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == after


def test_counts_are_singular_for_one() -> None:
    assert plural(1, "document") == "1 document" and plural(2, "document") == "2 documents"


# ---------------------------------------------------------------- the index folder


def test_the_index_remembers_its_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    write_fixture_corpus(corpus)
    index = tmp_path / "index"
    assert main(["index", "--corpus", str(corpus), "--index", str(index)]) == 0
    assert recorded_corpus(index) == corpus.resolve()
    assert default_settings(index).corpus_dir == corpus.resolve()
    # without --corpus, a later run updates from the same corpus: nothing is removed
    capsys.readouterr()
    assert main(["index", "--index", str(index)]) == 0
    assert "0 removed" in capsys.readouterr().out
    # another corpus is refused, and the index keeps its documents
    other = tmp_path / "other"
    other.mkdir()
    assert main(["index", "--index", str(index), "--corpus", str(other)]) == 1
    err = capsys.readouterr().err
    assert "was built from" in err and "--rebuild" in err
    assert main(["--index", str(index), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] > 0
    # a rebuild from the other corpus is what the user asked for
    (other / "note.txt").write_text("Ett nytt dokument om kommuner.\n" * 3, encoding="utf-8")
    assert main(["index", "--rebuild", "--index", str(index), "--corpus", str(other)]) == 0
    assert recorded_corpus(index) == other.resolve()


def test_a_folder_of_the_users_is_never_emptied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    write_fixture_corpus(corpus)
    mine = tmp_path / "mine"
    (mine / "gen-2019-reports").mkdir(parents=True)
    (mine / "gen-2019-reports" / "r.txt").write_text("precious")
    (mine / "CURRENT").write_text("tasks")
    for args in (["index"], ["index", "--rebuild"], ["doctor", "--repair"]):
        code = main([*args, "--corpus", str(corpus), "--index", str(mine)])
        assert code == 1, args
        assert "not an index of this tool" in capsys.readouterr().err
    assert (mine / "gen-2019-reports" / "r.txt").read_text() == "precious"
    assert (mine / "CURRENT").read_text() == "tasks"
    assert not (mine / MARKER_NAME).exists()


@pytest.mark.parametrize("where", ["inside", "same", "file"])
def test_the_index_cannot_live_in_the_corpus_or_a_file(tmp_path: Path, where: str) -> None:
    corpus = tmp_path / "corpus"
    write_fixture_corpus(corpus)
    index = {"inside": corpus / "idx", "same": corpus, "file": tmp_path / "f"}[where]
    if where == "file":
        index.write_text("x")
    before = sorted(p.name for p in corpus.rglob("*"))
    with pytest.raises(IndexFolderError):
        run_index(settings_for(corpus, index))
    assert sorted(p.name for p in corpus.rglob("*")) == before


# ------------------------------------------------------------- answers and exports


def test_a_question_without_a_content_word_is_answered_with_a_message(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    for question in ("?", "", "..."):
        with pytest.raises(QuerySyntaxError, match="no word to look for"):
            ask(open_search(fixture_index), question)
        assert main([*_base(fixture_index), "ask", question or " "]) == 2
        assert "no word to look for" in capsys.readouterr().err


def test_closest_passages_are_never_an_empty_list(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_base(fixture_index), "ask", "zzqx", "wvvk", "?"]) == 0
    out = capsys.readouterr().out
    assert "The closest passages:" not in out
    assert "Nothing in the collection matches the words of this question" in out


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(fixture_index: Settings) -> None:
    engine = open_search(fixture_index)
    from dataclasses import replace

    from search.models import SearchRequest

    hit = engine.search(SearchRequest(text="", page_size=1)).hits[0]
    evil = replace(hit, title='=HYPERLINK("http://x.example","click")', heading="@SUM(A1)")
    row = next(csv.DictReader(io.StringIO(hits_csv([evil]))))
    assert row["title"].startswith("'=") and not row["citation"].startswith("=")
    assert all(not v.startswith(("=", "+", "-", "@")) for v in row.values())


def test_a_citation_never_repeats_the_title_as_its_section(fixture_index: Settings) -> None:
    engine = open_search(fixture_index)
    from search.models import SearchRequest

    for hit in engine.search(SearchRequest(text="", page_size=50)).hits:
        parts = citation(hit).split(", ")
        assert parts.count(hit.title) <= 1 or hit.title.count(", ")


def test_the_index_json_report_lists_earlier_failures(tmp_path: Path, testdata: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(testdata / "pdf/hard/encrypted_password-test.pdf", corpus / "scan.pdf")
    (corpus / "ok.txt").write_text("Ett dokument om kommuner och företag.\n" * 3, encoding="utf-8")
    settings = settings_for(corpus, tmp_path / "index")
    run_index(settings)
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        code = main(["index", "--json", "--index", str(settings.index_dir)])
    data = json.loads(out.getvalue())
    assert code == 3 and data["exit_code"] == 3
    assert [f["key"] for f in data["known_failures"]] == ["scan.pdf"]


JAPANESE_PAGE = """<html><head><title>社会的企業と自治体</title></head><body>
<h1>社会的企業と自治体の協力</h1>
<p>この報告書は、社会的企業と自治体の協力について説明します。多くの町では、社会的企業が
公共調達に参加し、長期失業者に仕事を提供しています。自治体は契約の中で社会的な条件を
定めることができます。</p>
<p>協力の成功には、信頼と透明性が欠かせません。担当者は定期的に会合を開き、成果を
共有しています。</p></body></html>"""


def test_a_web_page_in_another_language_is_indexed_as_other(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ja.html").write_text(JAPANESE_PAGE, encoding="utf-8")
    # and a UTF-8 text file with one stray byte: UTF-8, not cp1252, and not 'garbage'
    text = "Pašvaldība un sociālais uzņēmums strādā kopā pie iepirkuma.\n" * 4
    (corpus / "stray.txt").write_bytes(text.encode() + b"\xff\n")
    settings = settings_for(corpus, tmp_path / "index")
    report = run_index(settings)
    assert report.failed == () and sorted(report.added) == ["ja.html", "stray.txt"]
    engine = open_search(settings)
    from search.models import SearchRequest

    hits = engine.search(SearchRequest(text="", filters=(("lang", ("other",)),))).hits
    assert [h.source_key for h in hits] == ["ja.html"]
    found = engine.search(SearchRequest(text="pašvaldība")).hits
    assert [h.source_key for h in found] == ["stray.txt"]


def test_copy_uses_the_clipboard_tools_this_machine_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search import clipboard

    took = tmp_path / "took"
    tool = tmp_path / "bin" / "xclip"
    tool.parent.mkdir()
    tool.write_text(f"#!/bin/sh\n/bin/cat > {took}\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tool.parent))
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    assert clipboard.copy("Rapport, p. 3, SE, 2019") == ["xclip"]
    assert took.read_text() == "Rapport, p. 3, SE, 2019"
    monkeypatch.delenv("DISPLAY")
    assert clipboard.copy("x") == []  # nothing could take it: the UI says so


def test_files_of_other_types_are_accounted_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    write_fixture_corpus(corpus)
    (corpus / "budget.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (corpus / "se" / "plan.xlsx").write_bytes(b"PK\x03\x04")
    (corpus / "se" / "slides.pptx").write_bytes(b"PK\x03\x04")
    base = ["--index", str(tmp_path / "index"), "--corpus", str(corpus)]
    assert main([*base, "index"]) == 0
    out = capsys.readouterr().out
    assert "skipped, not a type this tool reads: 2 .xlsx, 1 .pptx" in out
    assert main([*base, "stats"]) == 0
    assert "not read (a type this tool does not read): 2 .xlsx, 1 .pptx" in capsys.readouterr().out
    assert main([*base, "doctor"]) == 0  # healthy: other types are not the index's fault
    assert "Not read: 2 .xlsx, 1 .pptx" in capsys.readouterr().out
