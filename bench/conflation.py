"""Conflation and over-merging of word forms, per language, on the UD treebank tables
(tests/data/real/lemmas: Latvian LVTB, Swedish Talbanken, Russian GSD; form → lemma → UPOS).

Conflation: of the lemmas with two or more forms (per part of speech), the share whose forms
all get one index term. Over-merging: of the index terms, the share that collect forms of two
or more lemmas of one part of speech (forms the treebank itself files under two lemmas left
out). Beside the project's analysis (dictionary form, then stem): the stemmer alone (for
Latvian the team's light stemmer, for Swedish and Russian Snowball) and, when the package is
installed, simplemma's lemma then the same stemmer. Each language's lemmas split in two
halves by a hash of the lemma: the figures are given for both.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from search.service import SearchService
from search.settings import PROJECT_ROOT

TABLES = PROJECT_ROOT / "tests" / "data" / "real" / "lemmas"
Row = tuple[str, str, str]


def rows(language: str, table: Path = TABLES) -> list[Row]:
    with (table / f"{language}.tsv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return [(form, lemma, upos) for form, lemma, upos, _ in reader]


def half(lemma: str) -> int:
    return hashlib.sha1(lemma.encode()).digest()[0] % 2


def measure(table: list[Row], term: Callable[[str], str]) -> tuple[float, float]:
    """(conflation, over-merging), shares in [0, 1]."""
    forms: dict[tuple[str, str], set[str]] = defaultdict(set)
    lemmas_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for form, lemma, upos in table:
        forms[(lemma, upos)].add(form)
        lemmas_of[(form, upos)].add(lemma)
    several = [f for f in forms.values() if len(f) >= 2]
    conflated = sum(len({term(f) for f in group}) == 1 for group in several)
    collected: dict[tuple[str, str], set[str]] = defaultdict(set)
    for form, lemma, upos in table:
        if len(lemmas_of[(form, upos)]) == 1:
            collected[(term(form), upos)].add(lemma)
    merged = sum(len(ls) >= 2 for ls in collected.values())
    return conflated / max(1, len(several)), merged / max(1, len(collected))


def _simplemma(language: str, stem: Callable[[str], str]) -> Callable[[str], str] | None:
    try:
        import simplemma  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return lambda word: stem(str(simplemma.lemmatize(word, lang=language)).lower())


def table(languages: tuple[str, ...] = ("lv", "sv", "ru")) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for language in languages:
        every = rows(language)
        ours = functools.lru_cache(maxsize=None)(
            lambda w, lang=language: SearchService.index_term(lang, w)
        )
        alone = functools.lru_cache(maxsize=None)(
            lambda w, lang=language: SearchService.index_term(lang, w, dictionary=False)
        )
        analysers: dict[str, Callable[[str], str]] = {"dictionary form, then stem": ours}
        analysers["stemmer alone" if language == "lv" else "Snowball alone"] = alone
        if (lemmatised := _simplemma(language, alone)) is not None:
            analysers["simplemma, then stem"] = lemmatised
        out[language] = {
            name: {
                "all": measure(every, f),
                "half_a": measure([r for r in every if half(r[1]) == 0], f),
                "half_b": measure([r for r in every if half(r[1]) == 1], f),
            }
            for name, f in analysers.items()
        }
    return out


def markdown(result: dict[str, Any]) -> list[str]:
    lines = [
        "| language | analysis | conflation | over-merging | conflation, half A / B |",
        "|---|---|---|---|---|",
    ]
    for language, analysers in result.items():
        for name, m in analysers.items():
            c, o = m["all"]
            lines.append(
                f"| {language} | {name} | {100 * c:.1f} % | {100 * o:.2f} % | "
                f"{100 * m['half_a'][0]:.1f} % / {100 * m['half_b'][0]:.1f} % |"
            )
    return lines


if __name__ == "__main__":
    print("\n".join(markdown(table())))
