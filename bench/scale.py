"""Scale: build a generated collection in a fresh process (so its peak memory is its own),
then add 100 documents incrementally, and count segments and bytes on disk.

    python -m bench.scale 100000
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import synthetic
from search import store
from search.indexer import add_documents, build_from_documents
from search.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"


def measure(passages: int, index_dir: Path) -> dict[str, Any]:
    settings = Settings(index_dir=index_dir, corpus_dir=CORPUS)
    started = time.perf_counter()
    built = build_from_documents(settings, synthetic.documents(CORPUS, passages), procs=2)
    build_s = time.perf_counter() - started
    extra = list(synthetic.documents(CORPUS, 1000, seed=99))[:100]
    started = time.perf_counter()
    add_documents(settings, extra)
    add_s = time.perf_counter() - started
    gen = store.current_generation(index_dir)
    assert gen is not None
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "passages": built,
        "build_seconds": round(build_s, 1),
        "build_passages_per_s": round(built / build_s, 1),
        "add_100_documents_seconds": round(add_s, 2),
        "segments": len(list(gen.glob("*.seg"))),
        "index_mb": round(store.size_bytes(gen) / 2**20, 1),
        "peak_rss_mb": {"main": round(own), "largest_writer_process": round(children)},
    }


def main() -> int:
    passages = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        print(json.dumps(measure(passages, Path(tmp) / "index"), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
