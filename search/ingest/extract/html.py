"""Saved web pages → sections of main text (trafilatura), title, date and `<html lang>`.

Nothing readable is dropped: a file named .html that holds no markup is read as text, and a
page where trafilatura finds no main text keeps the visible text of its body, with a
warning (boilerplate and all: better found with some noise than not found).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import trafilatura

from search.errors import ExtractionError
from search.ingest.extract.encoding import declared_charset, decode_bytes
from search.models import Metadata, Page

log = logging.getLogger("search.ingest.extract.html")

_HTML_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$")
_MARKUP = re.compile(r"<(?:!--|!doctype|/?[a-z][a-z0-9]*(?:[\s/>]|$))", re.IGNORECASE)
_BLOCKS = "p div li tr td th h1 h2 h3 h4 h5 h6 br pre blockquote dd dt section article".split()
_INVISIBLE = "//script|//style|//noscript|//template|//head"
MIN_VISIBLE = 200
"""Letters of visible text a page needs before its whole body is kept as text."""
_INLINE_MARKUP = re.compile(r"</?[a-z]+[^>]*>|\*{1,3}|(?<!\w)_{1,2}|_{1,2}(?!\w)")


def _plain(line: str) -> str:
    line = re.sub(r"^\s*[-+*]\s+", "", line)  # list bullets
    line = re.sub(
        r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", _INLINE_MARKUP.sub("", line)
    )  # Markdown escapes
    return line.replace("|", " ").strip()


def _sections(markdown: str) -> list[Page]:
    sections: list[Page] = []
    heading, lines = "", list[str]()
    for raw in markdown.splitlines():
        if m := _HEADING.match(raw.strip()):
            if any(ln for ln in lines):
                sections.append(
                    Page(len(sections) + 1, "\n\n".join(ln for ln in lines if ln), heading)
                )
            heading, lines = _plain(m.group(1)), []
            continue
        lines.append(_plain(raw))
    if any(lines):
        sections.append(Page(len(sections) + 1, "\n\n".join(ln for ln in lines if ln), heading))
    return sections


def _where_the_date_is(html: str, date: str) -> str:
    """Whether the page declares its date (meta tags, <time>, a dated URL) or the date was
    only found in its text ("kopš 2020. gada"): the label `show` gives the year."""
    from htmldate import find_date

    try:
        declared = find_date(html, extensive_search=False, original_date=True)
    except Exception:  # htmldate raises assorted errors on hostile markup
        declared = None
    if declared and declared[:4] == date[:4]:
        return "html publication date"
    return "a date in the page's text"


def _visible_text(text: str) -> str:
    """The text a browser would show, a line per block element (no main-text selection)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(text)
    except Exception:  # lxml raises assorted errors on hostile markup
        return ""
    for node in root.xpath(_INVISIBLE):
        node.drop_tree()
    for node in root.iter(*_BLOCKS):
        node.tail = "\n" + (node.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def extract_html(path: Path) -> tuple[list[Page], Metadata, list[str]]:
    data = path.read_bytes()
    if not data.strip():
        raise ExtractionError("empty file: no text")
    text, _encoding = decode_bytes(data, declared_charset(data))
    if not _MARKUP.search(text):  # text saved under a web page's name: every line is text
        from search.ingest.extract.text import extract_text_file

        sections, info = extract_text_file(path)
        return sections, info, ["no HTML markup: read as plain text"]
    try:
        doc = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_formatting=True,
            include_tables=True,
            favor_recall=True,
        )
    except Exception as exc:  # trafilatura/lxml raise many types on hostile markup
        raise ExtractionError(f"unreadable web page: {type(exc).__name__}: {exc}") from exc
    body = getattr(doc, "text", "") if doc is not None else ""
    warnings: list[str] = []
    if not body or not body.strip():
        body = _visible_text(text)
        if sum(ch.isalpha() for ch in body) < MIN_VISIBLE:
            raise ExtractionError("no main text found in the web page")
        warnings.append("no main text found: the whole page's text is indexed")
    origin: list[tuple[str, str]] = []
    title = (getattr(doc, "title", "") or "").strip()
    if not title and (m := _TITLE.search(text)):
        title = re.sub(r"\s+", " ", m.group(1)).strip()
    if title:
        origin.append(("title", "html <title>"))
    language = ""
    if m := _HTML_LANG.search(text[:5000]):
        language = m.group(1).lower()
        origin.append(("language", "html lang"))
    year = None
    date = getattr(doc, "date", "") or ""
    if m2 := re.match(r"((?:19|20)\d\d)-", date):
        year = int(m2.group(1))
        origin.append(("year", _where_the_date_is(text, date)))
    sections = _sections(body)
    if not sections:
        raise ExtractionError("no main text found in the web page")
    info = Metadata(title=title, language=language, year=year, origin=tuple(origin))
    return sections, info, warnings
