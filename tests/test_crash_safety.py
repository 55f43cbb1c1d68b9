"""Kill an index run at varied moments: the index always opens, passes the doctor's
consistency check, and answers as before the run or as after it, nothing in between."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.indexing.doctor import check
from search.models import SearchRequest
from search.service import open_search, run_index
from search.settings import Settings
from tests.conftest import FUZZ_SCALE, PROJECT, settings_for
from tests.fixture_corpus import write_fixture_corpus

PROBES = ("Valmierā", "kommunen", "zebraord", "Anteckning", "Минске")
# kill moments from early extraction to the commit; FUZZ_SCALE spreads more over that span
DELAYS = tuple(round(0.5 + 1.5 * i / max(1, 3 * FUZZ_SCALE - 1), 2) for i in range(3 * FUZZ_SCALE))


def _answers(settings: Settings) -> tuple[tuple[str, int], ...]:
    engine = open_search(settings)
    try:
        return tuple((p, engine.search(SearchRequest(text=p)).total_documents) for p in PROBES)
    finally:
        engine.close()


# the command line with every update written by two processes (`indexer.SHARED_FROM`)
IN_TWO_PROCESSES = (
    "import runpy, sys; import search.indexing.indexer as indexer; indexer.SHARED_FROM = 1; "
    "sys.argv[0] = 'search'; runpy.run_module('search', run_name='__main__')"
)


def _killed_run(settings: Settings, delay: float, rebuild: bool, shared: bool = False) -> None:
    args = [
        sys.executable,
        *(["-c", IN_TWO_PROCESSES] if shared else ["-m", "search"]),
        "--corpus",
        str(settings.corpus_dir),
        "--index",
        str(settings.index_dir),
        "index",
        *(["--rebuild"] if rebuild else []),
    ]
    proc = subprocess.Popen(args, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """An index of the 'before' corpus, and the corpus changed for the run to be killed."""
    root = tmp_path_factory.mktemp("crash")
    corpus = write_fixture_corpus(root / "corpus")
    for n in range(80):
        (corpus / f"note-{n:03}.md").write_text(
            f"# Anteckning {n}\n\nKommunen träffar företaget.\n"
        )
    before = settings_for(corpus, root / "before-index")
    run_index(before)
    for n in range(80, 140):  # the change: new files, a changed one, a removed one
        (corpus / f"note-{n:03}.md").write_text(f"# Anteckning {n}\n\nEtt zebraord i texten.\n")
    riga = corpus / "lv/riga.md"
    riga.write_text(riga.read_text(encoding="utf-8") + "\nzebraord\n", encoding="utf-8")
    (corpus / "note-000.md").unlink()
    return before, root


@pytest.mark.slow  # `make fuzz` runs it with 20 times the kill moments
@pytest.mark.parametrize(
    ("rebuild", "shared"),
    [(False, False), (True, False), (False, True)],
    ids=["incremental", "rebuild", "incremental-in-two-processes"],
)
def test_killed_runs_leave_before_or_after_never_between(
    states: tuple[Settings, Path], rebuild: bool, shared: bool
) -> None:
    before, root = states
    before_answers = _answers(before)
    after = settings_for(before.corpus_dir, root / f"after-{rebuild}-{shared}")
    shutil.copytree(before.index_dir, after.index_dir)
    run_index(after, rebuild=rebuild)
    after_answers = _answers(after)
    assert before_answers != after_answers
    seen = set()
    for delay in DELAYS:
        victim = settings_for(before.corpus_dir, root / f"victim-{rebuild}-{shared}-{delay}")
        shutil.copytree(before.index_dir, victim.index_dir)
        _killed_run(victim, delay, rebuild, shared)
        answers = _answers(victim)
        assert answers in (before_answers, after_answers), (delay, answers)
        seen.add(answers == after_answers)
        problems = {f.kind for f in check(victim)} - {
            "stale-lock",
            "leftover-generation",
            "new-source",
            "stale-source",
            "removed-source",
        }
        assert not problems, problems  # the index and its manifest agree with each other
        assert run_index(victim).exit_code == 0  # and the next run completes the work
        assert _answers(victim) == after_answers
