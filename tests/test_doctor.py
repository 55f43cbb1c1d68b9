"""`search doctor` finds and repairs deliberately damaged indexes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from search.cli import main
from search.indexing import manifest, store
from search.indexing.doctor import check, repair
from search.indexing.lock import LOCK_NAME
from search.models import SearchRequest
from search.service import open_search, run_index
from search.settings import Settings
from tests.conftest import settings_for
from tests.fixture_corpus import write_fixture_corpus


@pytest.fixture
def built(tmp_path: Path) -> Settings:
    settings = settings_for(write_fixture_corpus(tmp_path / "corpus"), tmp_path / "index")
    run_index(settings)
    return settings


def _kinds(settings: Settings) -> set[str]:
    return {f.kind for f in check(settings)}


def _finds(settings: Settings, text: str) -> int:
    engine = open_search(settings)
    try:
        return engine.search(SearchRequest(text=text)).total_documents
    finally:
        engine.close()


def test_a_healthy_index_is_reported_healthy(
    built: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(built) == []
    assert main(["--corpus", str(built.corpus_dir), "--index", str(built.index_dir), "doctor"]) == 0
    assert "healthy" in capsys.readouterr().out


def test_a_deleted_segment_file_is_found_and_the_index_rebuilt(built: Settings) -> None:
    gen = store.current_generation(built.index_dir)
    assert gen is not None
    segment = next(p for p in gen.iterdir() if p.suffix == ".seg")
    segment.unlink()
    assert "unreadable" in _kinds(built)
    report = repair(built)
    assert any("rebuilt" in a for a in report.actions)
    assert check(built) == []
    assert _finds(built, "Valmierā") == 1


def test_a_stale_lock_is_found_and_cleared(built: Settings) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (built.index_dir / LOCK_NAME).write_text(dead.stdout.strip())
    assert "stale-lock" in _kinds(built)
    repair(built)
    assert not (built.index_dir / LOCK_NAME).exists() and check(built) == []


def test_an_out_of_date_manifest_is_found_and_repaired(built: Settings) -> None:
    gen = store.current_generation(built.index_dir)
    assert gen is not None
    entries = manifest.load(gen)
    entries.pop("lv/riga.md")
    manifest.save(gen, entries)
    (built.corpus_dir / "se/new.md").write_text(
        "# Ny\n\nEtt nytt fall om zebrakommunen.\n", encoding="utf-8"
    )
    kinds = _kinds(built)
    assert {"extra", "new-source"} <= kinds
    report = repair(built)
    assert report.actions
    assert check(built) == []
    assert _finds(built, "zebrakommunen") == 1
    assert _finds(built, "jauniešu") == 1


def test_cli_doctor_repair_json(built: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    (built.corpus_dir / "by/minsk.html").unlink()
    base = ["--corpus", str(built.corpus_dir), "--index", str(built.index_dir)]
    assert main([*base, "doctor"]) == 1
    capsys.readouterr()
    assert main([*base, "doctor", "--repair", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["healthy"] is True and data["findings"][0]["kind"] == "removed-source"
