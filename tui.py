"""The terminal UI: search as you type, facets, a reader, Ask mode, reindexing.

    python tui.py [--index DIR] [--corpus DIR]

The UI lives in `ui/` (the app, its widgets, dialogs and reader); this is its entry point.
It reaches documents only through `search.service.SearchService`.
"""

from __future__ import annotations

import argparse
import sys

from search.settings import default_settings
from ui.app import SearchApp, make_app

__all__ = ["SearchApp", "main", "make_app"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Terminal UI for searching the document collection."
    )
    parser.add_argument("--index", metavar="DIR", help="index folder (default: ./index)")
    parser.add_argument("--corpus", metavar="DIR", help="document folder (default: ./corpus)")
    parser.add_argument(
        "--watch",
        action="store_true",
        help="keep the index current as files arrive, change or go (ctrl+g toggles it)",
    )
    args = parser.parse_args(argv)
    make_app(default_settings(args.index, args.corpus), watch=args.watch).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
