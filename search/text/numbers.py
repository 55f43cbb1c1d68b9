"""Numbers as one word: a number written with its thousands grouped or with a decimal part
(`1,000`, `12 000`, `7,9`) is one token and one term, whichever way the language writes it.
Cut at its separators, `1,000` was the two words `1` and `000`, and `7.9` matched any 7
and 9. Kept apart from the analyzers so that the query parser (which loads no Whoosh)
reads numbers as the index does."""

from __future__ import annotations

import re

GROUPED_BY_SPACES = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?"
"""`12 000` and `12 000,50` (sv, lv, ru; with a no-break or narrow no-break space too)."""
_ENDS = r"(?![.,]?\d)"
"""Where a number ends: not before another separated digit."""
NUMBER_PATTERN = (
    # a number begins with a digit: looked at first, the lookbehind is tried at digits only
    # (a third of the tokenizer's time at every other character)
    r"(?=\d)(?<!\d[.,])(?:"  # not the middle of a date (12.05.2008) or a list (1,2,3)
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,000 and 1,234.5 (en)
    rf"|{GROUPED_BY_SPACES}"
    r"|\d{1,3}[.,]\d+"  # 7.9 and 7,9 (not 2008,2009: two years)
    rf"){_ENDS}"
)
SPACED_NUMBER = GROUPED_BY_SPACES + _ENDS
"""A number whose groups are separated by spaces: what a query must keep one word."""
_GROUPED = re.compile(r"(\d{1,3}(?:[, \u00a0\u202f]\d{3})+)(?:[.,](\d+))?")


def number_term(token: str) -> str:
    """A number token as the index holds it: `1,000`, `1 000` → `1000`; `7,9` → `7.9`;
    `12 000,50` → `12000.50`. Any other token unchanged."""
    if not token[:1].isdigit() or token.isdigit():
        return token
    grouped = _GROUPED.fullmatch(token)
    if grouped:
        whole, decimals = grouped.groups()
        digits = "".join(ch for ch in whole if ch.isdigit())
        return f"{digits}.{decimals}" if decimals else digits
    return token.replace(",", ".")
