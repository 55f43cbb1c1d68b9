"""The place gazetteer: municipalities and cities with their spellings in every language.

It does two jobs. A query word that names a place is expanded to all its spellings, so
`Riga` finds `Rīgā` and `Риге`. And a document without a declared municipality gets the
places its text mentions, marked as inferred.
"""

from __future__ import annotations

import functools
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from search.text import analysis

LANG_KEYS = ("sv", "lv", "ru", "en", "be")
INFER_AT_MOST = 6


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    """The facet value: the place as its own country writes it."""
    country: str
    spellings: tuple[tuple[str, str], ...]
    """(language, spelling) pairs, the name itself included."""
    inferable: bool = True


@dataclass(frozen=True, slots=True)
class Gazetteer:
    places: tuple[Place, ...]
    by_key: dict[str, tuple[Place, ...]]
    """Folded spellings and per-language stems → places."""

    def lookup(self, token: str) -> tuple[Place, ...]:
        """Places a single query word may name (by folded spelling)."""
        return self.by_key.get("f:" + analysis.fold(token), ())

    def mentioned(self, text: str, language: str) -> list[str]:
        """Facet names of the places a text mentions, most mentioned first."""
        lang = language if language in analysis.LANGUAGE_FIELDS else "other"
        counts: Counter[str] = Counter()
        for token, _, _ in analysis.tokens(text):
            if not token[:1].isupper():
                continue  # place names are capitalised; this keeps "mark" (ground) out
            stem = analysis.plain_term(lang, token)
            found = self.by_key.get(f"{lang}:{stem}", ()) or self.by_key.get(
                "f:" + analysis.fold(token), ()
            )
            counts.update(p.name for p in found if p.inferable)
        return [name for name, _ in counts.most_common(INFER_AT_MOST)]


def _language_of(key: str, country: str) -> str:
    if key != "name":
        return key
    return {"SE": "sv", "LV": "lv", "BY": "ru"}.get(country, "en")


def _build(raw: dict[str, object]) -> Gazetteer:
    places: list[Place] = []
    sweden = raw["sweden"]
    assert isinstance(sweden, dict)
    ambiguous = set(sweden.get("ambiguous", []))
    listed = {p["name"] for p in raw["place"]}  # type: ignore[attr-defined]
    for line in sweden["kommuner"].strip().splitlines():
        for name in line.split("|"):
            if name not in listed:
                places.append(
                    Place(name, "SE", (("sv", name), ("en", name)), name not in ambiguous)
                )
    for entry in raw["place"]:  # type: ignore[attr-defined]
        country, name = entry["country"], entry["name"]
        spellings = [(_language_of("name", country), name)]
        if country == "SE":
            spellings.append(("en", name))
        for key in LANG_KEYS:
            spellings += [(key, s) for s in entry.get(key, [])]
        places.append(Place(name, country, tuple(dict.fromkeys(spellings)), name not in ambiguous))
    index: dict[str, list[Place]] = {}
    for place in places:
        keys = set()
        for lang, spelling in place.spellings:
            words = [t for t, _, _ in analysis.tokens(spelling)]
            if len(words) != 1:
                continue  # multi-word names ("Upplands Väsby") are matched by their facet filter
            keys.add("f:" + analysis.fold(words[0]))
            for field_lang in (*analysis.LANGUAGE_FIELDS, "other"):
                if field_lang == lang or (lang == "be" and field_lang == "other"):
                    # the stemmer alone, on both sides: reading the dictionaries for names
                    # would cost every extraction process more than names gain from them
                    stem = analysis.plain_term(field_lang, words[0])
                    if stem and len(stem) >= 3:
                        keys.add(f"{field_lang}:{stem}")
        for key in keys:
            index.setdefault(key, []).append(place)
    return Gazetteer(tuple(places), {k: tuple(v) for k, v in index.items()})


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The shipped gazetteer, read once per process (read-only afterwards)."""
    text = resources.files("search.data").joinpath("places.toml").read_text(encoding="utf-8")
    return _build(tomllib.loads(text))


def spellings_of(places: Iterable[Place]) -> list[tuple[str, str]]:
    return [s for p in places for s in p.spellings]
