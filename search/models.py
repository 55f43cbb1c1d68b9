"""Plain records that travel between the pipeline's stages.

Every stage takes and returns these frozen dataclasses, never library objects, so the
CLI, the TUI and the tests see one vocabulary. No third-party imports here; the two
functions at the end are formatting helpers over its records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal, get_args

Sort = Literal["relevance", "year"]
SORTS: tuple[Sort, ...] = get_args(Sort)
Phase = Literal["scan", "extract", "write", "commit"]
Mode = Literal["search", "ask"]

SUPPORTED_LANGUAGES = ("sv", "lv", "ru", "en")
"""Languages with their own analyzer; anything else is labelled be or other."""

ALL_LANGUAGES = (*SUPPORTED_LANGUAGES, "be", "other")

Values = tuple[tuple[str, tuple[str, ...]], ...]
"""(field, values) pairs: the filters of a request, the fields only `search.fields` knows."""


@dataclass(frozen=True, slots=True)
class YearRange:
    """`2015..2018`, `2015..`, `..2018` or one year; empty when neither end is set."""

    low: int | None = None
    high: int | None = None

    def __bool__(self) -> bool:
        return self.low is not None or self.high is not None

    def holds(self, year: int) -> bool:
        return (self.low is None or year >= self.low) and (self.high is None or year <= self.high)

    def narrowed(self, other: YearRange) -> YearRange:
        """This range with the ends `other` sets replaced."""
        return YearRange(
            other.low if other.low is not None else self.low,
            other.high if other.high is not None else self.high,
        )


@dataclass(frozen=True, slots=True)
class Metadata:
    """What is known about a document, and where each value came from."""

    title: str = ""
    country: tuple[str, ...] = ()
    language: str = ""
    doc_type: str = ""
    year: int | None = None
    organisation: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    url: str = ""
    retrieved: str = ""
    password: str = field(default="", repr=False)
    origin: tuple[tuple[str, str], ...] = ()
    """(field, where it came from) for every value that is set."""
    extra: Values = ()
    """Values of fields the field table adds beyond these (`search.fields`)."""


@dataclass(frozen=True, slots=True)
class Page:
    """The cleaned text of one PDF page, or one section of a web or text document."""

    number: int
    """1-based page number for PDFs; section number for other sources."""
    text: str
    heading: str = ""
    ocr: bool = False
    """The text was recognised in the page's image (a scan), not read from a text layer."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """What an extractor returns: pages of raw text, document metadata, problems met."""

    pages: tuple[Page, ...]
    metadata: Metadata
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph-aware chunk of one page: the unit the index stores and ranks."""

    id: str
    doc_id: str
    page: int
    heading: str
    start: int
    end: int
    text: str
    language: str
    ocr: bool = False
    """Recognised by OCR from a scanned page."""


@dataclass(frozen=True, slots=True)
class Document:
    """A fully processed source: metadata plus its passages, ready to index."""

    doc_id: str
    source_key: str
    """Corpus-relative path (posix), the identity a reindex compares against."""
    source: str
    """pdf, html or text."""
    metadata: Metadata
    passages: tuple[Passage, ...]
    page_count: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file in the corpus as seen by a stat call (and a hash when needed)."""

    key: str
    path: str
    size: int
    mtime_ns: int
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class Failure:
    """A source that could not be indexed, and why, in words a user understands."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """One step of an index run; both the CLI bar and the TUI bar consume these."""

    phase: Phase
    done: int
    total: int
    current: str = ""


@dataclass(frozen=True, slots=True)
class IndexReport:
    """The summary of one index run."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    failed: tuple[Failure, ...]
    passages: int
    seconds: float
    rebuilt: bool
    known_failures: tuple[Failure, ...] = ()
    """Files that failed in an earlier run and have not changed since: not read again."""
    skipped: tuple[Failure, ...] = ()
    """Entries of the corpus passed over: links out of it, FIFOs and devices, duplicates."""
    unsupported: tuple[str, ...] = ()
    """Files of a type the tool does not read (.docx, .xlsx, images, …)."""
    notes: tuple[Failure, ...] = ()
    """Files indexed with something a person should know: pages not indexed, pages read by
    OCR, a web page read as plain text or without a main text found (key, what)."""

    @property
    def exit_code(self) -> int:
        return 3 if self.failed or self.known_failures else 0


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass(frozen=True, slots=True)
class Facet:
    name: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True, slots=True)
