"""Damage to an index, reported as such: one line naming the repair, never a library's
traceback. No Whoosh here, so the front door can use it without loading the index code."""

from __future__ import annotations

import functools
import pickle
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from search.errors import IndexDamagedError

P = ParamSpec("P")
R = TypeVar("R")

DAMAGE = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError)
"""What reading a damaged index raises: files deleted, truncated or overwritten."""


def damaged(index_dir: Path, exc: BaseException) -> IndexDamagedError:
    return IndexDamagedError(
        f"the index in {index_dir} cannot be read ({type(exc).__name__}: {exc}): "
        "run `python -m search doctor --repair` to rebuild it"
    )


def reads_index(method: Callable[P, R]) -> Callable[P, R]:
    """A read of the index that meets damage raises IndexDamagedError naming the repair,
    never a library's traceback. The decorated method's first argument has `settings`."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except DAMAGE as exc:
            settings = getattr(args[0], "settings", args[0])
            raise damaged(getattr(settings, "index_dir", Path("index")), exc) from exc

    return wrapper
