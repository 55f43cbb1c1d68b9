"""Set operations on the small arrays of one search, in a few numpy calls each.

`np.unique` and `np.diff` are Python functions over numpy's: on the few hundred values
a search hands them they cost more than the work (`np.unique` of 300 values, 18 µs
warm; a numpy call costs several times as much again when other programs have just run,
which is how a person's search meets it). These do the same with a sort, a comparison
and an index.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Ints = NDArray[np.int64] | NDArray[np.intp]


def distinct(ascending: Ints) -> Ints:
    """An ascending array without its repeats (`np.unique` of sorted values)."""
    return ascending[_firsts_of_runs(ascending)] if len(ascending) > 1 else ascending


def sorted_distinct(values: Ints) -> Ints:
    """The distinct values, ascending (`np.unique`)."""
    ordered = values.copy()
    ordered.sort()
    return distinct(ordered)


def firsts(values: Ints) -> Ints:
    """Where each distinct value is first met, by value (`np.unique(…, return_index=True)`)."""
    order = values.argsort(kind="stable")
    return order[_firsts_of_runs(values[order])] if len(order) > 1 else order


def _firsts_of_runs(ascending: Ints) -> NDArray[np.bool_]:
    """Whether each value differs from the one before it (the first: True)."""
    keep = np.empty(len(ascending), dtype=bool)
    keep[0] = True
    np.not_equal(ascending[1:], ascending[:-1], out=keep[1:])
    return keep


def runs(inside: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Where each run of True begins and ends (the places outside the array are False)."""
    padded = np.zeros(len(inside) + 2, dtype=bool)
    padded[1:-1] = inside
    edges = (padded[1:] != padded[:-1]).nonzero()[0]
    return edges[0::2], edges[1::2]
