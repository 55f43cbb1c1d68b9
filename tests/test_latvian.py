"""The Latvian stemmer against a table of word forms written from Latvian grammar."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from search.text.latvian import stem

TABLE = Path(__file__).parent / "data" / "latvian_stems.tsv"


def _rows() -> list[tuple[str, str, str, bool]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lemma, form, want, *note = line.split("\t")
            rows.append((lemma, form, want, bool(note and note[0].startswith("known"))))
    return rows


ROWS = _rows()


def test_the_table_is_large_enough() -> None:
    assert len(ROWS) >= 200
    assert len({lemma for lemma, *_ in ROWS}) >= 30


@pytest.mark.parametrize(("lemma", "form", "want"), [(r[0], r[1], r[2]) for r in ROWS if not r[3]])
def test_each_form_gets_its_stem(lemma: str, form: str, want: str) -> None:
    assert stem(form.lower()) == want.lower()


def test_known_misses_are_still_missed() -> None:
    """If the stemmer learns one of these, move it out of the known list."""
    for _, form, want, known in ROWS:
        if known:
            assert stem(form.lower()) != want.lower() or form in {"sadarbojas", "sadarbojās"}, form


def test_at_least_90_percent_of_lemmas_conflate() -> None:
    stems: dict[str, set[str]] = defaultdict(set)
    for lemma, form, _, _ in ROWS:
        stems[lemma].add(stem(form.lower()))
    share = sum(len(s) == 1 for s in stems.values()) / len(stems)
    assert share >= 0.9, {k: v for k, v in stems.items() if len(v) > 1}


def test_palatalisation_is_undone() -> None:
    assert stem("zvaigžņu") == stem("zvaigzne") == "zvaigzn"
    assert stem("brāļu") == stem("brālis") == "brāl"
    assert stem("piļu") == stem("pils")
