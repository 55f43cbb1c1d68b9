"""Text normalisation: what every extractor's raw text goes through before splitting.

PDF text layers arrive with ligatures, hyphenated line ends, running headers and footers,
margin line numbers and diacritics as separate spacing marks; web text with odd spaces.
Each fix is a small function so tests can pin it; `clean_pages` applies them in order.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

# Spacing diacritics some PDF producers emit beside the base letter instead of a
# combining mark; mapped to the combining mark so NFC can compose them.
_SPACING_TO_COMBINING = {
    "\u00af": "\u0304",  # macron  ¯ → ā ē ī ū
    "\u02c9": "\u0304",
    "\u02c7": "\u030c",  # caron   ˇ → č š ž
    "\u00b4": "\u0301",  # acute
    "\u02ca": "\u0301",
    "`": "\u0300",  # grave
    "\u02cb": "\u0300",
    "\u00a8": "\u0308",  # diaeresis ¨ → ä ö
    "\u02da": "\u030a",  # ring ˚ → å
    "\u00b8": "\u0327",  # cedilla ¸ → ķ ļ ņ ģ
    "\u02db": "\u0328",  # ogonek
    "\u02d8": "\u0306",  # breve
    "\u02d9": "\u0307",  # dot above
}
_MARKS = "".join(re.escape(m) for m in _SPACING_TO_COMBINING)
_LETTER = r"[^\W\d_]"
_MARK_BEFORE = re.compile(rf"([{_MARKS}])\s?({_LETTER})")
_MARK_AFTER = re.compile(rf"({_LETTER})([{_MARKS}])(?!{_LETTER})")
_DOTLESS = {"ı": "i", "ȷ": "j"}


def _compose(letter: str, mark: str) -> str:
    base = _DOTLESS.get(letter, letter)
    composed = unicodedata.normalize("NFC", base + _SPACING_TO_COMBINING[mark])
    return composed if len(composed) == 1 else letter


def recombine_diacritics(text: str) -> str:
    """Turn `¯ı` / `ı¯` and friends into `ī`; leaves marks that compose with nothing alone."""
    if not any(m in text for m in _SPACING_TO_COMBINING):
        return text
    text = _MARK_BEFORE.sub(lambda m: _compose(m.group(2), m.group(1)), text)
    return _MARK_AFTER.sub(lambda m: _compose(m.group(1), m.group(2)), text)


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[^\S\n]+")


def normalise(text: str) -> str:
    """Diacritics recombined, NFKC (ligatures ﬁ → fi), invisible characters dropped."""
    text = recombine_diacritics(text)
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def repair_tab_separated_words(text: str) -> str:
    """Some PDFs separate words with tabs and split words with stray spaces (`к ороля`).

    When tabs clearly dominate as the word separator on a page, a single space between
    two letters is a glyph-spacing artefact, so it is removed.
    """
    if text.count("\t") < 20 or text.count("\t") < 2 * text.count(" "):
        return text
    text = re.sub(rf"(?<={_LETTER}) (?={_LETTER})", "", text)
    return text.replace("\t", " ")


def _line_signature(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def strip_running_lines(pages: Sequence[str]) -> list[str]:
    """Drop running headers/footers and page numbers.

    A line within the first or last three lines of a page is a running line when its
    shape (digits ignored) recurs on at least half of the pages (three at least); bare
    numbers and `page N` / `N / M` lines in those positions are page numbers.
    """
    split = [page.split("\n") for page in pages]
    edges: Counter[str] = Counter()
    for lines in split:
        content = [ln for ln in lines if ln.strip()]
        edge_lines = content[:3] + content[-3:]
        edges.update({_line_signature(ln) for ln in edge_lines})
    threshold = max(2, (len(pages) + 1) // 2)
    running = {sig for sig, n in edges.items() if n >= threshold and sig}
    page_number = re.compile(
        r"^\s*(?:(?:page|sida|lapa|lpp\.?|стр\.?|страница)\s*)?\d{1,4}"
        r"(?:\s*(?:/|of|av|no|из)\s*\d{1,4})?\s*\.?\s*$",
        re.IGNORECASE,
    )
    cleaned = []
    for number, lines in enumerate(split, start=1):
        content_idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edge_idx = set(content_idx[:3] + content_idx[-3:])
        last = content_idx[-1] if content_idx else -1
        kept = [
            ln
            for i, ln in enumerate(lines)
            if not (i in edge_idx and (_line_signature(ln) in running or page_number.match(ln)))
            and not (i == last and _numbered_footer(ln, number))
        ]
        cleaned.append("\n".join(kept))
    return cleaned


def _numbered_footer(line: str, number: int) -> bool:
    """`Jämtland Network for Social Enterprise 1` on page 1: a short last line that ends with
    the page's own number (a footer, even in a one-page document)."""
    m = re.search(r"(?<!\d)(\d{1,4})\s*$", line)
    if m is None:
        return False
    return (
        int(m.group(1)) == number
        and len(line.split()) <= 8
        and not _SENTENCE_END.search(line[: m.start()])
    )


