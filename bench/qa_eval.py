"""Question answering measured on tests/data/qa_eval.toml, beside a plain BM25 baseline.

Metrics per question language: recall@1 and recall@5 of the answering passage (its
document and page), MRR over the first ten passages, and the share of questions whose
first answer sentence contains the expected phrase. The baseline ranks passages by BM25
for all the question's words and answers with the first sentence of the top passage.

The questions are also reported in two halves by document ("tune" and "test", by a hash of
the document's path, fixed 2026-12-04). All 84 were written and tuned on together before
that day, so the test half is not unseen data; from that day on, tuning looks only at the
tune half.
"""

from __future__ import annotations

import tomllib
import zlib
from pathlib import Path
from typing import Any

from search.models import Hit, SearchRequest
from search.service import SearchService

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "qa_eval.toml"
METRICS = ("recall@1", "recall@5", "mrr", "answer_accuracy")


def questions() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["question"]
    return data


def half_of(doc: str) -> str:
    return "test" if zlib.crc32(doc.encode()) % 2 else "tune"


def _rank(passages: tuple[Hit, ...] | list[Hit], q: dict[str, Any]) -> int:
    for i, hit in enumerate(passages[:10], start=1):
        if hit.source_key == q["doc"] and hit.page in q["pages"]:
            return i
    return 0


def _add(totals: dict[str, float], rank: int, correct: bool) -> None:
    totals["n"] += 1
    totals["recall@1"] += rank == 1
    totals["recall@5"] += 0 < rank <= 5
    totals["mrr"] += 1 / rank if rank else 0.0
    totals["answer_accuracy"] += correct


def evaluate(service: SearchService) -> dict[str, dict[str, dict[str, float]]]:
    """{system: {language or "all": {metric: value}}} for this project and the baseline."""
    sums: dict[str, dict[str, dict[str, float]]] = {"project": {}, "baseline": {}}
    for q in questions():
        result = service.ask(q["text"], SearchRequest(cross_lingual=bool(q.get("cross"))))
        first = result.answers[0].text if result.answers else ""
        base, base_first = service.baseline_answer(q["text"])
        expected = q["answer"].lower()
        for system, rank, sentence in (
            ("project", _rank(result.ranked_passages, q), first),
            ("baseline", _rank(base, q), base_first),
        ):
            for group in (q["lang"], "all", half_of(q["doc"])):
                totals = sums[system].setdefault(group, dict.fromkeys(("n", *METRICS), 0.0))
                _add(totals, rank, expected in sentence.lower())
    return {
        system: {g: {m: round(t[m] / t["n"], 3) for m in METRICS} for g, t in groups.items()}
        for system, groups in sums.items()
    }


def markdown(result: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    lines = [
        "| language | system | recall@1 | recall@5 | MRR | answer phrase found |",
        "|---|---|---|---|---|---|",
    ]
    for group in result["project"]:
        for system in ("project", "baseline"):
            m = result[system][group]
            lines.append(
                f"| {group} | {system} | {m['recall@1']} | {m['recall@5']} | {m['mrr']} | {m['answer_accuracy']} |"
            )
    return lines
