"""Side by side at scale: this project, SQLite FTS5 and tantivy on the same generated passages.

For each system: the build in a fresh child process (its peak memory is its own: the
proportional set size of the child and everything it starts, sampled every 50 ms or more, and
its ru_maxrss), the size on disk, an incremental add of 100 documents, and query
latency for three kinds of query, every one returning the top 20 documents and the
document counts of all facets: two words, a two-word phrase, two words with a country
filter. The queries run interleaved, one system after the other for each query, in one
process, so a noisy moment hits all three alike.

    python -m bench.scale 100000          # prints Markdown; writes bench/results/scale-100000.{json,md}
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import synthetic
from bench.fts5 import Fts5
from bench.stats import machine, ratio, summary
from bench.tantivy_ref import Tantivy
from search.models import SearchRequest
from search.service import SearchService
from search.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
RESULTS = PROJECT_ROOT / "bench" / "results"
SYSTEMS = ("ours", "fts5", "tantivy")
KINDS = {
    "words": "two words",
    "phrase": "two-word phrase",
    "filtered": "two words + country:SE",
}
QUERIES = 60
ADDED = 100


# -- building, in a child process -------------------------------------------------------


def _build(system: str, passages: int, where: Path) -> dict[str, Any]:
    started = time.perf_counter()
    docs = list(synthetic.documents(CORPUS, passages))
    generated = time.perf_counter() - started
    started = time.perf_counter()
    if system == "ours":
        service = SearchService(Settings(index_dir=where, corpus_dir=CORPUS))
        count = service.build_from(
            docs, procs=2, limitmb=int(os.environ.get("SCALE_LIMITMB", "128"))
        )
    elif system == "fts5":
        where.mkdir(parents=True, exist_ok=True)
        count = Fts5(where / "fts5.db").load(docs)
    else:
        count = Tantivy(where).load(docs)
    return {
        "passages": count,
        "generate_seconds": round(generated, 1),
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _tree(root: int) -> list[int]:
    """The process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _disk_bytes(where: Path) -> int:
    """What the folder holds now, temporary runs included (files vanish while counted)."""
    total = 0
    for root, _, files in os.walk(where):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def build_in_child(system: str, passages: int, where: Path) -> dict[str, Any]:
    """Build in a fresh process while sampling its tree's memory and the disk its folder
    takes (Whoosh spills its sorting runs into a temporary folder inside the index)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.scale", "--build", system, str(passages), str(where)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = peak_disk = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_disk
        while not done.is_set():
            started = time.perf_counter()
            peak = max(peak, sum(_pss_kb(p) for p in _tree(child.pid)))
            peak_disk = max(peak_disk, _disk_bytes(where))
            # reading smaps of a large process is costly: keep the sampler under ~10 % of a core
            time.sleep(max(0.05, 10 * (time.perf_counter() - started)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    done.set()
    sampler.join()
    if child.returncode:
        raise RuntimeError(f"building {system} failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_tree_pss_mb"] = round(peak / 1024)
    result["peak_disk_mb"] = round(max(peak_disk, _disk_bytes(where)) / 2**20)
    return result


# -- querying, side by side ---------------------------------------------------------------


def query_sets(passages: int, seed: int = 3) -> dict[str, list[str]]:
    """Two-word queries from the vocabulary, and phrases that occur in the collection."""
    vocab = synthetic.vocabulary(CORPUS)
    rng = random.Random(seed)
    words = []
    for _ in range(QUERIES):
        forms, weights = vocab[rng.choice(synthetic.LANGS)]
        common = [w for w, c in zip(forms, weights, strict=True) if c >= 3 and len(w) > 3]
        words.append(" ".join(rng.sample(common, 2)))
    phrases = []
    for doc in synthetic.documents(CORPUS, min(passages, 2000), seed=7):
        toks = [t for t in doc.passages[0].text.split() if len(t) > 3]
        if len(toks) > 2:
            i = rng.randrange(len(toks) - 1)
            phrases.append(f"{toks[i]} {toks[i + 1]}".lower())
    rng.shuffle(phrases)
    return {"words": words, "filtered": words, "phrase": phrases[:QUERIES]}


def _runners(
    where: dict[str, Path],
) -> tuple[dict[str, Callable[[str, str], object]], Callable[[], None]]:
    service = SearchService(Settings(index_dir=where["ours"], corpus_dir=CORPUS))
    service.prepare_analysis()  # the word-form dictionaries, read as the TUI reads them at start
    fts = Fts5(where["fts5"] / "fts5.db")
    tv = Tantivy(where["tantivy"])

    def ours(kind: str, text: str) -> object:
        request = SearchRequest(
            text=f'"{text}"' if kind == "phrase" else text,
            page_size=20,
            filters=(("country", ("SE",)),) if kind == "filtered" else (),
        )
        return service.search(request)

    def other(system: Fts5 | Tantivy) -> Callable[[str, str], object]:
        return lambda kind, text: system.search(
            text, "SE" if kind == "filtered" else None, phrase=kind == "phrase"
        )

    return {"ours": ours, "fts5": other(fts), "tantivy": other(tv)}, service.close


def query_latencies(
    where: dict[str, Path], passages: int
) -> tuple[dict[str, Any], dict[str, float]]:
    runners, close = _runners(where)
    sets = query_sets(passages)
    opening = {}
    for system, run in runners.items():  # the first search opens the index
        started = time.perf_counter()
        run("words", sets["words"][0])
        opening[system] = round((time.perf_counter() - started) * 1000, 1)
    for kind, texts in sets.items():  # warm the caches once
        for run in runners.values():
            run(kind, texts[0])
    timings: dict[str, dict[str, list[float]]] = {k: {s: [] for s in SYSTEMS} for k in KINDS}
    for kind, texts in sets.items():
        for text in texts:
            for system, run in runners.items():
                t = time.perf_counter()
                run(kind, text)
                timings[kind][system].append((time.perf_counter() - t) * 1000)
    close()
    latencies: dict[str, Any] = {
        kind: {s: summary(v) for s, v in by.items()} for kind, by in timings.items()
    }
    return latencies, opening


def incremental_adds(where: dict[str, Path]) -> dict[str, float]:
    extra = list(synthetic.documents(CORPUS, 1000, seed=99))[:ADDED]
    out = {}
    for system in SYSTEMS:
        started = time.perf_counter()
        if system == "ours":
            SearchService(Settings(index_dir=where["ours"], corpus_dir=CORPUS)).add_documents(extra)
        elif system == "fts5":
            Fts5(where["fts5"] / "fts5.db").add(extra)
        else:
            Tantivy(where["tantivy"]).add(extra)
        out[system] = round(time.perf_counter() - started, 2)
    return out


def search_after_an_add(where: dict[str, Path]) -> dict[str, float]:
    """The first search (ms) of a reader opened before another writer committed one new
    document: what the TUI's first search after an F5 waits for (the new index version is
    opened, and tantivy's reader reloaded)."""
    extra = list(synthetic.documents(CORPUS, 1000, seed=98))[:1]
    text = query_sets(1000)["words"][0]
    # as the TUI does when it starts (`ui.app.prepare`): what the process held before, here
    # the earlier sections of `make bench`, out of the garbage collector's way (the
    # reopen's collection walked it all: about 95 ms more inside `make bench` than alone);
    # the index opened below is collected as the TUI's is
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        return _after_an_add(where, extra, text)
    finally:
        if not frozen_before:
            gc.unfreeze()


