"""Spaces between words recovered from where the glyphs stand.

Some PDFs place each word by a position offset and draw no space character (tightly set
LaTeX lines, slide tools): pypdf and pdfium then read a line as one long "word"
(`Šajālekcijātiekapskatīta…`), which no search finds. On such a page the gaps between the
glyphs' advance boxes still show where one word ends: inside a word the next glyph starts
where the last one's advance ends (give or take kerning), between words it starts a
visible gap later.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Iterable
from pathlib import Path

LONG_WORD = 25
"""Letters in a word longer than any real word of the four languages' running text."""

WORD_GAP = 0.08
"""A gap wider than this share of the glyphs' line height (about 1.2 em; beyond the page's
usual glyph gap) is a space: intra-word kerning is under 0.03 em, a word gap, even in a
tight line, over 0.12 em."""

_WORD = re.compile(r"[^\W\d_]+")


def long_word_share(text: str) -> float:
    """Share of the words in `text` longer than LONG_WORD letters."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for w in words if len(w) > LONG_WORD) / len(words)


def runs_together(text: str) -> bool:
    """Whether a page's text has lost the spaces between its words."""
    words = _WORD.findall(text)
    long = sum(1 for w in words if len(w) > LONG_WORD)
    return long >= 2 and long > 0.01 * len(words)


def respaced_pages(path: Path, password: str, numbers: Iterable[int]) -> dict[int, str]:
    """The text of the given pages (1-based) with a space wherever the glyphs leave a word
    gap. Pages pdfium cannot read are left out."""
    import pypdfium2 as pdfium

    texts: dict[int, str] = {}
    document = pdfium.PdfDocument(str(path), password=password or None)
    try:
        for number in numbers:
            page = document[number - 1]
            textpage = page.get_textpage()
            try:
                texts[number] = _respaced(textpage)
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()
    return texts


def _respaced(textpage: object) -> str:
    chars: list[tuple[str, float, float, float, float]] = []  # char, left, right, bottom, height
    for i in range(textpage.count_chars()):  # type: ignore[attr-defined]
        char = textpage.get_text_range(i, 1)  # type: ignore[attr-defined]
        left, bottom, right, top = textpage.get_charbox(i, loose=True)  # type: ignore[attr-defined]
        chars.append((char, left, right, bottom, top - bottom))
    gaps = [
        b[1] - a[2]
        for a, b in itertools.pairwise(chars)
        if not a[0].isspace() and not b[0].isspace() and _same_line(a, b)
    ]
    usual = statistics.median(gaps) if gaps else 0.0
    out: list[str] = []
    previous: tuple[str, float, float, float, float] | None = None
    for glyph in chars:
        char = glyph[0]
        if char == "\r":
            continue
        if char.isspace():
            if (out and not out[-1].isspace()) or char == "\n":
                out.append("\n" if char == "\n" else " ")
            previous = None
            continue
        if (
            previous is not None
            and _same_line(previous, glyph)
            and glyph[1] - previous[2] - usual > WORD_GAP * glyph[4]
        ):
            out.append(" ")
        out.append(char)
        previous = glyph
    return "".join(out)


def _same_line(
    a: tuple[str, float, float, float, float], b: tuple[str, float, float, float, float]
) -> bool:
    return abs(a[3] - b[3]) < 0.5 * max(a[4], b[4]) and b[1] >= a[1]
