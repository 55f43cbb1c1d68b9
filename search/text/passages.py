"""Cleaned pages → passages of about 40–250 words, paragraph-aware, never across a page.

Offsets are character positions in the cleaned page text, so a reader can show a
passage in its page and mark matches there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MIN_WORDS = 40
MAX_WORDS = 250

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«„“(]?[A-ZÀ-ÞĀ-ŽА-ЯЁІЎ0-9])")


def _words(text: str) -> int:
    return len(text.split())


def _sentence_spans(text: str, offset: int) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _SENTENCE_END.finditer(text):
        yield offset + start, offset + m.start()
        start = m.end()
    yield offset + start, offset + len(text)


def _pieces(page_text: str) -> Iterator[tuple[int, int]]:
    """Paragraph spans; a paragraph over MAX_WORDS is cut at sentence ends (or words)."""
    for m in _PARAGRAPH.finditer(page_text):
        if _words(m.group(0)) <= MAX_WORDS:
            yield m.start(), m.end()
            continue
        chunk_start, chunk_words = m.start(), 0
        prev_end = m.start()
        for s, e in _sentence_spans(m.group(0), m.start()):
            n = _words(page_text[s:e])
            if chunk_words and chunk_words + n > MAX_WORDS:
                yield chunk_start, prev_end
                chunk_start, chunk_words = s, 0
            if n > MAX_WORDS:  # a "sentence" with no end: cut by words
                for ws in range(0, n, MAX_WORDS):
                    words = list(re.finditer(r"\S+", page_text[s:e]))[ws : ws + MAX_WORDS]
                    yield s + words[0].start(), s + words[-1].end()
                chunk_start, chunk_words, prev_end = e, 0, e
                continue
            chunk_words += n
            prev_end = e
        if chunk_words:
            yield chunk_start, prev_end


def split_page(page_text: str) -> list[tuple[int, int]]:
    """Character spans of the passages of one page."""
    spans: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for start, end in _pieces(page_text):
        if current is None:
            current = (start, end)
        elif _words(page_text[current[0] : current[1]]) < MIN_WORDS and (
            _words(page_text[current[0] : end]) <= MAX_WORDS
        ):
            current = (current[0], end)
        else:
            spans.append(current)
            current = (start, end)
    if current is not None:
        if (
            spans
            and _words(page_text[current[0] : current[1]]) < MIN_WORDS
            and (_words(page_text[spans[-1][0] : current[1]]) <= MAX_WORDS)
        ):
            spans[-1] = (spans[-1][0], current[1])
        else:
            spans.append(current)
    return [(s, e) for s, e in spans if page_text[s:e].strip()]
