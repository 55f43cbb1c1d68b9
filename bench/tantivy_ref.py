"""tantivy (Rust, through its Python bindings) doing the same work, as a reference point.

The same passages and queries as the project and FTS5: top 20 documents by their best
passage, with their stored fields and a highlighted snippet, and per-facet document
counts with each facet ignoring its own selection. The
document counts use tantivy's `cardinality` aggregation over the passage's document
number, which is HyperLogLog: close, not always exact. Its default tokenizer lowercases
but neither stems nor folds diacritics.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from search.models import Document

FACETS = ("country", "lang", "type", "year", "org", "muni", "source")
CANDIDATES = 120
"""Passages fetched to find the top 20 documents (documents repeat among passages)."""
HEAP = 128_000_000


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True, tokenizer_name="default")
    builder.add_integer_field("doc", stored=True, indexed=True, fast=True)
    for f in FACETS:
        if f == "year":
            builder.add_integer_field(f, stored=True, indexed=True, fast=True)
        else:
            builder.add_text_field(f, stored=True, tokenizer_name="raw", fast=True)
    return builder.build()


class Tantivy:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path))
        self.path = path
        self.docs = 0

    def _write(self, writer: Any, docs: Iterable[Document]) -> int:
        n = 0
        for doc in docs:
            m = doc.metadata
            number = self.docs
            self.docs += 1
            for p in doc.passages:
                writer.add_document(
                    tantivy.Document(
                        text=p.text,
                        doc=number,
                        lang=p.language,
                        country=m.country[0],
                        type=m.doc_type,
                        year=m.year or 0,
                        org=m.organisation[0],
                        muni=m.municipality[0],
                        source=doc.source,
                    )
                )
                n += 1
        return n

    def load(self, docs: Iterable[Document], threads: int = 2) -> int:
        writer = self.index.writer(heap_size=HEAP, num_threads=threads)
        n = self._write(writer, docs)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return n

    def add(self, docs: list[Document]) -> int:
        """Replace-or-add documents with one commit (numbered after the loaded ones)."""
        writer = self.index.writer(heap_size=HEAP, num_threads=1)
        n = self._write(writer, docs)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return n

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())

    def search(
        self, words: str, country: str | None = None, phrase: bool = False
    ) -> tuple[list[tuple[Any, ...]], dict[str, dict[str, int]]]:
        """Top 20 documents by best passage, each with its stored fields and the passage's
        highlighted snippet, and document counts per facet value."""
        text = f'"{words}"' if phrase else " ".join(f"+{w}" for w in words.split())
        matched = self.index.parse_query(text, ["text"])
        query = matched
        if country:
            query = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, matched),
                    (
                        tantivy.Occur.Must,
                        tantivy.Query.term_query(self.schema, "country", country),
                    ),
                ]
            )
        searcher = self.index.searcher()
        snippets = tantivy.SnippetGenerator.create(searcher, matched, self.schema, "text")
        seen: set[int] = set()
        top: list[tuple[Any, ...]] = []
        for _, address in searcher.search(query, limit=CANDIDATES).hits:
            stored = searcher.doc(address)
            d = stored["doc"][0]
            if d not in seen:
                seen.add(d)
                top.append((d, stored.to_dict(), snippets.snippet_from_doc(stored).to_html()))
                if len(top) == 20:
                    break
        facets = self._counts(
            searcher, query, [f for f in FACETS if not (country and f == "country")]
        )
        if country:  # the country facet ignores its own selection
            facets.update(self._counts(searcher, matched, ["country"]))
        return top, facets

    @staticmethod
    def _counts(searcher: Any, query: Any, fields: list[str]) -> dict[str, dict[str, int]]:
        request = {
            f: {
                "terms": {"field": f, "size": 1000},
                "aggs": {"documents": {"cardinality": {"field": "doc"}}},
            }
            for f in fields
        }
        result = searcher.aggregate(query, request)
        return {
            f: {str(b["key"]): round(b["documents"]["value"]) for b in result[f]["buckets"]}
            for f in fields
        }
