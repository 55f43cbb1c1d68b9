"""Multilingual document search: ingest, index, search, facets and answers.

The front door is `SearchService` (in `search.service`): the CLI, the TUI and anything
else outside the package use it, with the records of `search.models`, the errors of
`search.errors` and the paths and limits of `search.settings`. Importing this package
loads no UI toolkit and none of the index, PDF, HTML or language-detection machinery.
"""

from search.errors import SearchError
from search.models import IndexProgress, IndexReport
from search.service import SearchService
from search.settings import Settings, default_settings

__all__ = [
    "IndexProgress",
    "IndexReport",
    "SearchError",
    "SearchService",
    "Settings",
    "default_settings",
]
