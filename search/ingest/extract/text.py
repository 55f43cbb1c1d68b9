"""Plain text and Markdown → sections (split at Markdown headings)."""

from __future__ import annotations

import re
from pathlib import Path

from search.errors import ExtractionError
from search.ingest.extract.encoding import decode_bytes
from search.models import Metadata, Page

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def extract_text_file(path: Path) -> tuple[list[Page], Metadata]:
    text, _ = decode_bytes(path.read_bytes(), declared="")
    if not text.strip():
        raise ExtractionError("empty file: no text")
    sections: list[Page] = []
    heading, lines = "", list[str]()
    title = ""
    for line in text.splitlines():
        if m := _HEADING.match(line):
            if any(ln.strip() for ln in lines):
                sections.append(Page(len(sections) + 1, "\n".join(lines), heading))
            heading, lines = m.group(1), []
            title = title or heading
            continue
        lines.append(line)
    if any(ln.strip() for ln in lines):
        sections.append(Page(len(sections) + 1, "\n".join(lines), heading))
    origin = (("title", "first heading"),) if title else ()
    return sections, Metadata(title=title, origin=origin)
