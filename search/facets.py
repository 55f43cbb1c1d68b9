"""Document-level facet counts with per-facet exclusion (Solr's tag/exclude).

Facet values are read once per index version: a passage → document table from the
`doc_id` postings, each document's values from one stored passage, each passage's
language from the `lang` postings. Counting a query is then a pass over its matching
passages in plain Python, far cheaper than Whoosh's `groupedby` per search.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from search.analysis import fold
from search.models import Facet, FacetValue

DOC_FACETS = ("country", "doc_type", "year", "source", "organisation", "municipality")
FACET_ORDER = ("country", "lang", "doc_type", "year", "organisation", "municipality", "source")


@dataclass(frozen=True, slots=True)
class Selection:
    """Chosen facet values: several values of one facet OR, different facets AND."""

    values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    year_low: int | None = None
    year_high: int | None = None

    def active(self, facet: str) -> bool:
        if facet == "year" and (self.year_low is not None or self.year_high is not None):
            return True
        return bool(self.values.get(facet))


def _split(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, int):
        return (str(value),)
    return tuple(v for v in str(value).split(",") if v)


@dataclass(slots=True)
class Counted:
    """The outcome of counting one query under a selection."""

    facets: tuple[Facet, ...]
    allowed_passages: set[int]
    passages_per_doc: Counter[int]
    documents: int


class FacetIndex:
    """Per-document facet values of one opened index version."""

    def __init__(self, reader: Any) -> None:
        total = reader.doc_count_all()
        self.passage_doc = array("i", [-1]) * total
        self.doc_ids: list[str] = []
        first_passage: list[int] = []
        for term in reader.lexicon("doc_id"):
            d = len(self.doc_ids)
            self.doc_ids.append(term.decode("utf-8"))
            ids = list(reader.postings("doc_id", term).all_ids())
            for n in ids:
                self.passage_doc[n] = d
            first_passage.append(ids[0] if ids else -1)
        self.passage_lang: list[str] = [""] * total
        for term in reader.lexicon("lang"):
            lang = term.decode("utf-8")
            for n in reader.postings("lang", term).all_ids():
                self.passage_lang[n] = lang
        self.values: dict[str, list[tuple[str, ...]]] = {f: [] for f in DOC_FACETS}
        self.titles: list[str] = []
        for n in first_passage:
            stored = reader.stored_fields(n) if n >= 0 else {}
            for f in DOC_FACETS:
                self.values[f].append(_split(stored.get(f)))
            self.titles.append(str(stored.get("title", "")))
        self.doc_index = {doc_id: d for d, doc_id in enumerate(self.doc_ids)}
        self._canonical: dict[str, dict[str, str]] = {}
        for f in (*DOC_FACETS, "lang"):
            known = (
                {v for vs in self.values.get(f, []) for v in vs}
                if f != "lang"
                else set(self.passage_lang)
            )
            self._canonical[f] = {fold(v): v for v in known if v}

    def canonical(self, facet: str, value: str) -> str:
        """The stored spelling of a user's value (case and diacritics forgiven)."""
        return self._canonical.get(facet, {}).get(fold(value.strip()), value.strip())

    def _doc_passes(self, d: int, facet: str, sel: Selection) -> bool:
        if facet == "year" and (sel.year_low is not None or sel.year_high is not None):
            years = [int(y) for y in self.values["year"][d]]
            if not any((sel.year_low or 0) <= y <= (sel.year_high or 9999) for y in years):
                return False
        chosen = sel.values.get(facet)
        return not chosen or any(v in chosen for v in self.values[facet][d])

    def count(self, matched: Iterable[int], sel: Selection) -> Counted:
        """Facet counts (documents) for the matching passages, and what passes the selection."""
        langs_of: dict[int, set[str]] = {}
        passages_of: dict[int, list[int]] = {}
        for n in matched:
            d = self.passage_doc[n]
            if d < 0:
                continue
            passages_of.setdefault(d, []).append(n)
            langs_of.setdefault(d, set()).add(self.passage_lang[n])
        chosen_langs = sel.values.get("lang")
        active = [f for f in DOC_FACETS if sel.active(f)]
        counters: dict[str, Counter[str]] = {f: Counter() for f in FACET_ORDER}
        allowed: set[int] = set()
        per_doc: Counter[int] = Counter()
        documents = 0
        for d, langs in langs_of.items():
            failing = [f for f in active if not self._doc_passes(d, f, sel)]
            lang_ok = not chosen_langs or bool(langs & chosen_langs)
            if len(failing) > 1:
                continue
            if not failing:
                counters["lang"].update(langs)  # the language facet ignores its own selection
            if lang_ok:
                # each facet's counts ignore that facet's own selection
                for f in DOC_FACETS:
                    if not failing or failing == [f]:
                        counters[f].update(set(self.values[f][d]))
            if failing or not lang_ok:
                continue
            documents += 1
            kept = [
                n
                for n in passages_of[d]
                if not chosen_langs or self.passage_lang[n] in chosen_langs
            ]
            allowed.update(kept)
            per_doc[d] = len(kept)
        facets = []
        for f in FACET_ORDER:
            chosen = sel.values.get(f, frozenset())
            for v in chosen:
                counters[f].setdefault(v, 0)  # a selected value stays visible to be unselected
            ordered = sorted(counters[f].items(), key=_facet_order(f))
            facets.append(Facet(f, tuple(FacetValue(v, c, v in chosen) for v, c in ordered)))
        return Counted(tuple(facets), allowed, per_doc, documents)


def _facet_order(facet: str) -> Any:
    if facet == "year":
        return lambda item: -int(item[0]) if item[0].isdigit() else 0
    return lambda item: (-item[1], item[0])
