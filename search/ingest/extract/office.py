"""Word (.docx) and OpenDocument (.odt) files: headings start sections, tables become text
(a row a line, cells separated by `|`), footnotes are kept at the end of their section.

Both formats are zip packages of XML, read here with lxml (installed already, through
trafilatura) rather than python-docx and odfpy: one parser with one set of guards for
both, and footnotes, which python-docx does not read. Every package member is checked
before it is read (size and compression ratio: a zip bomb fails alone), and XML that
declares entities is refused (entity expansion); the parser never loads a DTD or touches
the network.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from search.errors import ExtractionError
from search.ingest.metadata import meaningful_title
from search.models import Metadata, Page

MAX_MEMBER_BYTES = 64 * 1024 * 1024
"""A package member (the document's XML) larger than this when unpacked is refused."""
MAX_RATIO = 100
"""Real XML compresses 5–20 times; far more is a zip bomb."""

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
_HEADING_STYLE = re.compile(r"(?i)^(heading|rubrik|überschrift|virsraksts|заголовок)\s*\d|^title$")


def _parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _xml(package: zipfile.ZipFile, name: str) -> Any | None:
    """A member parsed safely, or None when the package has no such member."""
    try:
        info = package.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_MEMBER_BYTES or info.file_size > MAX_RATIO * max(
        info.compress_size, 1024
    ):
        raise ExtractionError(
            f"too large: {name} unpacks to {info.file_size} bytes from {info.compress_size} "
            "(a zip bomb?)"
        )
    with package.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise ExtractionError(f"too large: {name} unpacks to more than {MAX_MEMBER_BYTES} bytes")
    if b"<!ENTITY" in data[:65536]:
        raise ExtractionError(f"unsafe XML: {name} declares entities (entity expansion?)")
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt document: {name}: {exc}") from exc


@dataclass
class _Sections:
    """Paragraphs gathered into sections, a heading starting each new one."""

    pages: list[Page] = field(default_factory=list)
    heading: str = ""
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def paragraph(self, text: str) -> None:
        if text.strip():
            self.lines.append(text.strip())

    def start(self, heading: str) -> None:
        self.close()
        self.heading = heading.strip()

    def close(self) -> None:
        body = [*self.lines, *self.notes]
        if body or self.heading:
            text = "\n\n".join(body) if body else self.heading
            self.pages.append(Page(len(self.pages) + 1, text, self.heading))
        self.lines, self.notes = [], []


# -- Word


def _word_text(element: Any, notes: dict[str, str], found: list[str]) -> str:
    parts: list[str] = []
    for node in element.iter():
        tag = node.tag
        if tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif tag == f"{W}tab":
            parts.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}footnoteReference":
            ref = node.get(f"{W}id", "")
            parts.append(f"[{ref}]")
            if ref in notes:
                found.append(f"[{ref}] {notes[ref]}")
    return "".join(parts)


def _word_style(paragraph: Any) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return "" if style is None else str(style.get(f"{W}val", ""))


def _word_blocks(body: Any) -> list[Any]:
    """Paragraphs and tables in reading order, through content controls (w:sdt)."""
    blocks: list[Any] = []
    for child in body:
        if child.tag in (f"{W}p", f"{W}tbl"):
            blocks.append(child)
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                blocks += _word_blocks(content)
    return blocks


def _docx(package: zipfile.ZipFile) -> tuple[list[Page], str]:
    document = _xml(package, "word/document.xml")
    if document is None:
        raise ExtractionError("corrupt document: no word/document.xml (not a Word file?)")
    notes: dict[str, str] = {}
    footnotes = _xml(package, "word/footnotes.xml")
    for note in [] if footnotes is None else footnotes.iter(f"{W}footnote"):
        text = " ".join(_word_text(p, {}, []) for p in note.iter(f"{W}p")).strip()
        if text:
            notes[note.get(f"{W}id", "")] = text
    body = document.find(f"{W}body")
    sections = _Sections()
    for block in [] if body is None else _word_blocks(body):
        if block.tag == f"{W}tbl":
            for row in block.iter(f"{W}tr"):
                cells = [
                    " ".join(_word_text(p, notes, sections.notes) for p in cell.iter(f"{W}p"))
                    for cell in row.iter(f"{W}tc")
                ]
                sections.paragraph(" | ".join(c.strip() for c in cells if c.strip()))
            continue
        text = _word_text(block, notes, sections.notes)
        outline = block.find(f"{W}pPr/{W}outlineLvl")
        if text.strip() and (_HEADING_STYLE.search(_word_style(block)) or outline is not None):
            sections.start(text)
        else:
            sections.paragraph(text)
    sections.close()
    core = _xml(package, "docProps/core.xml")
    title = core.findtext(f"{DC}title") if core is not None else None
    return sections.pages, (title or "").strip()


# -- OpenDocument


def _odf_text(element: Any, found: list[str]) -> str:
    """The text of a paragraph or heading, notes taken out (they go to `found`)."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == f"{TEXT}s":
            parts.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
        elif tag == f"{TEXT}tab":
            parts.append("\t")
        elif tag == f"{TEXT}line-break":
            parts.append("\n")
        elif tag == f"{TEXT}note":
            citation = child.findtext(f"{TEXT}note-citation") or ""
            body = child.find(f"{TEXT}note-body")
            if body is not None:
                text = " ".join(_odf_text(p, found) for p in body.iter(f"{TEXT}p")).strip()
                found.append(f"[{citation}] {text}")
            parts.append(f"[{citation}]")
        else:
            parts.append(_odf_text(child, found))
        parts.append(child.tail or "")
    return "".join(parts)


def _odf_walk(element: Any, sections: _Sections) -> None:
    for child in element:
        tag = child.tag
        if tag == f"{TEXT}h":
            sections.start(_odf_text(child, sections.notes))
        elif tag == f"{TEXT}p":
            sections.paragraph(_odf_text(child, sections.notes))
        elif tag == f"{TABLE}table":
            for row in child.iter(f"{TABLE}table-row"):
                cells = [
                    " ".join(_odf_text(p, sections.notes) for p in cell.iter(f"{TEXT}p"))
                    for cell in row.iter(f"{TABLE}table-cell")
                ]
                sections.paragraph(" | ".join(c.strip() for c in cells if c.strip()))
        else:  # lists, sections, frames: their paragraphs in order
            _odf_walk(child, sections)


def _odt(package: zipfile.ZipFile) -> tuple[list[Page], str]:
    content = _xml(package, "content.xml")
    if content is None:
        raise ExtractionError("corrupt document: no content.xml (not an OpenDocument file?)")
    body = content.find(f"{OFFICE}body/{OFFICE}text")
    sections = _Sections()
    if body is not None:
        _odf_walk(body, sections)
    sections.close()
    meta = _xml(package, "meta.xml")
    title = meta.findtext(f".//{DC}title") if meta is not None else None
    return sections.pages, (title or "").strip()


def extract_office(path: Path) -> tuple[list[Page], Metadata, list[str]]:
    """Sections of a .docx or .odt file, its title from the document's properties."""
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(f"corrupt document: not a readable zip package ({exc})") from exc
    with package:
        reader = _docx if path.suffix.lower() == ".docx" else _odt
        try:
            pages, title = reader(package)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, RuntimeError) as exc:
            raise ExtractionError(f"corrupt document: {exc}") from exc
    if not meaningful_title(title):  # a template's name: the text's own title is better
        return pages, Metadata(), []
    return pages, Metadata(title=title, origin=(("title", "document properties"),)), []