_MARGIN_NUMBER = re.compile(r"^\s*(\d{1,2})\s+(?=\S)")


def _drop_number_columns(lines: list[str]) -> list[str]:
    """A column of margin numbers extracted as its own run of lines: 1 / 2 / 3 / … / 25."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while (
            j < len(lines)
            and lines[j].strip().isdigit()
            and (j == i or int(lines[j].strip()) == int(lines[j - 1].strip()) + 1)
        ):
            j += 1
        if j - i >= 5:
            i = j
            continue
        out.append(lines[i])
        i += 1
    return out


def strip_margin_numbers(text: str) -> str:
    """Remove line numbers down the margin (transcripts, statutes): 1, 2, 3 … at line starts."""
    lines = _drop_number_columns(text.split("\n"))
    numbered = [
        (i, int(m.group(1))) for i, ln in enumerate(lines) if (m := _MARGIN_NUMBER.match(ln))
    ]
    if len(numbered) < 5:
        return "\n".join(lines)
    increasing = sum(1 for (_, a), (_, b) in itertools.pairwise(numbered) if b == a + 1)
    if increasing < 0.7 * (len(numbered) - 1) or len(numbered) < 0.5 * sum(
        1 for ln in lines if ln.strip()
    ):
        return "\n".join(lines)
    if sum(bool(re.search(r"\s\d{1,4}$", lines[i])) for i, _ in numbered) > 0.5 * len(numbered):
        return "\n".join(lines)  # "3 Sweden 5": a table of contents, not margin numbers
    for i, _ in numbered:
        lines[i] = _MARGIN_NUMBER.sub("", lines[i], count=1)
    return "\n".join(lines)


_HYPHEN_BREAK = re.compile(rf"({_LETTER})[-\u2010]\s*\n\s*([^\W\d_A-ZÀ-ÞА-Я])")


def dehyphenate(text: str) -> str:
    """Rejoin words hyphenated across a line break (`samar-\\nbete` → `samarbete`)."""
    return _HYPHEN_BREAK.sub(r"\1\2", text)


_SENTENCE_END = re.compile(r"[.!?:;»\"”)]\s*$")


def _looks_like_heading(line: str, typical: int) -> bool:
    """A short line that starts with a capital or a number and ends without punctuation."""
    return (
        len(line) < 0.6 * typical
        and len(line.split()) <= 10
        and (line[:1].isupper() or line[:1].isdigit())
        and not re.search(r"[.,;:!?\-–—]$", line)
    )


def reflow(text: str) -> str:
    """Join lines into paragraphs; paragraphs end at blank lines or short closing lines."""
    lines = [ln.strip() for ln in text.split("\n")]
    widths = sorted(len(ln) for ln in lines if ln)
    if not widths:
        return ""
    typical = widths[int(len(widths) * 0.8)] if len(widths) >= 5 else max(widths)
    paragraphs: list[list[str]] = [[]]
    for ln in lines:
        if not ln:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if _looks_like_heading(ln, typical) and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(ln)
        if (_SENTENCE_END.search(ln) and len(ln) < 0.75 * typical) or _looks_like_heading(
            ln, typical
        ):
            paragraphs.append([])
    joined = (" ".join(p) for p in paragraphs if p)
    return "\n\n".join(_SPACES.sub(" ", p).strip() for p in joined)


def clean_pages(raw_pages: Sequence[str]) -> list[str]:
    """The whole cleaning chain for the pages of one document, in order."""
    pages = [repair_tab_separated_words(normalise(p)) for p in raw_pages]
    pages = strip_running_lines(pages)
    return [reflow(dehyphenate(strip_margin_numbers(p))) for p in pages]


def clean_block(text: str) -> str:
    """Cleaning for text that has real paragraphs already (web pages, Markdown)."""
    text = normalise(text)
    paragraphs = re.split(r"\n\s*\n", text)
    out = (_SPACES.sub(" ", p.replace("\n", " ")).strip() for p in paragraphs)
    return "\n\n".join(p for p in out if p)


_CYRILLIC = re.compile(r"[Ѐ-ӿ]")
_HOMOGLYPHS = set("АВЕКМНОРСТХаеорсух")
_LEADERS = set(".·…_-‐‑–—=*•")
"""Characters a table of contents or a form repeats in rows (dot leaders, rules)."""
_UNMAPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")
"""Control characters, private-use code points, the replacement character: what a font
without a Unicode map (or with a shifted code table) puts in a text layer."""

_ODD_WORD = re.compile(r"[a-zß-ÿ][A-ZÀ-Þ]|[^\W\d_][\[\]\\^`{|}][^\W\d_]")
"""A capital after a small letter inside a word, or a bracket between letters: in every
word of a shifted code table (`ijbdZahf`, `Lj_[h\\Zgby`), in few of any real text."""
_LATIN1_LETTER = re.compile(r"[À-ÖØ-öø-ÿ]")

MIN_JUDGED = 40
"""Pages with fewer visible characters are kept as they are: too little to judge."""


def garbage_reason(text: str) -> str:
    """Why a page's text layer is provably broken (empty string when it is text).

    Only what no real text does is refused: many control or private-use characters (a font
    without a Unicode map, a shifted code table), a page of symbols with hardly a letter or
    digit, or Cyrillic look-alike letters standing in for Latin ones. Formulas, code, URLs,
    tables, dot leaders, names and text in any language or script are kept.
    """
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < MIN_JUDGED:
        return ""
    if len(_UNMAPPED.findall(text)) / len(visible) > 0.05:
        return "garbage text layer (font without a Unicode map?)"
    words = [w for w in text.split() if sum(ch.isalpha() for ch in w) >= 4]
    if len(words) >= 8 and sum(bool(_ODD_WORD.search(w)) for w in words) / len(words) > 0.4:
        return "garbage text layer (a shifted code table?)"
    letters = [ch for ch in visible if ch.isalpha()]
    if len(letters) >= MIN_JUDGED and (
        sum(bool(_LATIN1_LETTER.match(ch)) for ch in letters) / len(letters) > 0.3
    ):
        return "garbage text layer (text in the wrong code page, e.g. Ïðàâèëà for Правила)"
    judged = [ch for ch in visible if ch not in _LEADERS]
    if len(judged) >= MIN_JUDGED and sum(ch.isalnum() for ch in judged) / len(judged) < 0.3:
        return "garbage text layer (symbols, hardly a letter)"
    cyr = [ch for ch in text if _CYRILLIC.match(ch)]
    if len(cyr) >= 40 and sum(ch in _HOMOGLYPHS for ch in cyr) / len(cyr) > 0.7:
        return "garbage text layer (Latin text drawn with Cyrillic look-alikes)"
    return ""


def without_control_characters(text: str) -> str:
    """A kept page's stray control characters (a math font's minus sign) as spaces."""
    return _UNMAPPED.sub(" ", text)
