"""Language of a passage: langdetect, seeded, narrowed to the languages this tool serves.

langdetect has no Belarusian profile and confuses short Russian sentences with Bulgarian,
Macedonian or Ukrainian, so script evidence comes first: `ў` (or `і` without `и`) is
Belarusian, Ukrainian letters are Ukrainian, and Russian-only words settle the rest.
Anything not sv, lv, ru, en or be is reported as `other`.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from search.models import SUPPORTED_LANGUAGES

MIN_LETTERS = 25
"""Below this many letters a text is too short to judge; it inherits its document's."""

_lock = threading.Lock()
_factory: Any = None


def _detector_factory() -> Any:
    global _factory  # a cache of read-only profiles, loaded once per process
    with _lock:
        if _factory is None:
            from langdetect import DetectorFactory
            from langdetect.detector_factory import init_factory

            DetectorFactory.seed = 0
            init_factory()
            from langdetect import detector_factory

            _factory = detector_factory._factory
    return _factory


def warm_up() -> None:
    """Read langdetect's profiles now (about 0.4 s) rather than at the first detection."""
    _detector_factory()


_BELARUSIAN = re.compile("[ўЎ]")
_UKR_OR_BE = re.compile("[іІ]")
_UKRAINIAN_ONLY = re.compile("[їЇєЄґҐ]")
_CYR_I = re.compile("[иИ]")
_LATIN_I_IN_CYRILLIC = re.compile(r"(?<=[\u0400-\u04ff])[iI]|[iI](?=[\u0400-\u04ff])")
_RUSSIAN_LETTERS = re.compile("[ыЫэЭёЁ]")
_RUSSIAN_WORDS = re.compile(
    r"(?<!\w)(?:что|это|его|ему|меня|мне|надо|нет|где|уже|если|когда|только|очень|было|был|"
    r"была|быть|теперь|итак|вот|ещё|еще|мы|вы|чтобы|может|нужно|также)(?!\w)|\w(?:ться|тся|ого|ый)(?!\w)",
    re.IGNORECASE,
)
_SWEDISH_LETTERS = re.compile("[äöÄÖ]")
_DANO_NORWEGIAN = re.compile("[æøÆØ]")


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _cyrillic_by_script(text: str) -> str:
    """be or other (Ukrainian) when the letters settle it; empty when they do not.

    Belarusian has і and ў but no и; Ukrainian has ї, є, ґ and both і and и. A Russian
    text that merely quotes a Belarusian name has many и and an odd і or ў.
    """
    text = _LATIN_I_IN_CYRILLIC.sub("і", text)  # typists often use a Latin i for і
    cyr = sum("\u0400" <= ch <= "\u04ff" for ch in text)
    i_ru = len(_CYR_I.findall(text))
    i_be = len(_UKR_OR_BE.findall(text)) + len(_BELARUSIAN.findall(text))
    ukrainian = bool(_UKRAINIAN_ONLY.search(text))
    if i_be and not ukrainian and (i_ru <= 0.01 * cyr or i_be >= 2.5 * i_ru):
        return "be"
    if ukrainian or (i_be and i_be >= 0.3 * i_ru):
        return "other"
    return ""


def detect(text: str, min_letters: int = MIN_LETTERS) -> str:
    """sv, lv, ru, en, be or other; empty when the text is too short to judge."""
    if _letters(text) < max(1, min_letters):
        return ""
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in text)
    if cyrillic > 0.3 * _letters(text) and (by_script := _cyrillic_by_script(text)):
        return by_script
    detector = _detector_factory().create()
    detector.append(text[:3000])
    try:
        guess: str = detector.detect()
    except Exception:  # langdetect raises LangDetectException on featureless text
        return ""
    if guess in ("bg", "mk", "uk") and (
        _RUSSIAN_LETTERS.search(text) or _RUSSIAN_WORDS.search(text)
    ):
        guess = "ru"
    elif (
        guess in ("no", "da") and _SWEDISH_LETTERS.search(text) and not _DANO_NORWEGIAN.search(text)
    ):
        guess = "sv"
    return guess if guess in SUPPORTED_LANGUAGES else "other"


def dominant(labelled: Iterable[tuple[str, int]]) -> str:
    """The language holding the most characters among judged passages."""
    weights: Counter[str] = Counter()
    for language, size in labelled:
        if language:
            weights[language] += size
    return weights.most_common(1)[0][0] if weights else ""
