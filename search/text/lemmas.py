"""Dictionary forms of words, from the Hunspell dictionaries of Latvian, Swedish and Russian.

A stemmer strips endings; it cannot know that `lāču` is `lācis`, `labāks` is `labs`,
`izsniedza` is `izsniegt` or `avtalen` is `avtal`. Hunspell's dictionaries (the ones
LibreOffice spell-checks with, shipped in `search/data/hunspell/`, see its README) know
every form their words take and name the dictionary form (`st:`) when asked to analyse
one. The language analysers stem that dictionary form, so words the dictionary knows and
words it does not (names, new words) still meet at one stem.

Latvian analyses say more than the dictionary form, and the index keeps apart what a
reader keeps apart: a negated noun or adjective (`neatkarība` is not `atkarība`) and a
reflexive verb (`mācīties` is not `mācīt`); a diminutive or a derived noun the dictionary
files under its base word (`mantiņa` under `manta`, `lauciniece` under `laucinieks`) is
left to the stemmer.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any

DICTIONARIES = {"lv": "lv_LV", "sv": "sv_SE", "ru": "ru_RU"}

_STEM = re.compile(r"st:(\S+)")
_PART = re.compile(r"pa:(\S+)\s+st:(\S+)")
_PART_OF_SPEECH = re.compile(r"po:(\S+)")
_INFO = re.compile(r"is:(\S+)")
_REFLEXIVE_ENDINGS = ("ties", "damies", "damās")


_loading = threading.Lock()
_loaded: dict[str, Any] = {}


def _dictionary(language: str) -> Any:
    """The language's Hunspell, read once (by whichever thread asks first)."""
    loaded = _loaded.get(language)
    if loaded is not None:
        return loaded
    from hunspell import Hunspell

    with _loading:
        if language not in _loaded:
            folder = resources.files("search.data").joinpath("hunspell")
            _loaded[language] = Hunspell(DICTIONARIES[language], hunspell_data_dir=str(folder))
        return _loaded[language]


def preload() -> None:
    """Read the dictionaries (about 0.4 s for the three) before the first word needs them."""
    for language in DICTIONARIES:
        _dictionary(language)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass(frozen=True)
class LatvianLemma:
    """A Latvian dictionary form and what the index keeps apart by it."""

    form: str
    verb: bool = False
    reflexive: bool = False


def _latvian(word: str, analysis: str) -> LatvianLemma | None:
    """The dictionary form one Latvian analysis names; None when the analysis files the
    word under another word (a diminutive, a derivation)."""
    found = _STEM.search(analysis)
    if not found:
        return None
    form = found.group(1).lower()
    parts = _PART_OF_SPEECH.findall(analysis)
    info = _INFO.findall(analysis)
    verb = bool(parts) and parts[0].startswith("darb")
    if len(parts) >= 2 or (info and info[0][:1] == "r") or "fl:J" in analysis:
        return None  # lauciniece under laucinieks, apvienošanās and domāšana under their verbs
    if parts and parts[0].startswith("liet") and info and info[0][1:2] == "d":
        return None  # mantiņa under manta
    if ("fl:-" in analysis or analysis.startswith("ne ")) and not verb:
        form = "ne" + form
    return LatvianLemma(form, verb, verb and _reflexive(word, info))


def _reflexive(word: str, info: list[str]) -> bool:
    if info:
        return len(info[0]) >= 4 and info[0][3] == "a" and info[0][0] != "r"
    return word.endswith(_REFLEXIVE_ENDINGS)


def _is_cyrillic(word: str) -> bool:
    """Whether a word is in Cyrillic letters: only the Russian dictionary is asked about it,
    and only it is not asked about a Latin one (no dictionary is read for nothing)."""
    return "\u0400" <= word[0] <= "\u04ff"


def _closeness(word: str, form: str, verb: bool = False) -> tuple[bool, int, bool, int, str]:
    """How well an analysis fits the word, best highest: the word itself, then the longest
    shared beginning (`sienas` is `siena`, not `siet`), a noun or adjective before a verb
    (`malā` is `mala`, not `malt`), then the shortest."""
    return (form == word, _common_prefix(form, word), not verb, -len(form), form)


def lemma(language: str, word: str) -> str | None:
    """The dictionary form of a lowercase Swedish or Russian word; None if the dictionary
    does not know it."""
    if (
        language not in DICTIONARIES
        or not word.isalpha()
        or _is_cyrillic(word) != (language == "ru")
    ):
        return None
    found = [f for a in _dictionary(language).analyze(word) if (f := _compound_lemma(word, a))]
    return max(found, key=lambda form: _closeness(word, form)) if found else None


def _compound_lemma(word: str, analysis: str) -> str | None:
    """The dictionary form an analysis names; for a compound, whose analysis names its parts
    (`pa:omsorger st:omsorg`), the word with its last part in dictionary form
    (`barnomsorger` → `barnomsorg`, `välfärdslandet` → `välfärdsland`)."""
    parts = _PART.findall(analysis)
    if parts:
        surface, head = parts[-1]
        surface = surface.lower()
        if word.endswith(surface):
            return word[: -len(surface)] + str(head).lower()
    if "pa:" in analysis:
        return word  # a compound whose last part is in its dictionary form already
    found = _STEM.search(analysis)
    return found.group(1).lower() if found else None


def latvian_lemma(word: str) -> LatvianLemma | None:
    """The dictionary form of a lowercase Latvian word; None if the dictionary does not
    know it."""
    if not word.isalpha() or _is_cyrillic(word):
        return None
    found = [m for a in _dictionary("lv").analyze(word) if (m := _latvian(word, a))]
    if not found:
        return None
    return max(found, key=lambda m: _closeness(word, m.form, m.verb))
