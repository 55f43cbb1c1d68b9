"""Multilingual document search: ingest, index, search, facets and answers.

The public API for the CLI and the TUI lives in `search.service`; records in
`search.models`; errors in `search.errors`. Importing this package loads no UI toolkit
and no PDF, HTML or language-detection machinery.
"""

from search.errors import SearchError
from search.models import IndexProgress, IndexReport
from search.settings import Settings, default_settings

__all__ = ["IndexProgress", "IndexReport", "SearchError", "Settings", "default_settings"]
