"""User query text → a small syntax tree → a Whoosh query over every language field.

Syntax (what users know from Lucene-style engines): words (all must match), "phrases",
-exclusions, OR, prefix*, fuzzy~, parentheses, and filters such as country:LV, lang:ru,
type:case, year:2015..2018, org:"…", municipality:…, source:pdf. Each word is analysed
with every language field's own analyzer, plus the folded field at a lower weight, so a
user never states a language. Errors say what is wrong and at which column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search import fields
from search.errors import QuerySyntaxError
from search.models import YearRange
from search.text.numbers import SPACED_NUMBER


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    prefix: bool = False
    fuzzy: int = 0


@dataclass(frozen=True, slots=True)
class Phrase:
    """`"sociala företag"`: the words in this order, side by side; `"kommun samarbete"~3`:
    in this order with up to 3 other words between each two (Lucene's proximity, in order)."""

    words: tuple[str, ...]
    within: int = 0


@dataclass(frozen=True, slots=True)
class FieldFilter:
    """`country:LV,SE` (values) or `year:2015..2018` (a range, for numeric fields)."""

    field: str
    values: tuple[str, ...] = ()
    years: YearRange = YearRange()


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Node, ...]


Node = Word | Phrase | FieldFilter | Not | AllOf | AnyOf


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # word, phrase, lparen, rparen, or, not, filter
    text: str
    col: int
    field: str = ""
    within: int = 0


