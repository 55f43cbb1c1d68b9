"""The terminal UI (Textual): `tui.py` starts it. It reaches documents only through
`search.service.SearchService` and the plain records of `search.models`."""
