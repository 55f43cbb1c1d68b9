"""Copying text to the system clipboard from a terminal program, every way there is.

A terminal takes OSC 52 (the UI sends it); a desktop session takes it through wl-copy
(Wayland) or xclip/xsel (X11); tmux keeps it in its paste buffer. `copy` tries the tools
this machine has and says which of them took the text.
"""

from __future__ import annotations

import os
import shutil
import subprocess

_TOOLS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("wl-copy", "WAYLAND_DISPLAY", ("wl-copy",)),
    ("xclip", "DISPLAY", ("xclip", "-selection", "clipboard")),
    ("xsel", "DISPLAY", ("xsel", "--clipboard", "--input")),
    ("tmux paste buffer", "TMUX", ("tmux", "load-buffer", "-")),
)


def copy(text: str, timeout: float = 2.0) -> list[str]:
    """Hand `text` to every clipboard tool that can work here; the names of those that took it."""
    took: list[str] = []
    for name, needs, argv in _TOOLS:
        if not os.environ.get(needs) or shutil.which(argv[0]) is None:
            continue
        if name in ("xclip", "xsel") and "xclip" in took:
            continue  # one X11 tool is enough
        try:
            done = subprocess.run(
                argv,
                input=text.encode("utf-8"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            took.append(name)
    return took
