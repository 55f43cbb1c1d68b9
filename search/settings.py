"""Paths and limits, passed around as one frozen object (no global mutable state)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards for extracting untrusted files and fetching pages."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_pages: int = 3000
    seconds_per_file: float = 60.0
    """Per file; a file whose pages are read by OCR gets this much again for each page."""
    seconds_per_ocr_page: float = 120.0
    ocr_cache_dir: str = ""
    """Where recognised text is kept by content hash (the indexer sets it in the index home)."""
    memory_mb_per_worker: int = 1536
    max_stream_bytes: int = 75_000_000
    fetch_timeout: float = 15.0
    fetch_max_bytes: int = 10 * 1024 * 1024
    fetch_max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Settings:
    index_dir: Path
    corpus_dir: Path
    limits: Limits = Limits()
    workers: int = 0
    """Extraction processes; 0 means one per core."""

    @property
    def worker_count(self) -> int:
        return self.workers or max(1, os.cpu_count() or 1)


def default_settings(
    index_dir: str | Path | None = None, corpus_dir: str | Path | None = None
) -> Settings:
    """Settings for the project's own `index/` and `corpus/`, overridable per call.

    Without a corpus, an index uses the corpus it was built from (recorded in its folder)."""
    from search.indexing.index_home import recorded_corpus

    index = Path(index_dir) if index_dir else PROJECT_ROOT / "index"
    corpus = Path(corpus_dir) if corpus_dir else recorded_corpus(index) or PROJECT_ROOT / "corpus"
    return Settings(index_dir=index, corpus_dir=corpus)