def _after_an_add(where: dict[str, Path], extra: list[Any], text: str) -> dict[str, float]:
    service = SearchService(Settings(index_dir=where["ours"], corpus_dir=CORPUS))
    fts, tv = Fts5(where["fts5"] / "fts5.db"), Tantivy(where["tantivy"])

    def tantivy_search() -> object:
        tv.index.reload()
        return tv.search(text)

    readers: dict[str, Callable[[], object]] = {
        "ours": lambda: service.search(SearchRequest(text=text, page_size=20)),
        "fts5": lambda: fts.search(text),
        "tantivy": tantivy_search,
    }
    for read in readers.values():
        read()
    SearchService(Settings(index_dir=where["ours"], corpus_dir=CORPUS)).add_documents(extra)
    Fts5(where["fts5"] / "fts5.db").add(extra)
    Tantivy(where["tantivy"]).add(extra)
    out = {}
    for system, read in readers.items():
        started = time.perf_counter()
        read()
        out[system] = round((time.perf_counter() - started) * 1000, 1)
    service.close()
    return out


def _first_search(where: Path) -> float:
    """The first search (ms) of this process on our index, its dictionaries read first."""
    service = SearchService(Settings(index_dir=where, corpus_dir=CORPUS))
    service.prepare_analysis()
    started = time.perf_counter()
    service.search(SearchRequest(text=query_sets(1000)["words"][0], page_size=20))
    elapsed = (time.perf_counter() - started) * 1000
    service.close()
    return round(elapsed, 1)


