"""Where a passage's sentences begin and end (abbreviations such as `t.ex.`, `т.е.` or an
initial do not end one): what `ask` scores and what a search of several words looks for its
words together in."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"»”)]?\s+(?=[«\"“„(]?[A-ZÀ-ÞĀ-ŽА-ЯЁІЎ0-9])|\n\s*\n")
_ABBREVIATION = re.compile(
    r"(?:\b(?:t\.ex|bl\.a|d\.v\.s|m\.m|ca|nr|kr|e\.g|i\.e|etc|dr|mr|mrs|st|u\.c|utt|piem|t\.i|"
    r"т\.е|т\.д|г|гг|ул|им|др|см|no|prop|bet|rskr|kap)|\b[A-ZА-Я])\.$",
    re.IGNORECASE,
)


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a passage (abbreviations do not end one)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[start : m.start()].rstrip('"»”)')):
            continue
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans
