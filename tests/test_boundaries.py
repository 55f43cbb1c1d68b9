"""The headless core stays headless, and the UI goes through the public API only."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import PROJECT


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    return {m.split(".")[0] for m in done.stdout.split()}


def test_importing_search_loads_no_ui_toolkit() -> None:
    assert "textual" not in _loaded_after(
        "import search, search.service, search.cli, search.retrieval.engine"
    )


def test_no_module_under_search_imports_textual() -> None:
    for path in (PROJECT / "search").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            assert not any(n.split(".")[0] == "textual" for n in names), path


def test_answering_a_query_loads_no_extraction_machinery() -> None:
    loaded = _loaded_after(
        "from search.retrieval.engine import Engine\nfrom search.cli import cmd_query\nimport search.render"
    )
    assert not loaded & {"pypdf", "trafilatura", "langdetect", "lxml", "httpx"}


def _ui_files() -> list[object]:
    return [PROJECT / "tui.py", *sorted((PROJECT / "ui").glob("*.py"))]


def test_the_ui_imports_no_library_of_the_pipeline() -> None:
    for path in _ui_files():
        roots = {name.split(".")[0] for name in _imports_of(path)}
        assert not roots & {"whoosh", "pypdf", "langdetect", "trafilatura", "numpy", "httpx"}, path


def _imports_of(path: object) -> set[str]:
    from pathlib import Path

    assert isinstance(path, Path)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "search":
                names |= {f"search.{a.name}" for a in node.names}
    return names


STAGES = ("text", "ingest", "indexing", "retrieval")
MAY_USE = {
    "text": set(),
    "ingest": {"text"},
    "indexing": {"text", "ingest"},
    "retrieval": {"text", "indexing"},
}
"""The pipeline's folders, each using only those before it (and models, errors, settings)."""
LIBRARIES = {
    "whoosh": {"text", "indexing", "retrieval"},
    "pypdf": {"ingest"},
    "trafilatura": {"ingest"},
    "httpx": {"ingest"},
    "langdetect": {"text"},
}


def test_the_pipeline_folders_import_only_downwards() -> None:
    for stage in STAGES:
        for path in (PROJECT / "search" / stage).rglob("*.py"):
            for name in _imports_of(path):
                parts = name.split(".")
                if parts[0] == "search" and len(parts) > 1:
                    assert parts[1] in {
                        stage,
                        *MAY_USE[stage],
                        "models",
                        "fields",
                        "errors",
                        "settings",
                        "data",
                    }, f"{path.relative_to(PROJECT)} imports {name}"
                if parts[0] in LIBRARIES:
                    assert stage in LIBRARIES[parts[0]], (
                        f"{path.relative_to(PROJECT)} imports {name}"
                    )


def test_the_top_of_the_package_uses_no_library_directly() -> None:
    for path in (PROJECT / "search").glob("*.py"):
        roots = {name.split(".")[0] for name in _imports_of(path)}
        assert not roots & set(LIBRARIES), f"{path.name} imports {roots & set(LIBRARIES)}"


FRONT_DOOR = {
    "search.service",
    "search.models",
    "search.fields",
    "search.errors",
    "search.settings",
    "search.render",
}
"""What a front end may import of the package: the service, its plain records and the field
table, and `render` (text, JSON, CSV of those records; it touches no index). The TUI also
uses `search.clipboard`."""


def test_the_cli_the_tui_and_the_benchmarks_go_through_the_front_door() -> None:
    fronts = [
        (PROJECT / "search" / "cli.py", set()),
        *((path, {"search.clipboard"}) for path in _ui_files()),
        *((path, set()) for path in sorted((PROJECT / "bench").glob("*.py"))),
    ]
    for path, extra in fronts:
        used = {n for n in _imports_of(path) if n.startswith("search.")}
        assert used <= FRONT_DOOR | extra, f"{path} imports {used - FRONT_DOOR - extra}"


def test_importing_the_tui_loads_no_index_code_until_an_index_is_opened() -> None:
    loaded = _loaded_after("import tui, ui.app\nimport search.service, search.cli")
    assert not loaded & {"whoosh", "pypdf", "langdetect", "trafilatura", "httpx", "numpy"}


def test_the_tui_file_loads_no_ui_toolkit_until_the_app_is_made() -> None:
    # extraction workers load the program's main file again: a worker started by F5 must
    # not pay for Textual (it made F5 on one new file wait 0.2 s more)
    assert "textual" not in _loaded_after("import tui")
    assert "textual" in _loaded_after("import tui\ntui.SearchApp")


def test_the_app_class_stays_small_its_parts_are_widgets() -> None:
    tree = ast.parse((PROJECT / "ui" / "app.py").read_text(encoding="utf-8"))
    app = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "SearchApp")
    assert app.end_lineno is not None and app.end_lineno - app.lineno + 1 < 250
