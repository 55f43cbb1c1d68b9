"""Words typed in the other script: `Gomel` for Гомель, `Karavai` for Каравай, `Валмиера` for
Valmiera. A query word in Latin letters is also looked for in Cyrillic (and back), at a lower
weight, as library catalogues do for names. The scheme reads the common romanisations
(BGN/PCGN and the Latvian and Polish spellings of Slavic names: `zh`, `ž`, `ch`, `č`, `ya`,
`ja`, …); it is a search aid, not a standard.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_LATIN_TO_CYRILLIC = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("tz", "ц"),
    ("ya", "я"),
    ("ja", "я"),
    ("yu", "ю"),
    ("ju", "ю"),
    ("yo", "ё"),
    ("jo", "ё"),
    ("ye", "е"),
    ("ž", "ж"),
    ("č", "ч"),
    ("š", "ш"),
    ("ŭ", "ў"),
    ("a", "а"),
    ("b", "б"),
    ("c", "ц"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "х"),
    ("i", "и"),
    ("j", "й"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("q", "к"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("w", "в"),
    ("x", "кс"),
    ("y", "ы"),
    ("z", "з"),
)

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju",
    "я": "ja", "і": "i", "ў": "u",
}  # fmt: skip

_LATIN_WORD = re.compile(r"[a-zA-ZāčēģīķļņōšūžŭĀČĒĢĪĶĻŅŌŠŪŽŬ]{3,}")
_CYRILLIC_WORD = re.compile(r"[а-яёіўА-ЯЁІЎ]{3,}")
_LATIN_PATTERN = re.compile("|".join(re.escape(latin) for latin, _ in _LATIN_TO_CYRILLIC))
_CYRILLIC = dict(_LATIN_TO_CYRILLIC)


def _latin_letters(word: str) -> str:
    """Lowercase, Latvian long vowels and soft consonants plain; š, ž, č and ŭ kept."""
    out = []
    for ch in word.lower():
        if ch in "ščžŭ":
            out.append(ch)
        else:
            out.extend(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return "".join(out)


@functools.lru_cache(maxsize=10_000)
def other_script(word: str) -> str | None:
    """The word spelled in the other script (Latin ↔ Cyrillic), lowercase; None for a word
    of neither script, or shorter than three letters."""
    if _LATIN_WORD.fullmatch(word):
        return _LATIN_PATTERN.sub(lambda m: _CYRILLIC[m.group(0)], _latin_letters(word))
    if _CYRILLIC_WORD.fullmatch(word):
        return "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in word.lower())
    return None
