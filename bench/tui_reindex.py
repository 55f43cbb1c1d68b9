"""F5 on one new file, in the real TUI: the key press to the new file in the results.

`python tui.py` runs in a pseudo-terminal on a copy of the sample corpus and its index, as
a person starts it; the search box holds a word only the new files contain. Each round
writes one new file into the corpus, presses F5 and waits until the screen counts one more
document. What a person waits for, end to end: the scan, extraction in a worker process,
the commit, reopening the index, the search again and the screen drawn.

    python -m bench.tui_reindex
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import synthetic
from bench.stats import summary
from bench.terminal import tui
from search.service import SearchService
from search.settings import PROJECT_ROOT, Settings

ROUNDS = 8
WORD = "Kvarnbyns"


def f5_one_new_file(work: Path, rounds: int = ROUNDS, generated: int = 0) -> dict[str, Any]:
    """`generated`: passages generated into the index first (`bench.synthetic`), beside the
    sample corpus's files: an F5 then commits to, and reopens, a large index."""
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    service = SearchService(Settings(index_dir=index, corpus_dir=corpus))
    if generated:
        service.build_from(synthetic.documents(corpus, generated), procs=2)
    service.run_index()
    times = []
    with tui(index, corpus) as term:
        term.wait_for(r"Results: \d+ document")
        time.sleep(3)  # a person reads the screen first; the app prepares in the meantime
        term.type(WORD)
        term.wait_for(r"Results: 0 documents|No document")
        for n in range(1, rounds + 1):
            (corpus / f"kvarnbyn-{n}.txt").write_text(
                f"{WORD} återbruk, rapport {n}: samarbete med Luleå kommun om arbetsträning.\n",
                encoding="utf-8",
            )
            started = time.perf_counter()
            term.press("f5", pause=0)
            term.wait_for(rf"Results: {n} documents?\b", timeout=30, whole=False)
            times.append((time.perf_counter() - started) * 1000)
            term.wait_for(r"Index updated: 1 added")
            time.sleep(0.5)
    return summary(times)


def markdown(result: dict[str, Any], generated: dict[str, Any] | None = None) -> list[str]:
    lines = [
        "| what | median ms | p95 ms |",
        "|---|---|---|",
        f"| F5 on one new file → it is in the results (sample corpus, {ROUNDS} files) "
        f"| {result['median_ms']} | {result['p95_ms']} |",
    ]
    if generated:
        lines.append(
            f"| the same, with {generated['passages']} generated passages in the index "
            f"| {generated['median_ms']} | {generated['p95_ms']} |"
        )
    return lines


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tui-reindex-") as name:
        result = f5_one_new_file(Path(name))
    print(json.dumps(result))
    print("\n".join(markdown(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
