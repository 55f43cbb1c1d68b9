"""PDF → pages of text with pypdf; every pypdf failure becomes an ExtractionError."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

import pypdf
from pypdf.errors import PyPdfError

from search.errors import ExtractionError
from search.ingest.extract import spacing
from search.ingest.extract.salvage import salvage_page_text
from search.ingest.metadata import meaningful_title
from search.models import Metadata, Page
from search.settings import Limits

log = logging.getLogger(__name__)


def _open(path: Path, password: str) -> pypdf.PdfReader:
    try:
        reader = pypdf.PdfReader(path, strict=False)
    except Exception as exc:  # any parser failure on an untrusted file means "corrupt"
        raise ExtractionError(f"corrupt PDF: {exc}") from exc
    if not reader.is_encrypted:
        return reader
    for candidate in ("", password) if password else ("",):
        try:
            if reader.decrypt(candidate):
                return reader
        except (PyPdfError, NotImplementedError, ValueError) as exc:
            raise ExtractionError(f"encrypted: cannot decrypt ({exc})") from exc
    if password:
        raise ExtractionError("encrypted: the password in the sidecar is wrong")
    raise ExtractionError('encrypted: password needed (add `password = "…"` to its .meta.toml)')


def _info_metadata(reader: pypdf.PdfReader) -> Metadata:
    origin: list[tuple[str, str]] = []
    title = ""
    year: int | None = None
    try:
        info = reader.metadata
        if info is not None:
            raw_title = info.title
            if isinstance(raw_title, str) and meaningful_title(raw_title):
                title = raw_title.strip()
                origin.append(("title", "pdf info"))
            created = str(info.get("/CreationDate", "") or "")
            if m := re.search(r"(19|20)\d\d", created):
                year = int(m.group(0))
                origin.append(("year", "pdf creation date"))
    except Exception as exc:  # damaged info dictionaries are common and harmless
        log.debug("unreadable PDF info: %s", exc)
    return Metadata(title=title, year=year, origin=tuple(origin))


def extract_pdf(
    path: Path, password: str, limits: Limits
) -> tuple[list[Page], Metadata, list[str]]:
    """Raw text per page (1-based numbers) plus info metadata and per-page problems."""
    stream_caps = {
        "zlib_maximum_output_length": limits.max_stream_bytes,
        "lzw_maximum_output_length": limits.max_stream_bytes,
        "run_length_maximum_output_length": limits.max_stream_bytes,
        "jbig2_maximum_output_length": limits.max_stream_bytes,
        "maximum_declared_stream_length": limits.max_stream_bytes,
    }
    with pypdf.apply_configuration(None, **stream_caps):
        reader = _open(path, password)
        try:
            count = len(reader.pages)
        except Exception as exc:  # cyclic or broken page trees raise assorted errors
            raise ExtractionError(f"corrupt PDF: page tree unreadable ({exc})") from exc
        if count == 0:
            raise ExtractionError("corrupt PDF: no pages")
        if count > limits.max_pages:
            raise ExtractionError(f"too large: {count} pages (limit {limits.max_pages})")
        pages: list[Page] = []
        warnings: list[str] = []
        for number in range(1, count + 1):
            try:
                text = reader.pages[number - 1].extract_text() or ""
            except Exception as exc:  # pypdf raises many types on damaged pages
                text = salvage_page_text(reader.pages[number - 1])
                if not text:
                    warnings.append(f"page {number}: unreadable ({type(exc).__name__})")
                    continue
                warnings.append(f"page {number}: damaged; text read from the raw content stream")
            pages.append(Page(number=number, text=text))
        return _with_word_spaces(path, password, pages, warnings), _info_metadata(reader), warnings


def _with_word_spaces(
    path: Path, password: str, pages: list[Page], warnings: list[str]
) -> list[Page]:
    """Pages whose words run together read again, spaced by their glyphs' positions."""
    crowded = [p.number for p in pages if spacing.runs_together(p.text)]
    if not crowded:
        return pages
    try:
        respaced = spacing.respaced_pages(path, password, crowded)
    except Exception as exc:  # pdfium refusing a file pypdf read: keep pypdf's text
        log.debug("cannot respace %s: %s", path, exc)
        return pages
    before = {p.number: spacing.long_word_share(p.text) for p in pages}
    better = {
        n: text for n, text in respaced.items() if spacing.long_word_share(text) < before[n] / 2
    }
    if better:
        warnings.append(
            f"{len(better)} pages without spaces between words; spaced by glyph positions"
        )
    return [replace(p, text=better.get(p.number, p.text)) for p in pages]
