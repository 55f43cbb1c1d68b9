"""The side-by-side benchmark runs end to end on a tiny collection (so `make bench` does
not rot between runs), and its references do the same work as a search here."""

from __future__ import annotations

from pathlib import Path

from bench import scale


def test_side_by_side_runs_and_reports_every_system(tmp_path: Path) -> None:
    result = scale.compare(400, tmp_path)
    for system in scale.SYSTEMS:
        build = result["build"][system]
        assert build["passages"] == 400
        assert build["peak_tree_pss_mb"] > 0 and build["index_mb"] > 0
        assert result["add_100_documents_seconds"][system] > 0
        for kind in scale.KINDS:
            timing = result["queries"][kind][system]
            assert 0 < timing["median_ms"] <= timing["p95_ms"]
    lines = scale.markdown([result], "today", "this machine")
    assert sum(line.startswith("| 400 |") for line in lines) == 6


def test_references_return_documents_snippets_and_document_counts(tmp_path: Path) -> None:
    from bench import synthetic
    from bench.fts5 import Fts5
    from bench.tantivy_ref import Tantivy

    docs = list(synthetic.documents(scale.CORPUS, 300))
    words = scale.query_sets(300)["phrase"][0]
    for system in (Fts5(tmp_path / "fts.db"), Tantivy(tmp_path / "tv")):
        system.load(docs)
        top, facets = system.search(words, phrase=True)
        assert top and all(str(row[-1]) for row in top), type(system).__name__
        assert any(mark in str(top[0][-1]) for mark in ("[", "<b>"))  # highlighted
        # document counts: no more documents per country than the collection holds
        assert sum(facets["country"].values()) <= len(docs)
        filtered, _ = system.search(words, "SE", phrase=True)
        assert len(filtered) <= len(top)


def test_public_questions_are_answered_beside_the_baseline() -> None:
    from bench import public_qa

    result = public_qa.evaluate(limit=40)
    for system in ("project", "baseline"):
        dev = result[system]["dev"]
        assert dev["n"] == 40 and 0 < dev["answer@1"] <= 1 and 0 < dev["doc@1"] <= 1
    assert "| dev | project | 40 |" in "\n".join(public_qa.markdown(result))
    for system in ("project", "baseline"):  # the same questions as keyword searches
        search = result[system]["dev search"]
        assert search["n"] == 40 and 0 < search["R@1"] <= search["MRR@10"] <= 1
    assert "| dev | baseline | 40 |" in "\n".join(public_qa.search_markdown(result))
