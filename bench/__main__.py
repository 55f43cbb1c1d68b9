"""`make bench`: extraction, indexing, this project beside SQLite FTS5 and tantivy at 10k
and 100k passages (bench/scale.py), search quality, Q&A (the sample corpus, the team's
Latvian, Swedish and Russian questions, public English ones), cold start, TUI keystrokes
and F5 on one new file.

Prints a Markdown report and writes it, with the raw numbers as JSON, to bench/results/.
Side-by-side comparisons run in one process on the same data, interleaved; figures are
medians and 95th percentiles on this (shared, noisy) machine.

    python -m bench                 # everything (about 20 minutes)
    python -m bench --sizes 10000   # smaller
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import (
    conflation,
    pages_eval,
    public_qa,
    qa_eval,
    scale,
    search_eval,
    synthetic,
    tui_reindex,
)
from bench.stats import machine, summary
from search.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
RESULTS = PROJECT_ROOT / "bench" / "results"
QUERIES = 60


def bench_sample_corpus(tmp: Path) -> dict[str, Any]:
    """Extraction pages/s (one process) and end-to-end index passages/s for corpus/."""
    from search.service import SearchService

    service = SearchService(Settings(index_dir=tmp / "sample-index", corpus_dir=CORPUS))
    sources = service.corpus_files()
    started = time.perf_counter()
    pages = passages = 0
    for src in sources:
        doc = service.read(src)
        pages += doc.page_count
        passages += len(doc.passages)
    extract_s = time.perf_counter() - started
    report = service.run_index(rebuild=True)
    again = service.run_index()
    return {
        "files": len(sources),
        "pages": pages,
        "passages": passages,
        "extract_pages_per_s": round(pages / extract_s, 1),
        "index_passages_per_s": round(report.passages / report.seconds, 1),
        "index_seconds": round(report.seconds, 2),
        "unchanged_reindex_seconds": round(again.seconds, 3),
    }


def bench_generated_files(tmp: Path, passages: int) -> dict[str, Any]:
    """The whole pipeline (files → extraction workers → index) on generated Markdown files."""
    from search.service import run_index

    corpus = tmp / f"generated-{passages}"
    files = synthetic.write_files(CORPUS, corpus, passages)
    settings = Settings(index_dir=tmp / f"generated-{passages}-index", corpus_dir=corpus)
    report = run_index(settings, rebuild=True)
    return {
        "files": files,
        "passages": report.passages,
        "seconds": round(report.seconds, 1),
        "passages_per_s": round(report.passages / report.seconds, 1),
    }


def bench_cold_start(index: Path, runs: int = 8) -> dict[str, float]:
    """Process start to printed results for `python -m search query` on the sample corpus."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "search", "--index", str(index), "query", "sociala företag"],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
        times.append((time.perf_counter() - t) * 1000)
    return summary(times)


