"""The terminal UI: search as you type, facets, a reader, Ask mode, reindexing.

    python tui.py [--index DIR] [--corpus DIR]

The UI lives in `ui/` (the app, its widgets, dialogs and reader); this is its entry point.
It reaches documents only through `search.service.SearchService`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from search.settings import Settings
    from ui.app import SearchApp

__all__ = ["SearchApp", "main", "make_app"]


def make_app(settings: Settings, show_timing: bool = True, watch: bool = False) -> SearchApp:
    """The app over an explicit index and corpus (tests point it at fixture data)."""
    from ui import app

    return app.make_app(settings, show_timing=show_timing, watch=watch)


def __getattr__(name: str) -> Any:
    # The UI is imported when it is used, not when this file is: extraction workers load the
    # program's main file again, and must not pay for Textual.
    if name == "SearchApp":
        from ui.app import SearchApp

        return SearchApp
    raise AttributeError(name)


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
    from search.settings import default_settings

    make_app(default_settings(args.index, args.corpus), watch=args.watch).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
