"""One base error for everything the user may see, with narrow subclasses.

Library exceptions (pypdf, whoosh, httpx, tomllib) are caught at the edge of the module
that uses the library and re-raised as one of these, with a message a person can act on.
"""

from __future__ import annotations


class SearchError(Exception):
    """Base of every error this package raises on purpose."""

    title = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ExtractionError(SearchError):
    """A source could not be turned into text (encrypted, corrupt, no text layer, …)."""

    title = "Could not read the document"


class MetadataError(SearchError):
    """A sidecar or folder metadata file is malformed or names an unknown field."""

    title = "Bad metadata"


class QuerySyntaxError(SearchError):
    """The user's query cannot be parsed; the message says what and where."""

    title = "Query error"


class IndexMissingError(SearchError):
    """No index has been built yet at the expected place."""

    title = "No index"


class IndexLockedError(SearchError):
    """Another process holds the writer lock."""

    title = "Index busy"


class FetchError(SearchError):
    """A URL could not be fetched within the limits."""

    title = "Could not fetch the page"


class IndexFolderError(SearchError):
    """The index folder is not the tool's own, or belongs to another corpus."""

    title = "Not this index's folder"


class IndexDamagedError(SearchError):
    """The index (or its manifest) cannot be read: files deleted, truncated or corrupt."""

    title = "Index damaged"


class IndexWriteError(SearchError):
    """The index could not be written (disk full, read-only folder); the old one stands."""

    title = "Could not write the index"