def bench_keystrokes(index: Path, corpus: Path, text: str = "kommun samarbete") -> dict[str, float]:
    """Keystroke in the search box to refreshed results, as the app itself measures it
    (debounce included), typing at about five keys a second."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from tui import make_app

    async def run() -> list[float]:
        app = make_app(Settings(index_dir=index, corpus_dir=corpus), show_timing=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()
            app.clock.latencies.clear()
            for _round in range(3):
                for ch in text:
                    await pilot.press(ch if ch != " " else "space")
                    await pilot.pause(0.2)
                for _ in text:
                    await pilot.press("backspace")
                await pilot.pause(0.3)
            return list(app.clock.latencies)

    return summary(asyncio.run(run()))


def markdown(r: dict[str, Any]) -> str:
    lines = [f"# Benchmarks, {r['date']}", "", f"Machine: {r['machine']}", ""]
    s = r["sample_corpus"]
    lines += [
        "## Extraction and indexing",
        "",
        "| collection | files | pages | passages | extraction pages/s (1 process) | index passages/s (end to end) |",
        "|---|---|---|---|---|---|",
        f"| sample corpus | {s['files']} | {s['pages']} | {s['passages']} | {s['extract_pages_per_s']} | "
        f"{s['index_passages_per_s']} ({s['index_seconds']} s; unchanged reindex {s['unchanged_reindex_seconds']} s) |",
    ]
    for g in r.get("generated_files", []):
        lines.append(
            f"| generated Markdown | {g['files']} | – | {g['passages']} | – | {g['passages_per_s']} ({g['seconds']} s) |"
        )
    lines += [
        "",
        "## Side by side with SQLite FTS5 and tantivy (bench/scale.py)",
        "",
        *scale.markdown(r["side_by_side"], r["date"], r["machine"]),
    ]
    sections: list[tuple[str, str, Callable[[], list[str]]]] = [
        ("search_quality", "Search quality on the sample corpus (bench/search_eval.toml)",
         lambda: search_eval.markdown(r["search_quality"])),
        ("conflation", "Word forms: conflation and over-merging on the UD treebanks (bench/conflation.py)",
         lambda: conflation.markdown(r["conflation"])),
        ("pages_kept", "Real PDFs: pages kept, and scanned pages read by OCR (bench/pages_eval.py)",
         lambda: pages_eval.markdown(r["pages_kept"], r["spacing"], r["ocr"])),
        ("qa", "Questions and answers on the sample corpus (tests/data/qa_eval.toml, 84 questions)",
         lambda: qa_eval.markdown(r["qa"])),
        ("team_qa", "Questions the team wrote over real Latvian, Swedish and Russian documents (bench/public_qa.py)",
         lambda: public_qa.markdown(r["team_qa"], public_qa.LANGUAGE_HALVES)),
        ("team_qa", "The team's questions: keyword search for the passage holding the answer, its words OR-ed (bench/public_qa.py)",
         lambda: public_qa.search_markdown(r["team_qa"], public_qa.ANSWERABLE_HALVES)),
        ("public_qa", "Public questions: SQuAD v1.1 train excerpt, English (bench/public_qa.py)",
         lambda: public_qa.markdown(r["public_qa"])),
        ("public_qa", "Public questions: keyword search for the question's paragraph, its words OR-ed (bench/public_qa.py)",
         lambda: public_qa.search_markdown(r["public_qa"])),
    ]  # fmt: skip
    for key, heading, body in sections:
        if key in r:
            lines += ["", f"## {heading}", "", *body()]
    c = r["cold_start"]
    lines += [
        "",
        f"CLI cold start (`python -m search query …` on the sample corpus): median {c['median_ms']} ms, "
        f"p95 {c['p95_ms']} ms.",
        "",
        "## TUI: keystroke to rendered results (ms, 40 ms debounce included)",
        "",
        "| index | median | p95 |",
        "|---|---|---|",
    ]
    for name, k in r["keystrokes"].items():
        lines.append(f"| {name} | {k['median_ms']} | {k['p95_ms']} |")
    if "f5" in r:
        lines += ["", "## TUI: F5 on one new file (bench/tui_reindex.py)", ""]
        lines += tui_reindex.markdown(r["f5"], r.get("f5_generated"))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,100000", help="generated collection sizes (passages)"
    )
    parser.add_argument(
        "--files", type=int, default=10000, help="passages in the generated-files pipeline run"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    result: dict[str, Any] = {"date": dt.date.today().isoformat(), "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        tmp = Path(name)
        print("sample corpus: extraction and indexing …", flush=True)
        result["sample_corpus"] = bench_sample_corpus(tmp)
        print("pages kept from real PDFs, scanned pages read by OCR …", flush=True)
        result["pages_kept"] = pages_eval.pages_kept(tmp)
        result["spacing"] = pages_eval.words_run_together(tmp)
        print("word forms: conflation on the UD treebanks …", flush=True)
        result["conflation"] = conflation.table()
        result["ocr"] = pages_eval.ocr(tmp)
        print(f"generated files, {args.files} passages …", flush=True)
        result["generated_files"] = [bench_generated_files(tmp, args.files)] if args.files else []
        result["side_by_side"] = []
        for size in sizes:
            print(f"side by side at {size} passages …", flush=True)
            result["side_by_side"].append(scale.compare(size, tmp))
        print("search quality …", flush=True)
        from search.service import SearchService

        service = SearchService(Settings(index_dir=tmp / "sample-index", corpus_dir=CORPUS))
        result["search_quality"] = search_eval.evaluate(service)
        print("question answering …", flush=True)
        result["qa"] = qa_eval.evaluate(service)
        service.close()
        print("public and team-written questions …", flush=True)
        result["team_qa"] = public_qa.evaluate_languages()
        result["public_qa"] = public_qa.evaluate()
        print("cold start …", flush=True)
        result["cold_start"] = bench_cold_start(tmp / "sample-index")
        print("TUI keystrokes …", flush=True)
        result["keystrokes"] = {"sample corpus": bench_keystrokes(tmp / "sample-index", CORPUS)}
        if sizes:
            result["keystrokes"][f"{max(sizes)} generated passages"] = bench_keystrokes(
                tmp / f"ours-{max(sizes)}", CORPUS
            )
        print("TUI: F5 on one new file …", flush=True)
        result["f5"] = tui_reindex.f5_one_new_file(tmp / "f5")
        if sizes:
            print(f"TUI: F5 on one new file, {max(sizes)} passages in the index …", flush=True)
            big = tui_reindex.f5_one_new_file(tmp / "f5-big", generated=max(sizes))
            result["f5_generated"] = {**big, "passages": max(sizes)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    report = markdown(result)
    (RESULTS / "latest.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
