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
        "import search, search.service, search.cli, search.engine"
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
        "from search.engine import Engine\nfrom search.cli import cmd_query\nimport search.render"
    )
    assert not loaded & {"pypdf", "trafilatura", "langdetect", "lxml", "httpx"}


def test_tui_imports_only_the_public_search_api() -> None:
    tree = ast.parse((PROJECT / "tui.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    roots = {name.split(".")[0] for name in imported}
    assert not roots & {"whoosh", "pypdf", "langdetect", "trafilatura"}
    assert {name for name in imported if name.startswith("search")} <= {
        "search",
        "search.service",
        "search.models",
        "search.errors",
        "search.settings",
        "search.render",
    }
