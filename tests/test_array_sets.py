"""The search's own set operations agree with numpy's (`np.unique`, `np.diff`) on any
values, repeats, runs at the edges and empty arrays included."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from search.retrieval.array_sets import distinct, firsts, runs, sorted_distinct

values = st.lists(st.integers(min_value=-5, max_value=40), max_size=60).map(
    lambda v: np.array(v, dtype=np.int64)
)


@given(values)
def test_distinct_values_are_numpys_unique(v: np.ndarray) -> None:
    assert sorted_distinct(v).tolist() == np.unique(v).tolist()
    assert distinct(np.sort(v)).tolist() == np.unique(v).tolist()


@given(values)
def test_where_each_value_is_first_met_is_numpys(v: np.ndarray) -> None:
    _, first = np.unique(v, return_index=True)
    assert firsts(v).tolist() == first.tolist()


@given(st.lists(st.booleans(), max_size=60))
def test_runs_begin_and_end_where_the_mask_changes(mask: list[bool]) -> None:
    inside = np.array(mask, dtype=bool)
    starts, ends = runs(inside)
    rebuilt = np.zeros(len(mask), dtype=bool)
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        assert s < e
        assert not rebuilt[s:e].any()
        rebuilt[s:e] = True
    assert rebuilt.tolist() == mask
    assert all(s == 0 or not mask[s - 1] for s in starts.tolist())
    assert all(e == len(mask) or not mask[e] for e in ends.tolist())
