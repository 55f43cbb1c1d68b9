"""One source file → a Document: extract, clean, split, detect language.

This runs inside an extraction worker process (see `search.ingest.workers`), so everything a
hostile file can do to the parser happens away from the index writer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from search.errors import ExtractionError
from search.ingest.metadata import capped, declared_metadata, merge
from search.models import Document, Metadata, Page, Passage
from search.settings import Limits
from search.text import clean, language, passages

PDF_SUFFIXES = {".pdf"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
OFFICE_SUFFIXES = {".docx", ".odt"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES | OFFICE_SUFFIXES


def doc_id_for(key: str) -> str:
    """A stable id for a source: the same corpus path always gets the same id."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def source_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return "pdf"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in OFFICE_SUFFIXES:
        return suffix[1:]
    return "text"


def _raw_pages(
    path: Path, kind: str, meta: Metadata, limits: Limits
) -> tuple[list[Page], Metadata, list[str]]:
    if kind == "pdf":
        from search.ingest.extract.pdf import extract_pdf

        raw, info, warnings = extract_pdf(path, meta.password, limits)
        texts = clean.clean_pages([p.text for p in raw])
        return [Page(p.number, t) for p, t in zip(raw, texts, strict=True)], info, warnings
    if kind in ("docx", "odt"):
        from search.ingest.extract.office import extract_office

        sections, info, warnings = extract_office(path)
        pages = [Page(s.number, clean.clean_block(s.text), s.heading) for s in sections]
        return pages, info, warnings
    if kind == "html":
        from search.ingest.extract.html import extract_html

        sections, info, warnings = extract_html(path)
    else:
        from search.ingest.extract.text import extract_text_file

        sections, info = extract_text_file(path)
        warnings = []
    return [Page(s.number, clean.clean_block(s.text), s.heading) for s in sections], info, warnings


def _usable_pages(pages: list[Page], kind: str) -> tuple[list[Page], dict[int, str]]:
    """Pages with text, and the pages refused with the reason. Only a PDF's text layer can
    be garbage (a font without a Unicode map); a web page or a text file in any language is
    text as it stands."""
    usable: list[Page] = []
    refused: dict[int, str] = {}
    for page in pages:
        if not page.text.strip():
            continue
        if kind == "pdf" and (reason := clean.garbage_reason(page.text)):
            refused[page.number] = reason
            continue
        usable.append(replace(page, text=clean.without_control_characters(page.text)))
    return usable, refused


def _scanned_pages(
    path: Path,
    pages: list[Page],
    usable: list[Page],
    meta: Metadata,
    limits: Limits,
    alive: Callable[[str], None] | None,
) -> list[Page]:
    """Pages without a usable text layer read by OCR, when Tesseract is installed."""
    from search.ingest.extract import ocr

    have = {p.number for p in usable}
    missing = [p.number for p in pages if p.number not in have]
    if not missing or not ocr.available():
        return []
    reader = ocr.Reader(path, meta.password, meta.language, limits, alive)
    texts = reader.read(missing)
    cleaned = clean.clean_pages([texts[n] for n in missing])
    return [Page(n, t, ocr=True) for n, t in zip(missing, cleaned, strict=True) if t.strip()]


def _readable_pages(
    path: Path,
    kind: str,
    declared: Metadata,
    limits: Limits,
    alive: Callable[[str], None] | None,
) -> tuple[list[Page], Metadata, list[str]]:
    """Every page with text: from the text layer, else (PDFs) by OCR of the page's image."""
    pages, info, warnings = _raw_pages(path, kind, declared, limits)
    usable, refused = _usable_pages(pages, kind)
    scanned = _scanned_pages(path, pages, usable, declared, limits, alive) if kind == "pdf" else []
    read = {p.number for p in scanned}
    warnings += [f"page {n}: {why}, not indexed" for n, why in refused.items() if n not in read]
    if scanned:
        warnings.append(f"{len(scanned)} of {len(pages)} pages read by OCR")
        usable = sorted([*usable, *scanned], key=lambda p: p.number)
    if usable:
        return usable, info, warnings
    if refused:
        raise ExtractionError(next(iter(refused.values())))
    if kind == "pdf" and pages:
        from search.ingest.extract import ocr

        raise ExtractionError("no text layer (scanned?)" if ocr.available() else ocr.INSTALL_HINT)
    raise ExtractionError("no text layer (scanned?)" if pages or not warnings else warnings[0])


COUNTRY_OF_LANGUAGE = {"sv": "SE", "lv": "LV", "be": "BY"}
"""Where a document's language names its country without doubt (Russian and English do not)."""


