"""The scriptable CLI: help, statistics, show, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from search.cli import main
from search.settings import Settings
from tests.conftest import PROJECT


def _base(s: Settings) -> list[str]:
    return ["--corpus", str(s.corpus_dir), "--index", str(s.index_dir)]


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("index", "query", "stats", "show", "add"):
        assert command in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["query", "--sort", "nonsense"])
    assert exit_info.value.code == 2


def test_stats_json_counts_documents_per_facet(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_base(fixture_index), "stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == 6
    assert dict(data["by_country"]) == {"SE": 3, "LV": 3, "BY": 2}
    assert dict(data["by_language"]) == {"sv": 2, "lv": 2, "ru": 1, "en": 1}
    assert dict(data["by_type"]) == {"case": 5, "report": 1}
    assert data["index_bytes"] > 0 and data["last_update"]


def test_show_explains_where_metadata_came_from(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_base(fixture_index), "show", "lv/valmiera.md"]) == 0
    out = capsys.readouterr().out
    assert "country       LV   (folder lv/_meta.toml)" in out
    assert "year          2020   (sidecar)" in out
    assert "language      lv   (inferred)" in out
    assert "Valmieras novada pašvaldību" in out


def test_show_by_doc_id_as_json(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_base(fixture_index), "show", "by/minsk.html", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert main([*_base(fixture_index), "show", data["doc_id"], "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again == data
    assert data["title"] == "Социальное предприятие в Минске"
    text = " ".join(p["text"] for p in data["passages"])
    assert "cookie" not in text and "Все права защищены" not in text and "Новости" not in text


def test_show_unknown_document_exits_1(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_base(fixture_index), "show", "nothing/here.pdf"]) == 1
    assert "not in the index" in capsys.readouterr().err


def test_query_without_index_says_how_to_build_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--corpus", str(tmp_path), "--index", str(tmp_path / "none"), "query", "x"]) == 1
    assert "python -m search index" in capsys.readouterr().err


def test_an_index_with_no_passages_yet_answers_every_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new corpus folder with nothing in it yet (or only files that failed): searching
    and asking say that nothing matches; they once ended in a traceback."""
    (tmp_path / "corpus").mkdir()
    base = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    assert main([*base, "index"]) == 0
    capsys.readouterr()
    for words in ("kommun", '"kommun samarbete"', "kommun country:SE"):
        assert main([*base, "query", words]) == 0
        assert capsys.readouterr().out.startswith("0 documents")
    assert main([*base, "ask", "Vad gör kommunen?"]) == 0
    assert "Nothing in the collection matches" in capsys.readouterr().out
    assert main([*base, "stats"]) == 0
    stats = capsys.readouterr().out
    assert "nothing indexed yet: put documents in" in stats and "by country" not in stats


def test_index_of_a_missing_corpus_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i"), "index"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_module_entry_point_runs(fixture_index: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "search", *_base(fixture_index), "query", "Valmierā"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert "Sociālais uzņēmums Valmierā" in done.stdout


def test_a_phrase_with_proximity_finds_words_apart(
    sample_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    def found(query: str) -> int:
        assert main([*_base(sample_index), "query", query, "--json"]) in (0, 1)
        return int(json.loads(capsys.readouterr().out)["total_passages"])

    assert found('"sociala kommun"~4') > found('"sociala kommun"')
