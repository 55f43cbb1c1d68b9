"""SQLite FTS5 doing the same work as a search here: match, top documents, facet counts.

The reference point DESIGN.md names: the same passages, the same two-word queries, the
same document-level facet counts with per-facet exclusion, and, as a search here returns
them, the 20 documents' metadata and their best passage's highlighted snippet.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from search.models import Document

FACETS = ("country", "lang", "type", "year", "org", "muni", "source")


class Fts5:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE VIRTUAL TABLE IF NOT EXISTS p USING fts5(
                text, doc UNINDEXED, lang UNINDEXED, tokenize = "unicode61 remove_diacritics 2");
            CREATE TABLE IF NOT EXISTS d(doc INTEGER PRIMARY KEY, country TEXT, type TEXT, year INT,
                org TEXT, muni TEXT, source TEXT);
            """
        )

    def load(self, docs: Iterable[Document]) -> int:
        return self._write(docs)

    def add(self, docs: list[Document]) -> int:
        """Replace-or-add documents with one transaction (numbered after the loaded ones)."""
        return self._write(docs)

    def size_bytes(self) -> int:
        return self.path.stat().st_size

    def _write(self, docs: Iterable[Document]) -> int:
        n = 0
        first = self.db.execute("SELECT coalesce(max(doc) + 1, 0) FROM d").fetchone()[0]
        with self.db:
            for i, doc in enumerate(docs, start=first):
                m = doc.metadata
                self.db.execute(
                    "INSERT INTO d VALUES (?,?,?,?,?,?,?)",
                    (
                        i,
                        m.country[0],
                        m.doc_type,
                        m.year,
                        m.organisation[0],
                        m.municipality[0],
                        doc.source,
                    ),
                )
                self.db.executemany(
                    "INSERT INTO p(text, doc, lang) VALUES (?,?,?)",
                    [(p.text, i, p.language) for p in doc.passages],
                )
                n += len(doc.passages)
        return n

    def search(
        self, words: str, country: str | None = None, phrase: bool = False
    ) -> tuple[list[tuple[Any, ...]], dict[str, dict[str, int]]]:
        """Top 20 documents by best passage, each with its metadata and the passage's
        highlighted snippet, and document counts per facet value."""
        if phrase:
            words = f'"{words}"'
        cur = self.db.cursor()
        cur.execute("DROP TABLE IF EXISTS temp.m")
        cur.execute(
            "CREATE TEMP TABLE m AS SELECT p.rowid AS passage, p.doc AS doc, p.lang AS lang, "
            "bm25(p) AS s, d.country, d.type, "
            "d.year, d.org, d.muni, d.source FROM p JOIN d ON d.doc = p.doc WHERE p MATCH ?",
            (words,),
        )
        where = "WHERE country = ?" if country else ""
        args = (country,) if country else ()
        # SQLite takes the bare `passage` from the row holding min(s): the best passage
        best = cur.execute(
            f"SELECT passage, min(s) FROM m {where} GROUP BY doc ORDER BY min(s) LIMIT 20", args
        ).fetchall()
        marks = ",".join("?" * len(best))
        shown = dict(
            cur.execute(
                "SELECT p.rowid, snippet(p, 0, '[', ']', '…', 40) FROM p "
                f"WHERE p MATCH ? AND p.rowid IN ({marks})",
                (words, *(b[0] for b in best)),
            ).fetchall()
        )
        meta = {
            r[0]: r
            for r in cur.execute(
                f"SELECT p.rowid, d.* FROM p JOIN d ON d.doc = p.doc WHERE p.rowid IN ({marks})",
                [b[0] for b in best],
            )
        }
        top = [(*meta[b[0]], shown.get(b[0], "")) for b in best]
        facets: dict[str, dict[str, int]] = {}
        for f in FACETS:
            # each facet's counts ignore its own selection: the country facet drops the filter
            w = "" if f == "country" else where
            a = () if f == "country" else args
            facets[f] = {
                str(v): c
                for v, c in cur.execute(
                    f"SELECT {f}, count(DISTINCT doc) FROM m {w} GROUP BY {f}", a
                )
            }
        return top, facets
