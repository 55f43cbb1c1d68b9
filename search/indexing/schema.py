"""The Whoosh schema, with a version: a mismatch with the built index means a rebuild."""

from __future__ import annotations

from typing import Any

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search import fields
from search.text.analysis import (
    FOLDED_FIELD,
    LANGUAGE_FIELDS,
    OTHER_FIELD,
    folded_analyzer,
    folded_terms_analyzer,
    language_analyzer,
    plain_analyzer,
)

SCHEMA_VERSION = 8
"""Bump whenever a field, an analyzer (or the module it lives in: the schema pickles it) or
the extraction and cleaning of text changes: indexes of another version are rebuilt (their
manifests would otherwise keep old text). 4: the analyzers moved to search.text.analysis.
5: the garbage filter keeps every real page; titles and headings are indexed as words;
scanned pages are read by OCR (and marked `ocr`); the source's content hash is stored.
6: words are indexed by their dictionary forms (Hunspell), the folded field by the same
terms without diacritics; PDF words run together are spaced. 7: a web page without markup
is read as text, one where no main text is found keeps its visible text (files that failed
before are read again). 8: a number with grouped thousands or a decimal part is one term
(`1,000`, `1 000` → `1000`; `7,9` → `7.9`)."""


def _described(f: fields.Field) -> Any:
    """A field of the table: a number, a comma list of exact values, or one exact value."""
    if f.numeric:
        return NUMERIC(stored=True, bits=32)
    if f.many:
        return KEYWORD(stored=True, commas=True, lowercase=False)
    return ID(stored=True)


def build_schema() -> Any:
    text_fields = {
        name: TEXT(analyzer=language_analyzer(lang)) for lang, name in LANGUAGE_FIELDS.items()
    }
    described = {f.name: _described(f) for f in fields.table()}
    return Schema(
        id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        source_key=ID(stored=True),
        # the SHA-256 of the source file: files with the same content are one document
        content=ID(stored=True),
        # MinHash of the text: the same text in two formats is one result (text.fingerprint)
        fingerprint=STORED,
        title=TEXT(stored=True, analyzer=folded_analyzer(), field_boost=1.5),
        text=STORED,
        page=NUMERIC(stored=True, bits=32),
        heading=STORED,
        start=STORED,
        end=STORED,
        **described,
        url=STORED,
        ocr=STORED,
        origin=STORED,
        **text_fields,
        **{OTHER_FIELD: TEXT(analyzer=plain_analyzer())},
        **{FOLDED_FIELD: TEXT(analyzer=folded_terms_analyzer())},
        # exact lowercase word forms, for "did you mean" suggestions in each language's letters
        spelling=TEXT(analyzer=plain_analyzer(), phrase=False),
        # stems of the parts of Swedish compounds (kommunsamarbete → kommun samarbet)
        text_sv_parts=TEXT(analyzer=plain_analyzer(), phrase=False),
    )
