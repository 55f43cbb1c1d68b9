"""A real terminal for the end-to-end tests and the TUI benchmarks: a program in a
pseudo-terminal, its screen read through a VT100 emulator, keys sent as the bytes a
terminal sends.

The program runs as a separate process (never inside pytest's own process), so what the
tests see is what a person sees: a crash ends the process and shows its traceback.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pexpect
import pyte

PROJECT = Path(__file__).resolve().parent.parent


def _as_a_shell_starts_it() -> None:
    """Give the program the signal handling a person's shell gives a foreground job.

    A program inherits ignored signals: run from a background job or a CI runner that
    ignores SIGINT, `python` would keep ignoring it, and ctrl+c in the terminal would do
    nothing. An interactive shell resets SIGINT and SIGQUIT (and Python's own SIGPIPE and
    SIGXFSZ) to their defaults before it starts a program; so does this.
    """
    for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(number, signal.SIG_DFL)


KEYS = {
    "enter": "\r",
    "tab": "\t",
    "shift+tab": "\x1b[Z",
    "escape": "\x1b",
    "backspace": "\x7f",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "f1": "\x1bOP",
    "f2": "\x1bOQ",
    "f3": "\x1bOR",
    "f4": "\x1bOS",
    "f5": "\x1b[15~",
    "f6": "\x1b[17~",
    "f7": "\x1b[18~",
    "f8": "\x1b[19~",
    "f9": "\x1b[20~",
    "f10": "\x1b[21~",
    "ctrl+e": "\x05",
    "ctrl+l": "\x0c",
    "ctrl+q": "\x11",
    "ctrl+u": "\x15",
    "ctrl+y": "\x19",
    "ctrl+b": "\x02",
    "ctrl+n": "\x0e",
    "ctrl+t": "\x14",
    "ctrl+g": "\x07",
    "ctrl+c": "\x03",
}


class Terminal:
    """One program on a pseudo-terminal of a given size."""

    def __init__(
        self,
        argv: Sequence[str],
        cwd: Path = PROJECT,
        size: tuple[int, int] = (120, 36),
        env: dict[str, str] | None = None,
    ) -> None:
        cols, rows = size
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.output = bytearray()
        environment = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": str(cols),
            "LINES": str(rows),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        environment.pop("TEXTUAL", None)
        self.child = pexpect.spawn(
            argv[0],
            list(argv[1:]),
            cwd=str(cwd),
            env=environment,
            dimensions=(rows, cols),
            timeout=None,
            preexec_fn=_as_a_shell_starts_it,
        )

    # -- reading

    def pump(self, seconds: float = 0.05) -> None:
        """Read whatever the program wrote within `seconds` into the emulated screen."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            try:
                data = self.child.read_nonblocking(65536, timeout=max(0.0, left))
            except pexpect.TIMEOUT:
                return
            except pexpect.EOF:
                return
            self.output.extend(data)
            self.stream.feed(data)
            if time.monotonic() >= end:
                return

    def settle(self, quiet: float = 0.05, at_most: float = 1.0) -> None:
        """Read until the program has written nothing for `quiet` seconds (`at_most` in
        all): the frame being drawn is then whole on the emulated screen."""
        end = time.monotonic() + at_most
        while time.monotonic() < end:
            before = len(self.output)
            self.pump(quiet)
            if len(self.output) == before:
                return

    def text(self) -> str:
        """The screen as a person sees it, one line per row, trailing blanks trimmed."""
        self.pump(0.02)
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(
        self, pattern: str, timeout: float = 20.0, flags: int = 0, whole: bool = True
    ) -> str:
        """Wait until the screen shows `pattern` (a regular expression); returns the screen,
        once the frame that showed it has been read whole (`whole=False`: at once, for a
        benchmark timing the moment it shows)."""
        rx = re.compile(pattern, flags)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.1)
            screen = "\n".join(line.rstrip() for line in self.screen.display)
            if rx.search(screen):
                if not whole:
                    return screen
                # a frame can arrive in pieces: the rest of it, before the screen is read
                self.settle()
                screen = "\n".join(line.rstrip() for line in self.screen.display)
                if rx.search(screen):
                    return screen
            if not self.child.isalive():
                self.pump(0.2)
                break
        raise AssertionError(
            f"waited {timeout:.0f} s for {pattern!r}; the screen shows:\n{self.text()}\n"
            f"--- program alive: {self.child.isalive()}; its last output:\n"
            f"{self.printed()[-800:]}"
        )

    def wait_gone(self, pattern: str, timeout: float = 20.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.text()
            if not re.search(pattern, screen):
                return screen
            self.pump(0.1)
        raise AssertionError(f"{pattern!r} still on screen after {timeout:.0f} s:\n{self.text()}")

    def printed(self) -> str:
        """Everything the program wrote, escape sequences removed (for tracebacks)."""
        raw = self.output.decode("utf-8", "replace")
        return re.sub(r"\x1b\[[0-9;?<>=]*[a-zA-Z~]|\x1b[()][0-9A-Z]|\x1b[=>OP]", "", raw)

    # -- typing

    def press(self, *keys: str, pause: float = 0.15) -> None:
        for key in keys:
            self.child.send(KEYS.get(key, key))  # a name, or a character as typed
            self.pump(pause)

    def type(self, text: str, pause: float = 0.05) -> None:
        self.child.send(text)
        self.pump(pause)

    # -- ending

    def alive(self) -> bool:
        return bool(self.child.isalive())

    def close(self) -> None:
        if self.child.isalive():
            self.child.send(KEYS["ctrl+q"])
            end = time.monotonic() + 5
            while self.child.isalive() and time.monotonic() < end:
                self.pump(0.1)
        self.child.close(force=True)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tui(
    index: Path,
    corpus: Path | None = None,
    size: tuple[int, int] = (120, 36),
    cwd: Path = PROJECT,
    options: Sequence[str] = (),
) -> Terminal:
    """`python tui.py` on an index (and corpus), as a person starts it from `cwd`."""
    argv = [sys.executable, str(PROJECT / "tui.py"), "--index", str(index), *options]
    if corpus is not None:
        argv += ["--corpus", str(corpus)]
    return Terminal(argv, cwd=cwd, size=size)


def cli(*args: str, cwd: Path = PROJECT, timeout: float = 120.0) -> tuple[int, str]:
    """`python -m search ARGS` in a pseudo-terminal: exit code and what it printed."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "search", *args],
        cwd=str(cwd),
        env={**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(PROJECT)},
        dimensions=(40, 120),
        timeout=timeout,
        preexec_fn=_as_a_shell_starts_it,
        encoding="utf-8",
        codec_errors="replace",
    )
    out = child.read()
    child.close()
    code = child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0)
    return int(code), out.replace("\r\n", "\n")
