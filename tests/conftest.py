"""Shared fixtures: paths to the real test data, and a small multilingual fixture corpus
indexed once per session in a temporary folder (never the project's own index/)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from search.service import SearchService
from search.settings import Limits, Settings
from tests.fixture_corpus import write_fixture_corpus

# In CI the property and fuzz tests run the same examples every time: a submission must not
# fail on an example no one can reproduce. Locally they explore new examples on every run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

FUZZ_SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1")))
"""How many times more inputs the fuzz and crash-loop tests try (`make fuzz` sets 20)."""

PROJECT = Path(__file__).resolve().parent.parent
TESTDATA = PROJECT / "tests" / "data" / "real"
"""Real public files the tests read (see its MANIFEST.md): in the repository, so a fresh
clone needs nothing beside it."""


def settings_for(corpus: Path, index: Path, **limits: float) -> Settings:
    return Settings(index_dir=index, corpus_dir=corpus, limits=Limits(**limits), workers=2)  # type: ignore[arg-type]


def corpus_of(root: Path, files: dict[str, Path | bytes]) -> SearchService:
    """A corpus under `root` of these files (copies of real ones, or bytes), and the
    service over it and an index beside it."""
    corpus = root / "corpus"
    for name, source in files.items():
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        data = source if isinstance(source, bytes) else source.read_bytes()
        (corpus / name).write_bytes(data)
    return SearchService(Settings(index_dir=root / "index", corpus_dir=corpus))


@pytest.fixture(scope="session")
def testdata() -> Path:
    if not TESTDATA.is_dir():
        pytest.fail(f"real test data missing at {TESTDATA}")
    return TESTDATA


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The fixture corpus, indexed once for every test that only reads it."""
    from search.service import run_index

    root = tmp_path_factory.mktemp("fixture")
    corpus = root / "corpus"
    write_fixture_corpus(corpus)
    settings = settings_for(corpus, root / "index")
    report = run_index(settings)
    assert not report.failed, report.failed
    yield settings


@pytest.fixture
def engine(fixture_index: Settings) -> Iterator[object]:
    from search.service import open_search

    e = open_search(fixture_index)
    yield e
    e.close()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped sample corpus, indexed once per session."""
    from search.service import run_index

    settings = settings_for(PROJECT / "corpus", tmp_path_factory.mktemp("sample") / "index")
    report = run_index(settings)
    assert not report.failed, report.failed
    return settings