class Stats:
    documents: int
    passages: int
    by_country: tuple[tuple[str, int], ...]
    by_language: tuple[tuple[str, int], ...]
    by_type: tuple[tuple[str, int], ...]
    passages_by_language: tuple[tuple[str, int], ...]
    index_bytes: int
    last_update: str
    index_dir: str
    unsupported: tuple[tuple[str, int], ...] = ()
    """(suffix, files) in the corpus of types the tool does not read."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a snippet; `match` marks the words the query matched."""

    text: str
    match: bool = False


@dataclass(frozen=True, slots=True)
class SearchRequest:
    text: str = ""
    filters: Values = ()
    """(facet, chosen values), facets named as in `search.fields`."""
    years: YearRange = YearRange()
    sort: Sort = "relevance"
    page: int = 1
    page_size: int = 10
    cross_lingual: bool = False
    """Expand words that name a concept of the glossary into every language."""


@dataclass(frozen=True, slots=True)
class Hit:
    doc_id: str
    passage_id: str
    title: str
    country: tuple[str, ...]
    language: str
    doc_type: str
    year: int | None
    page: int
    heading: str
    source: str
    source_key: str
    url: str
    organisation: tuple[str, ...]
    municipality: tuple[str, ...]
    snippet: tuple[Segment, ...]
    more_in_document: int
    score: float
    text: str
    start: int
    end: int
    extra: Values = ()
    """Values of fields the field table adds beyond these (`search.fields`)."""
    ocr: bool = False
    """The passage was recognised by OCR from a scanned page."""
    copies: tuple[str, ...] = ()
    """Other files of the corpus with the same content (the same report saved twice)."""


@dataclass(frozen=True, slots=True)
class SearchResults:
    request: SearchRequest
    hits: tuple[Hit, ...]
    total_documents: int
    total_passages: int
    facets: tuple[Facet, ...]
    suggestion: str
    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class PageView:
    """One page (PDF) or section (web, text) of a document, as its passages were indexed."""

    number: int
    heading: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """A document as the index holds it: its values (on its first passage's hit), where
    each came from, and its passages in reading order."""

    hit: Hit
    origin: tuple[tuple[str, str], ...]
    passages: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """One answering sentence with its context and where it comes from."""

    sentence: tuple[Segment, ...]
    before: str
    after: str
    hit: Hit
    """The passage (title, country, language, page or heading, path or URL)."""
    score: float
    coverage: float
    phrase: str = ""
    """The words that answer, where the question asks for a number, a year, a name or a
    place ("eleven", "2019", "Jerry Jones"): `answer_span` in JSON, underlined on the card."""
    sure: bool = True
    """False: the sentence holds few of the question's words; offered, and said to be unsure."""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentence)


@dataclass(frozen=True, slots=True)
class AnswerResult:
    question: str
    language: str
    keywords: tuple[str, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    answers: tuple[Answer, ...]
    confident: bool
    """False: "no passage answers this well"; `closest` then holds the nearest passages."""
    closest: tuple[Hit, ...]
    ranked_passages: tuple[Hit, ...]
    """Passages in the order of their best sentence (for evaluation and "more")."""
    elapsed_ms: float


def type_counts(keys: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """(suffix, files) for corpus files of types the tool does not read, most frequent first."""
    counts = Counter(PurePosixPath(k).suffix.lower() or "(no extension)" for k in keys)
    return tuple(counts.most_common())


def unsupported_summary(keys: Iterable[str]) -> str:
    """`3 .xlsx, 1 .pptx`."""
    return ", ".join(f"{n} {suffix}" for suffix, n in type_counts(keys))