_PHRASE_WORD = re.compile(rf"{SPACED_NUMBER}|\S+")
"""A phrase's words: `12 000` is one, as the index holds such a number (one term)."""

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<lparen>\()
      | (?P<rparen>\))
      | (?P<phrase>"[^"]*"?(?:~\d*)?)
      | (?P<filter>[A-Za-z_]+:(?:"[^"]*"?|[^\s()"]*))
      | (?P<neg>-(?=[^\s-]))
      | (?P<word>"""
    + SPACED_NUMBER
    + r"""|[^\s()"]+)""",
    re.VERBOSE,
)


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind, value, col = m.lastgroup or "", m.group(0), m.start() + 1
        if kind == "space":
            continue
        if kind == "phrase":
            quoted, _, within = value.partition('"~')
            if within or value.endswith('"~'):
                quoted += '"'
            if len(quoted) < 2 or not quoted.endswith('"'):
                raise QuerySyntaxError(
                    f'unclosed quote starting at column {col}: add the closing "'
                )
            tokens.append(_Tok("phrase", quoted[1:-1], col, within=_proximity(value, col)))
        elif kind == "filter":
            name, _, raw = value.partition(":")
            try:
                field = fields.named(name)
            except KeyError:
                known = ", ".join(sorted(fields.query_names()))
                raise QuerySyntaxError(
                    f"unknown field '{name}' at column {col} (fields: {known})"
                ) from None
            if raw.startswith('"') and (len(raw) < 2 or not raw.endswith('"')):
                raise QuerySyntaxError(f"unclosed quote starting at column {col + len(name) + 1}")
            raw = raw.strip('"').strip()
            if not raw:
                raise QuerySyntaxError(f"'{name}:' at column {col} needs a value, e.g. {name}:LV")
            tokens.append(_Tok("filter", raw, col, field.name))
        elif kind == "neg":
            tokens.append(_Tok("not", "-", col))
        elif kind == "word" and value == "OR":
            tokens.append(_Tok("or", value, col))
        else:
            tokens.append(_Tok(kind, value, col))
    return tokens


def _proximity(value: str, col: int) -> int:
    """The N of `"…"~N` (words allowed between two of the phrase's); 0 without it."""
    if '"~' not in value[1:]:
        return 0
    digits = value.rpartition("~")[2]
    if not digits:
        raise QuerySyntaxError(
            f"'~' after the phrase at column {col} needs a number, e.g. \"a b\"~3"
        )
    if int(digits) > MAX_PROXIMITY:
        raise QuerySyntaxError(
            f"'~{digits}' after the phrase at column {col}: at most {MAX_PROXIMITY} words between"
        )
    return int(digits)


def _filter_node(tok: _Tok) -> FieldFilter:
    if fields.named(tok.field).numeric:
        return FieldFilter(
            tok.field, years=year_range(tok.text, f"{tok.field} at column {tok.col}")
        )
    return FieldFilter(tok.field, tuple(v.strip() for v in tok.text.split(",") if v.strip()))


def year_range(text: str, where: str = "year") -> YearRange:
    """`2015..2018`, `2015..`, `..2018` or `2016`; QuerySyntaxError names `where` otherwise."""
    m = re.fullmatch(r"(\d{4})?\s*(?:\.\.\s*(\d{4})?)?", text.strip())
    if not m or not (m.group(1) or m.group(2)):
        raise QuerySyntaxError(f"{where} must be a year or a range like 2015..2018, got '{text}'")
    low = int(m.group(1)) if m.group(1) else None
    high = int(m.group(2)) if m.group(2) else (low if ".." not in text else None)
    if low is not None and high is not None and low > high:
        raise QuerySyntaxError(f"{where}: the range runs backwards: {text}")
    return YearRange(low, high)


_FUZZY = re.compile(r"^(.*?)~(\d*)$")

MAX_FUZZY = 2
"""Edits a fuzzy word may allow (as Lucene): more matches nearly every word and takes minutes."""
MAX_QUERY_CHARS = 2000
MAX_TERMS = 64
"""Words, phrases and filters in one query."""
MAX_PHRASE_WORDS = 32
MAX_PROXIMITY = 20
"""Words allowed between two words of a `"…"~N` phrase."""
MAX_DEPTH = 16
"""Parentheses inside parentheses."""


def _word_node(tok: _Tok) -> Word:
    text = tok.text
    if m := _FUZZY.match(text):
        if not m.group(1):
            raise QuerySyntaxError(f"'~' at column {tok.col} must follow a word, e.g. kommun~")
        edits = int(m.group(2) or 1)
        if edits > MAX_FUZZY:
            raise QuerySyntaxError(
                f"'~{edits}' at column {tok.col}: a fuzzy word allows at most {MAX_FUZZY} edits"
            )
        return Word(m.group(1), fuzzy=edits)
    if text.endswith("*"):
        stem = text.rstrip("*")
        if len(stem) < 2:
            raise QuerySyntaxError(
                f"a prefix at column {tok.col} needs at least two letters before '*'"
            )
        return Word(stem, prefix=True)
    if "*" in text or "?" in text.strip("?"):
        at = min(i for i, ch in enumerate(text) if ch == "*" or (ch == "?" and text[i:].strip("?")))
        raise QuerySyntaxError(
            f"'{text[at]}' at column {tok.col + at} is only allowed at the end of a word"
        )
    return Word(text)


class _Parser:
    def __init__(self, tokens: list[_Tok], length: int) -> None:
        self.tokens, self.pos, self.length = tokens, 0, length
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr()
        if (tok := self.peek()) is not None:
            raise QuerySyntaxError(f"unmatched ')' at column {tok.col}")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.pos += 1
            if self.peek() is None or self.peek().kind in ("or", "rparen"):  # type: ignore[union-attr]
                raise QuerySyntaxError(
                    f"OR at column {tok.col} needs something to search for after it"
                )
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def and_expr(self) -> Node:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            parts.append(self.unary())
        if not parts:
            tok = self.peek()
            where = f"column {tok.col}" if tok else "the end"
            raise QuerySyntaxError(f"nothing to search for at {where}")
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def unary(self) -> Node:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "not":
            self.pos += 1
            if self.peek() is None or self.peek().kind in ("or", "rparen", "not"):  # type: ignore[union-attr]
                raise QuerySyntaxError(
                    f"'-' at column {tok.col} must be followed by what to exclude"
                )
            return Not(self.primary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        assert tok is not None
        self.pos += 1
        if tok.kind == "lparen":
            if (nxt := self.peek()) is not None and nxt.kind == "rparen":
                raise QuerySyntaxError(f"empty parentheses at column {tok.col}")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError(
                    f"'(' at column {tok.col}: parentheses nest at most {MAX_DEPTH} deep"
                )
            node = self.or_expr()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QuerySyntaxError(f"'(' at column {tok.col} is never closed: add ')'")
            self.pos += 1
            return node
        if tok.kind == "rparen":
            raise QuerySyntaxError(f"unmatched ')' at column {tok.col}")
        if tok.kind == "phrase":
            words = tuple(_PHRASE_WORD.findall(tok.text))
            if not words:
                raise QuerySyntaxError(f"empty phrase at column {tok.col}")
            if len(words) > MAX_PHRASE_WORDS:
                raise QuerySyntaxError(
                    f"the phrase at column {tok.col} has {len(words)} words; "
                    f"a phrase may have at most {MAX_PHRASE_WORDS}"
                )
            return Phrase(words, tok.within)
        if tok.kind == "filter":
            return _filter_node(tok)
        return _word_node(tok)


_UNDECODED = re.compile("[\ud800-\udfff]")
"""How Python keeps a byte of a command line that is not UTF-8 (surrogateescape)."""


def check_text(text: str) -> None:
    """Raise QuerySyntaxError for text that holds bytes which are not UTF-8 (a command
    line typed in a terminal of another encoding): no analyzer can read them."""
    if (bad := _UNDECODED.search(text)) is not None:
        raise QuerySyntaxError(
            f"the text holds a byte that is not UTF-8 at column {bad.start() + 1}: "
            "set the terminal's character encoding to UTF-8"
        )


def parse(text: str) -> Node | None:
    """The syntax tree of a query; None for an empty query (browse everything).

    A query is bounded so that none can take minutes: its length, the number of its words,
    a phrase's length, fuzziness and nesting each have a limit, named when exceeded."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}"
        )
    check_text(text)
    tokens = _tokenize(text)
    terms = sum(t.kind in ("word", "phrase", "filter") for t in tokens)
    if terms > MAX_TERMS:
        raise QuerySyntaxError(
            f"the query has {terms} words, phrases and filters; the limit is {MAX_TERMS}"
        )
    return _Parser(tokens, len(text)).parse()


def split_filters(node: Node | None) -> tuple[Node | None, tuple[FieldFilter, ...]]:
    """Top-level filters become facet selections; the rest is the text query."""
    if isinstance(node, FieldFilter):
        return None, (node,)
    if isinstance(node, AllOf):
        filters = tuple(c for c in node.children if isinstance(c, FieldFilter))
        rest = tuple(c for c in node.children if not isinstance(c, FieldFilter))
        if not rest:
            return None, filters
        return (rest[0] if len(rest) == 1 else AllOf(rest)), filters
    return node, ()


def words_of(node: Node | None) -> list[str]:
    """The positive words and phrase words of a query, in order (for suggestions)."""
    if node is None or isinstance(node, (FieldFilter, Not)):
        return []
    if isinstance(node, Word):
        return [node.text]
    if isinstance(node, Phrase):
        return list(node.words)
    return [w for c in node.children for w in words_of(c)]
