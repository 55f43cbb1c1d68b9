"""Search quality over the sample corpus: MRR@10 and recall@10 per query group, with and
without stemming, with and without cross-lingual expansion (bench/search_eval.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from search.models import SearchRequest
from search.service import SearchService

QUERIES = Path(__file__).with_name("search_eval.toml")
MODES = {
    "no stemming": {"stemmed": False, "cross_lingual": False},
    "stemming": {"stemmed": True, "cross_lingual": False},
    "stemming + cross-lingual": {"stemmed": True, "cross_lingual": True},
}


def evaluate(service: SearchService) -> dict[str, dict[str, dict[str, float]]]:
    queries = tomllib.loads(QUERIES.read_text(encoding="utf-8"))["query"]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for mode, opts in MODES.items():
        groups: dict[str, list[float]] = {}
        hits: dict[str, list[float]] = {}
        for q in queries:
            request = SearchRequest(
                text=q["text"], page_size=10, cross_lingual=bool(opts["cross_lingual"])
            )
            search = service.search if opts["stemmed"] else service.search_unstemmed
            ranked = [h.source_key for h in search(request).hits]
            rank = next((i for i, key in enumerate(ranked, 1) if key in q["expect"]), 0)
            groups.setdefault(q["group"], []).append(1 / rank if rank else 0.0)
            hits.setdefault(q["group"], []).append(1.0 if rank else 0.0)
        out[mode] = {
            g: {
                "mrr@10": round(sum(v) / len(v), 3),
                "recall@10": round(sum(hits[g]) / len(hits[g]), 3),
            }
            for g, v in groups.items()
        }
    return out


def markdown(result: dict[str, Any]) -> list[str]:
    groups = list(next(iter(result.values())))
    lines = [
        "| mode | " + " | ".join(f"{g} MRR@10 / R@10" for g in groups) + " |",
        "|---|" + "---|" * len(groups),
    ]
    for mode, per in result.items():
        lines.append(
            f"| {mode} | "
            + " | ".join(f"{per[g]['mrr@10']} / {per[g]['recall@10']}" for g in groups)
            + " |"
        )
    return lines
