"""Saved web pages → sections of main text (trafilatura), title, date and `<html lang>`."""

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


def extract_html(path: Path) -> tuple[list[Page], Metadata]:
    data = path.read_bytes()
    if not data.strip():
        raise ExtractionError("empty file: no text")
    text, _encoding = decode_bytes(data, declared_charset(data))
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
    if not body or not body.strip():
        raise ExtractionError("no main text found in the web page")
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
    return sections, Metadata(title=title, language=language, year=year, origin=tuple(origin))
