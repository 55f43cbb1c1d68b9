"""What reaches outside the terminal: a viewer at a page, the clipboard, an export file."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from textual.app import App

from search import clipboard, render
from search.models import AnswerResult, Hit, SearchRequest
from search.service import SearchService


def viewer_command(path: Path, page: int) -> list[str] | None:
    """A command that opens a file at a page in whatever viewer this machine has."""
    if path.suffix.lower() == ".pdf":
        for name, args in (
            ("evince", ["-i", str(page)]),
            ("okular", ["-p", str(page)]),
            ("zathura", ["-P", str(page)]),
        ):
            if shutil.which(name):
                return [name, *args, str(path)]
    for opener in ("xdg-open", "open"):
        if shutil.which(opener):
            return [opener, str(path)]
    return None


def open_at(path: Path, page: int) -> bool:
    """Start a viewer on the file (detached); False when this machine has none."""
    command = viewer_command(path, page)
    if command is None:
        return False
    subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    return True


def copy(app: App[None], text: str) -> None:
    """Put text on the clipboard every way this machine offers, and say which took it:
    the terminal's (OSC 52, which terminals and tmux may take) and the first clipboard tool."""
    app.copy_to_clipboard(text)
    took = clipboard.copy(text)
    if took:
        app.notify(f"Copied ({', '.join(took)}): {text}", timeout=4)
        return
    app.notify(
        "Sent to the terminal's clipboard (OSC 52); if it does not paste, this terminal does "
        f"not accept it and no xclip, xsel or wl-copy is installed. {text}",
        severity="warning",
        timeout=8,
    )


def show_source(app: App[None], corpus: Path, hit: Hit, page: int) -> None:
    """Open a hit's file in the system's viewer (at the page), and say so."""
    path = corpus / hit.source_key
    if not open_at(path, page):
        app.notify(f"No viewer found on this machine; the file is {path}", severity="warning")
        return
    at = f" at page {page}" if hit.source == "pdf" else ""
    app.notify(f"Opening {hit.source_key}{at}")


def export_to(
    folder: Path,
    fmt: str,
    service: SearchService,
    request: SearchRequest,
    answer: AnswerResult | None,
) -> Path:
    """Write every result of the request (or the answers) with citations; the file's path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{'answers' if answer else 'search-results'}-{stamp}.{fmt}"
    if answer is not None:
        data = render.answers_export(answer, fmt)
    else:
        data = service.export(request, fmt)
    path.write_text(data, encoding="utf-8")
    return path
