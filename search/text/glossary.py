"""The cross-lingual glossary: concepts of the field in en, sv, lv, ru and be.

With expansion switched on, a run of query words that names a concept in any language
(`social enterprise`, `sociala företag`, `pašvaldība`) is widened to the concept's
terms in every language, ranked below the words the user typed.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from search.text import analysis

MAX_SPAN = 4
GLOSSARY_LANGS = ("en", "sv", "lv", "ru", "be")


def analyzer_language(lang: str) -> str:
    return lang if lang in analysis.LANGUAGE_FIELDS else "other"


def key_of(lang: str, words: list[str]) -> tuple[str, ...]:
    """A term as its language's analyzer sees it: stems, stopwords left out."""
    alang = analyzer_language(lang)
    stems = (analysis.analyze_token(alang, w) for w in words)
    return tuple(s for s in stems if s)


@dataclass(frozen=True, slots=True)
class Concept:
    terms: tuple[tuple[str, tuple[str, ...]], ...]
    """(language, words of the term)"""


@dataclass(frozen=True, slots=True)
class Glossary:
    concepts: tuple[Concept, ...]
    index: dict[tuple[str, tuple[str, ...]], tuple[Concept, ...]]

    def match(self, words: list[str]) -> tuple[int, tuple[Concept, ...]]:
        """The longest prefix of `words` that names concepts: (length, concepts)."""
        for span in range(min(MAX_SPAN, len(words)), 0, -1):
            found: list[Concept] = []
            toks = [
                t for w in words[:span] for t, _, _ in analysis.tokens(w)
            ]  # long-term → long, term
            for lang in GLOSSARY_LANGS:
                key = key_of(lang, toks)
                if key:
                    found += [c for c in self.index.get((lang, key), ()) if c not in found]
            if found:
                return span, tuple(found)
        return 0, ()


@functools.lru_cache(maxsize=1)
def glossary() -> Glossary:
    raw = tomllib.loads(
        resources.files("search.data").joinpath("glossary.toml").read_text(encoding="utf-8")
    )
    concepts = []
    index: dict[tuple[str, tuple[str, ...]], list[Concept]] = {}
    for entry in raw["concept"]:
        terms = tuple(
            (lang, tuple(t for t, _, _ in analysis.tokens(term)))
            for lang in GLOSSARY_LANGS
            for term in entry.get(lang, [])
        )
        concept = Concept(terms)
        concepts.append(concept)
        for lang, words in terms:
            key = key_of(lang, list(words))
            if key and concept not in index.get((lang, key), []):
                index.setdefault((lang, key), []).append(concept)
    return Glossary(tuple(concepts), {k: tuple(v) for k, v in index.items()})
