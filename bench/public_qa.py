"""`ask` on public questions the team did not write, beside a plain BM25 sentence baseline.

Data: 12 SQuAD v1.1 *train* articles (489 English Wikipedia paragraphs, 2,623 questions;
tests/data/real/qa, CC BY-SA 4.0); the SQuAD dev articles, XQuAD and XQuAD-R are held out
for independent evaluation and not used. Each paragraph is indexed as one file. The
articles are split in two halves by name: the development half (tuning allowed) and the
test half (reported, never tuned on).

Per half: answer@1 (the gold answer text is in the first answering sentence), answer@3 (in
one of the first three), doc@1 (the first ranked passage is the question's paragraph) and
refusals ("No passage answers this well"). Baseline, measured in the same run: SQLite FTS5
over the paragraphs' sentences with the Porter stemmer, ranked by bm25 for the question's
words OR-ed; its first sentence is its answer and its paragraph its doc@1.

`python -m bench.public_qa` prints the table (about four minutes).
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from search.service import SearchService
from search.settings import PROJECT_ROOT, Settings

DATA = PROJECT_ROOT / "tests" / "data" / "real" / "qa" / "squad11_train_excerpt_en.json"
TEST_HALF = ("Dutch_language", "Financial_crisis", "Gregorian", "Imamah", "Oklahoma", "Post-punk")
"""Articles (by name prefix) reported and never tuned on; the other six are for tuning."""

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_WORD = re.compile(r"\w+")


def _articles() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["data"]
    return data


def half_of(title: str) -> str:
    return "test" if title.startswith(TEST_HALF) else "dev"


def _corpus(folder: Path) -> list[tuple[str, str, str, str]]:
    """Writes one file per paragraph; returns (half, file name, question, answer) rows."""
    rows = []
    for article in _articles():
        for n, paragraph in enumerate(article["paragraphs"]):
            name = f"{article['title']}-{n:03d}.txt"
            (folder / name).write_text(paragraph["context"] + "\n", encoding="utf-8")
            for qa in paragraph["qas"]:
                rows.append(
                    (half_of(article["title"]), name, qa["question"], qa["answers"][0]["text"])
                )
    return rows


class SentenceBaseline:
    """BM25 over the paragraphs' sentences (FTS5, Porter stemmer)."""

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE s USING fts5(text, file UNINDEXED, tokenize='porter')"
        )
        with self.db:
            for path in sorted(folder.glob("*.txt")):
                for sentence in _SENTENCE.split(path.read_text(encoding="utf-8").strip()):
                    self.db.execute("INSERT INTO s VALUES (?, ?)", (sentence, path.name))

    def answer(self, question: str, top: int = 3) -> list[tuple[str, str]]:
        words = " OR ".join(f'"{w}"' for w in _WORD.findall(question))
        if not words:
            return []
        rows = self.db.execute(
            "SELECT text, file FROM s WHERE s MATCH ? ORDER BY bm25(s) LIMIT ?", (words, top)
        ).fetchall()
        return [(str(text), str(file)) for text, file in rows]


def evaluate(limit: int = 0) -> dict[str, dict[str, dict[str, float]]]:
    """{system: {half: {metric: share}}} (`limit`: the first N questions, for a quick look)."""
    sums: dict[str, dict[str, dict[str, float]]] = {"project": {}, "baseline": {}}
    with tempfile.TemporaryDirectory(prefix="public-qa-") as name:
        folder = Path(name) / "corpus"
        folder.mkdir()
        rows = _corpus(folder)[: limit or None]
        service = SearchService(Settings(index_dir=Path(name) / "index", corpus_dir=folder))
        service.run_index()
        service.prepare_analysis()
        baseline = SentenceBaseline(folder)
        for half, name_, question, gold in rows:
            result = service.ask(question)
            ours = [a.text for a in result.answers]
            ranked = result.ranked_passages or result.closest
            base = baseline.answer(question)
            for system, sentences, first_doc, refused in (
                ("project", ours, ranked[0].source_key if ranked else "", not result.confident),
                ("baseline", [t for t, _ in base], base[0][1] if base else "", False),
            ):
                totals = sums[system].setdefault(
                    half, {"n": 0.0, "answer@1": 0.0, "answer@3": 0.0, "doc@1": 0.0, "refused": 0.0}
                )
                found = [gold.lower() in s.lower() for s in sentences]
                totals["n"] += 1
                totals["answer@1"] += bool(found[:1] and found[0])
                totals["answer@3"] += any(found[:3])
                totals["doc@1"] += first_doc == name_
                totals["refused"] += refused
        service.close()
    return {
        system: {
            half: {m: round(v / t["n"], 3) for m, v in t.items() if m != "n"} | {"n": t["n"]}
            for half, t in halves.items()
        }
        for system, halves in sums.items()
    }


def markdown(result: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    lines = [
        "| half | system | questions | answer@1 | answer@3 | doc@1 | refused |",
        "|---|---|---|---|---|---|---|",
    ]
    for half in ("dev", "test"):
        for system in ("project", "baseline"):
            m = result[system].get(half)
            if m:
                lines.append(
                    f"| {half} | {system} | {int(m['n'])} | {m['answer@1']} | {m['answer@3']} | "
                    f"{m['doc@1']} | {m['refused']} |"
                )
    return lines


if __name__ == "__main__":
    print("\n".join(markdown(evaluate())))