def _first_line(text: str) -> str:
    """The first line; a title block in capitals runs on over the lines that follow it."""
    lines = [ln.strip() for ln in text.strip().split("\n") if ln.strip()]
    if not lines:
        return ""
    title = lines[0]
    for line in lines[1:]:
        if not (title.isupper() and line.isupper()) or len(title) + len(line) > 150:
            break
        title = f"{title} {line}"
    return title


def _title_from_text(pages: list[Page], path: Path) -> Metadata:
    """The first heading, else the first line when it reads like a title, else the file name."""
    heading = next((p.heading.strip() for p in pages if p.heading.strip()), "")
    if heading:
        return Metadata(title=heading, origin=(("title", "first heading"),))
    first = _first_line(next((p.text for p in pages if p.text.strip()), ""))
    if 3 <= len(first) <= 150 and any(ch.isalpha() for ch in first) and first[-1] not in ",;":
        return Metadata(title=first, origin=(("title", "first line"),))
    return Metadata(title=path.stem.replace("_", " "), origin=(("title", "file name"),))


def _inferred_places(
    spans: list[tuple[Page, int, int]], judged: list[str], fallback: str
) -> Metadata:
    """Municipalities (and their countries) the text names, from the gazetteer."""
    from search.text.places import gazetteer

    g = gazetteer()
    counts: dict[str, int] = {}
    for (page, s, e), lang in zip(spans, judged, strict=True):
        for rank, name in enumerate(g.mentioned(page.text[s:e], lang or fallback)):
            counts[name] = counts.get(name, 0) + 10 - rank
    names = tuple(sorted(counts, key=lambda n: -counts[n])[:6])
    if not names:
        return Metadata()
    countries = tuple(dict.fromkeys(p.country for n in names for p in g.places if p.name == n))
    return Metadata(
        municipality=names,
        country=countries,
        origin=(
            ("municipality", "inferred (places named in the text)"),
            ("country", "inferred (places named in the text)"),
        ),
    )


def process_file(
    path: Path,
    key: str,
    corpus_root: Path,
    limits: Limits,
    alive: Callable[[str], None] | None = None,
) -> Document:
    """Extract and analyse one file; raises a SearchError subclass on failure. `alive` is
    told where a long file is (each page of OCR)."""
    size = path.stat().st_size
    if size == 0:
        raise ExtractionError("empty file (0 bytes)")
    if size > limits.max_file_bytes:
        raise ExtractionError(f"too large: {size} bytes (limit {limits.max_file_bytes})")
    declared = declared_metadata(path, corpus_root)
    kind = source_kind(path)
    pages, info, warnings = _readable_pages(path, kind, declared, limits, alive)
    meta = merge(declared, info)

    doc_id = doc_id_for(key)
    spans = [(page, s, e) for page in pages for s, e in passages.split_page(page.text)]
    judged = [language.detect(page.text[s:e]) for page, s, e in spans]
    doc_language = (
        meta.language
        or language.dominant((lang, e - s) for lang, (_, s, e) in zip(judged, spans, strict=True))
        or language.detect(" ".join(p.text for p in pages)[:5000], min_letters=1)
        or "other"
    )
    if not meta.language:
        meta = merge(meta, Metadata(language=doc_language, origin=(("language", "inferred"),)))
    if not meta.municipality or not meta.country:
        meta = merge(meta, _inferred_places(spans, judged, doc_language))
    if not meta.country and doc_language in COUNTRY_OF_LANGUAGE:
        country = COUNTRY_OF_LANGUAGE[doc_language]
        meta = merge(
            meta,
            Metadata(
                country=(country,), origin=(("country", f"inferred (language {doc_language})"),)
            ),
        )
    if not meta.title:
        meta = merge(meta, _title_from_text(pages, path))

    meta = replace(
        meta,
        title=capped(meta.title, key, "title", warnings),
        organisation=tuple(capped(o, key, "organisation", warnings) for o in meta.organisation),
        municipality=tuple(capped(m, key, "municipality", warnings) for m in meta.municipality),
    )
    counters: dict[int, int] = {}
    built: list[Passage] = []
    for (page, s, e), lang in zip(spans, judged, strict=True):
        n = counters[page.number] = counters.get(page.number, 0) + 1
        built.append(
            Passage(
                id=f"{doc_id}-{page.number}-{n}",
                doc_id=doc_id,
                page=page.number,
                heading=page.heading,
                start=s,
                end=e,
                text=page.text[s:e],
                language=lang or doc_language,
                ocr=page.ocr,
            )
        )
    return Document(
        doc_id=doc_id,
        source_key=key,
        source=kind,
        metadata=meta,
        passages=tuple(built),
        page_count=len(pages),
        warnings=tuple(warnings),
    )
