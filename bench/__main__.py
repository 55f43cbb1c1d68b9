"""`make bench`: extraction, indexing, query latency against SQLite FTS5, cold start, TUI.

Prints a Markdown report and writes it, with the raw numbers as JSON, to bench/results/.
Side-by-side comparisons run in the same process on the same data; figures are medians
and 95th percentiles over repeated runs on this (shared, noisy) machine.

    python -m bench                 # everything (the 100k index takes several minutes)
    python -m bench --sizes 10000   # smaller
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import qa_eval, search_eval, synthetic
from bench.fts5 import Fts5
from bench.stats import machine, summary
from search.models import SearchRequest
from search.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
RESULTS = PROJECT_ROOT / "bench" / "results"
QUERIES = 60


def bench_sample_corpus(tmp: Path) -> dict[str, Any]:
    """Extraction pages/s (one process) and end-to-end index passages/s for corpus/."""
    from search.extract import process_file
    from search.indexer import scan_corpus
    from search.service import run_index
    from search.settings import Limits

    sources = scan_corpus(CORPUS)
    started = time.perf_counter()
    pages = passages = 0
    for src in sources.values():
        doc = process_file(Path(src.path), src.key, CORPUS, Limits())
        pages += doc.page_count
        passages += len(doc.passages)
    extract_s = time.perf_counter() - started
    settings = Settings(index_dir=tmp / "sample-index", corpus_dir=CORPUS)
    report = run_index(settings, rebuild=True)
    again = run_index(settings)
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


def query_words(seed: int = 3) -> list[str]:
    vocab = synthetic.vocabulary(CORPUS)
    rng = random.Random(seed)
    out = []
    for _ in range(QUERIES):
        words, weights = vocab[rng.choice(synthetic.LANGS)]
        common = [w for w, c in zip(words, weights, strict=True) if c >= 3 and len(w) > 3]
        out.append(" ".join(rng.sample(common, 2)))
    return out


def bench_queries(tmp: Path, passages: int) -> dict[str, Any]:
    """Two-word queries with all facet counts, with and without a country filter: us vs FTS5."""
    from search.indexer import build_from_documents
    from search.service import open_search

    settings = Settings(index_dir=tmp / f"q-{passages}", corpus_dir=CORPUS)
    started = time.perf_counter()
    built = build_from_documents(
        settings, synthetic.documents(CORPUS, passages), procs=2 if passages > 20000 else 1
    )
    build_s = time.perf_counter() - started
    fts = Fts5(tmp / f"fts-{passages}.db")
    started = time.perf_counter()
    fts.load(synthetic.documents(CORPUS, passages))
    fts_build_s = time.perf_counter() - started
    engine = open_search(settings)
    words = query_words()
    engine.search(SearchRequest(text=words[0], page_size=20))  # open and warm the caches once
    fts.search(words[0])
    timings: dict[str, list[float]] = {
        k: [] for k in ("ours", "ours_country", "fts5", "fts5_country")
    }
    for w in words:
        for key, run in (
            ("ours", lambda w=w: engine.search(SearchRequest(text=w, page_size=20))),
            ("fts5", lambda w=w: fts.search(w)),
            (
                "ours_country",
                lambda w=w: engine.search(
                    SearchRequest(text=w, page_size=20, filters=(("country", ("SE",)),))
                ),
            ),
            ("fts5_country", lambda w=w: fts.search(w, "SE")),
        ):
            t = time.perf_counter()
            run()
            timings[key].append((time.perf_counter() - t) * 1000)
    engine.close()
    result: dict[str, Any] = {
        "passages": built,
        "build_seconds": round(build_s, 1),
        "build_passages_per_s": round(built / build_s, 1),
        "fts5_build_seconds": round(fts_build_s, 1),
    }
    for key, values in timings.items():
        result[key] = summary(values)
    for mode in ("", "_country"):
        result[f"p95_ratio{mode}"] = round(
            result[f"ours{mode}"]["p95_ms"] / result[f"fts5{mode}"]["p95_ms"], 2
        )
        result[f"median_ratio{mode}"] = round(
            result[f"ours{mode}"]["median_ms"] / result[f"fts5{mode}"]["median_ms"], 2
        )
    return result


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
            app.render_latencies.clear()
            for _round in range(3):
                for ch in text:
                    await pilot.press(ch if ch != " " else "space")
                    await pilot.pause(0.2)
                for _ in text:
                    await pilot.press("backspace")
                await pilot.pause(0.3)
            return list(app.render_latencies)

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
        "## Query latency with all facet counts (ms), side by side with SQLite FTS5",
        "",
        "| passages | build passages/s | query | ours median | ours p95 | FTS5 median | FTS5 p95 | p95 ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for q in r["queries"]:
        for mode, label in (
            ("", "two words, top 20, all facets"),
            ("_country", "same + country:SE"),
        ):
            lines.append(
                f"| {q['passages']} | {q['build_passages_per_s']} | {label} | {q['ours' + mode]['median_ms']} | "
                f"{q['ours' + mode]['p95_ms']} | {q['fts5' + mode]['median_ms']} | {q['fts5' + mode]['p95_ms']} | "
                f"{q['p95_ratio' + mode]}× |"
            )
    if "search_quality" in r:
        lines += ["", "## Search quality on the sample corpus (bench/search_eval.toml)", ""]
        lines += search_eval.markdown(r["search_quality"])
    if "qa" in r:
        lines += [
            "",
            "## Questions and answers on the sample corpus (tests/data/qa_eval.toml, 84 questions)",
            "",
        ]
        lines += qa_eval.markdown(r["qa"])
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
        print(f"generated files, {args.files} passages …", flush=True)
        result["generated_files"] = [bench_generated_files(tmp, args.files)] if args.files else []
        result["queries"] = []
        for size in sizes:
            print(f"queries at {size} passages (building the index and FTS5) …", flush=True)
            result["queries"].append(bench_queries(tmp, size))
        print("search quality …", flush=True)
        from search.service import open_search

        engine = open_search(Settings(index_dir=tmp / "sample-index", corpus_dir=CORPUS))
        result["search_quality"] = search_eval.evaluate(engine)
        print("question answering …", flush=True)
        result["qa"] = qa_eval.evaluate(engine)
        engine.close()
        print("cold start …", flush=True)
        result["cold_start"] = bench_cold_start(tmp / "sample-index")
        print("TUI keystrokes …", flush=True)
        result["keystrokes"] = {"sample corpus": bench_keystrokes(tmp / "sample-index", CORPUS)}
        if sizes:
            result["keystrokes"][f"{max(sizes)} generated passages"] = bench_keystrokes(
                tmp / f"q-{max(sizes)}", CORPUS
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    report = markdown(result)
    (RESULTS / "latest.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
