"""Imported by the extraction fork server (`workers`): what every worker needs, loaded once.

A worker forked from the server starts with the parsers imported and langdetect's profiles
and the place gazetteer read (together about 0.6 s a process), instead of loading them
again for each index run.
"""

from __future__ import annotations

import search.ingest.extract.html
import search.ingest.extract.office
import search.ingest.extract.pdf
import search.ingest.extract.text  # noqa: F401
from search.text import language, places

language.warm_up()
places.gazetteer()
