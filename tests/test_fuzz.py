"""Bounded fuzzing: mutated real PDFs, random HTML, random sidecars and random queries.

Nothing may raise anything but the project's own errors, or take longer than the per-file
limit. The bounded runs here take seconds; `make fuzz` runs them with FUZZ_SCALE=20."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.errors import QuerySyntaxError, SearchError
from search.ingest.extract import process_file
from search.models import SearchRequest
from search.retrieval.engine import Engine
from search.settings import Limits
from tests.conftest import FUZZ_SCALE, TESTDATA

SEEDS = [
    TESTDATA / "pdf/sv/SFS2019-614.pdf",
    TESTDATA / "pdf/ru/fstec_1_cut.pdf",
    TESTDATA / "pdf/en/scotus-transcript-p1.pdf",
]
SECONDS = 20
FAST = settings(
    max_examples=25 * FUZZ_SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expired(*_: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _extract(path: Path) -> None:
    # a SearchError is a failure reported with its reason: exactly what a bad file should get
    with time_limit(SECONDS), contextlib.suppress(SearchError):
        process_file(path, path.name, path.parent, Limits())


@FAST
@given(
    seed=st.sampled_from(SEEDS),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=40),
    cut=st.floats(0.2, 1.0),
)
def test_mutated_pdfs_fail_cleanly(
    tmp_path: Path, seed: Path, flips: list[tuple[float, int]], cut: float
) -> None:
    data = bytearray(seed.read_bytes())
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    path = tmp_path / "mutated.pdf"
    path.write_bytes(bytes(data[: max(1, int(len(data) * cut))]))
    _extract(path)


@FAST
@given(
    body=st.text(
        alphabet=st.sampled_from(list("<>/=\"' abcdefhlmnoprstuvyåäöāēīšžёжщ\n&;#")), max_size=400
    )
)
def test_random_html_fails_cleanly(tmp_path: Path, body: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        f"<html><head><title>x</title></head><body>{body}</body></html>", encoding="utf-8"
    )
    _extract(path)


@FAST
@given(sidecar=st.text(max_size=200))
def test_random_sidecars_fail_cleanly(tmp_path: Path, sidecar: str) -> None:
    path = tmp_path / "doc.md"
    path.write_text(
        "# Rubrik\n\nKommunen och det sociala företaget samarbetar sedan länge.\n", encoding="utf-8"
    )
    (tmp_path / "doc.md.meta.toml").write_text(sidecar, encoding="utf-8")
    _extract(path)


@settings(
    max_examples=150 * FUZZ_SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.lists(
        st.sampled_from(
            [*"ab \"()-*~:.,'äšё19", "kommun", "country:", "year:", " OR ", "lang:", "..", " "]
        ),
        max_size=12,
    ).map("".join)
)
def test_random_queries_answer_or_explain(engine: Engine, text: str) -> None:
    try:
        engine.search(SearchRequest(text=text))
    except QuerySyntaxError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_the_seeds_exist() -> None:
    assert all(p.is_file() for p in SEEDS), "real test data missing"


WORDS = [
    "harbour", "Harbours", "kommun", "Kommunen", "pašvaldība", "Pasvaldibam", "году",
    "Ёлки", "елка", "gick", "går", "Šis", "K", "ﬁnanser", "ｓocial", "_x", "x",
    "7", "7,9", "12", "000", "1,000", "2020",
]  # fmt: skip
GLUE = ["", " ", "  ", "\u00a0", "\n", "'", "’", "''", "-", ",", ".", ", ", "\u0301", "_"]


@settings(max_examples=200 * FUZZ_SCALE, deadline=None)
@given(
    pieces=st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GLUE)), max_size=14),
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3),
    language=st.sampled_from(["sv", "lv", "ru", "en", "be"]),
)
def test_marking_found_words_is_marking_every_token(
    pieces: list[tuple[str, str]], picks: list[int], language: str
) -> None:
    """The words a snippet marks, found by the pattern of the query's first letters, are
    those that analysing every token of the text marks, whatever the text: words run
    together, after apostrophes, digits, numbers and accents."""
    from search.retrieval.highlight import Marker
    from search.text.analysis import (
        FOLDED_FIELD,
        LANGUAGE_FIELDS,
        analyze_token,
        folded_term,
        tokens,
    )

    text = "".join(word + glue for word, glue in pieces)
    toks = tokens(text)
    if not toks:
        return
    field = LANGUAGE_FIELDS.get(language, "text_other")
    key = language if language in LANGUAGE_FIELDS else "other"
    terms: set[tuple[str, str]] = set()
    for pick in picks:
        word = toks[pick % len(toks)][0]
        own = analyze_token(key, word)
        terms |= {(FOLDED_FIELD, folded_term(language, word))} | ({(field, own)} if own else set())
    every, some = Marker(terms), Marker(terms)
    assert some.spans(text, language) == every.spans(text, language, toks)