def next_process_first_search(where: Path) -> float:
    """The first search (ms) of a process started after another had opened the index:
    what a command-line search or the TUI starting waits for, with what opening learnt of
    each segment kept beside it (`search/retrieval/kept_tables.py`)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--first-search", str(where)],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    return float(out.stdout.strip().splitlines()[-1])


def size_mb(system: str, where: Path) -> float:
    if system == "ours":
        size, _ = SearchService(Settings(index_dir=where, corpus_dir=CORPUS)).disk_usage()
        return round(size / 2**20, 1)
    if system == "fts5":
        return round(Fts5(where / "fts5.db").size_bytes() / 2**20, 1)
    return round(Tantivy(where).size_bytes() / 2**20, 1)


def compare(passages: int, tmp: Path) -> dict[str, Any]:
    where = {s: tmp / f"{s}-{passages}" for s in SYSTEMS}
    result: dict[str, Any] = {"passages": passages, "build": {}}
    for system in SYSTEMS:
        print(f"  {passages} passages: building {system} …", file=sys.stderr, flush=True)
        result["build"][system] = build_in_child(system, passages, where[system])
        result["build"][system]["index_mb"] = size_mb(system, where[system])
    ours = SearchService(Settings(index_dir=where["ours"], corpus_dir=CORPUS))
    result["segments"] = ours.disk_usage()[1]
    print(f"  {passages} passages: queries …", file=sys.stderr, flush=True)
    result["queries"], result["first_search_ms"] = query_latencies(where, passages)
    result["next_process_first_search_ms"] = next_process_first_search(where["ours"])
    result["add_100_documents_seconds"] = incremental_adds(where)
    result["search_after_an_add_ms"] = search_after_an_add(where)
    result["segments_after_add"] = ours.disk_usage()[1]
    result["ratios"] = {
        kind: {
            other: {
                "median": ratio(by["ours"]["median_ms"], by[other]["median_ms"]),
                "p95": ratio(by["ours"]["p95_ms"], by[other]["p95_ms"]),
            }
            for other in ("fts5", "tantivy")
        }
        for kind, by in result["queries"].items()
    }
    return result


def markdown(results: list[dict[str, Any]], date: str, host: str) -> list[str]:
    lines = [
        f"Measured {date} on {host}. Every query returns the top 20 documents and the "
        "document counts of all seven facets.",
        "",
        "| passages | system | build s | passages/s | peak memory MB (tree PSS) | index MB "
        "| peak disk MB (temporary files included) | add 100 docs s "
        "| first search after another writer added one doc, ms "
        "| first search of a new process (opening the index), ms "
        "| the same in the next process, ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for s in SYSTEMS:
            b = r["build"][s]
            lines.append(
                f"| {r['passages']} | {s} | {b['build_seconds']} | "
                f"{round(b['passages'] / max(b['build_seconds'], 0.01))} | "
                f"{b['peak_tree_pss_mb']} | {b['index_mb']} | {b.get('peak_disk_mb', '–')} | "
                f"{r['add_100_documents_seconds'][s]} | "
                f"{r.get('search_after_an_add_ms', {}).get(s, '–')} | "
                f"{r.get('first_search_ms', {}).get(s, '–')} | "
                f"{r.get('next_process_first_search_ms', '–') if s == 'ours' else '–'} |"
            )
    lines += [
        "",
        "| passages | query | ours median / p95 ms | FTS5 median / p95 ms | tantivy median / p95 ms "
        "| p95 ratio to FTS5 | p95 ratio to tantivy |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, label in KINDS.items():
            q = r["queries"][kind]
            cells = " | ".join(f"{q[s]['median_ms']} / {q[s]['p95_ms']}" for s in SYSTEMS)
            ratios = r["ratios"][kind]
            lines.append(
                f"| {r['passages']} | {label} | {cells} | {ratios['fts5']['p95']}× "
                f"| {ratios['tantivy']['p95']}× |"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("passages", type=int, nargs="*", default=[100_000])
    parser.add_argument(
        "--build", nargs=3, metavar=("SYSTEM", "PASSAGES", "DIR"), help=argparse.SUPPRESS
    )
    parser.add_argument("--first-search", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_search:
        print(_first_search(Path(args.first_search)))
        return 0
    if args.build:
        system, passages, where = args.build
        built = _build(system, int(passages), Path(where))
        built["ru_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        built["children_ru_maxrss_mb"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        )
        print(json.dumps(built))
        return 0
    date, host = dt.date.today().isoformat(), machine()
    results = []
    with tempfile.TemporaryDirectory(prefix="scale-") as name:
        for passages in args.passages:
            results.append(compare(passages, Path(name)))
    report = {"date": date, "machine": host, "results": results}
    stem = "scale-" + "-".join(str(p) for p in args.passages)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    text = "\n".join(markdown(results, date, host)) + "\n"
    (RESULTS / f"{stem}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
