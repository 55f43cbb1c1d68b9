"""`ask` on public questions the team did not write, beside a plain BM25 sentence baseline.

Data: 12 SQuAD v1.1 *train* articles (489 English Wikipedia paragraphs, 2,623 questions;
tests/data/real/qa, CC BY-SA 4.0); the SQuAD dev articles, XQuAD and XQuAD-R are held out
for independent evaluation and not used. Each paragraph is indexed as one file. The
articles are split in two halves by name: the development half (tuning allowed) and the
test half (reported, never tuned on).

Per half: answer@1 (the gold answer text is in the first answering sentence), answer@3 (in
one of the first three), doc@1 (the first ranked passage is the question's paragraph) and
refusals ("No passage answers this well"). Baseline, measured in the same run: SQLite FTS5
over the paragraphs' sentences with the Porter stemmer, ranked by bm25 for the question's
words OR-ed; its first sentence is its answer and its paragraph its doc@1.

The same questions as keyword searches (`query`), the question's words OR-ed: the rank of
the question's paragraph among the documents found (R@1, MRR@10), beside FTS5 bm25 over
the whole paragraphs (Porter) for the same words.

Latvian, Swedish and Russian: no public question set with a licence was found, so the team
wrote questions over real public documents of each language (tests/data/team_questions.json,
the documents in tests/data/real), halves by document, before any tuning on them, and
questions no document answers, to measure refusals. The baseline there: FTS5 bm25 over the
documents' sentences, each word reduced by the language's stemmer alone (Snowball for sv and
ru, the light Latvian stemmer), the question's words OR-ed.

`python -m bench.public_qa` prints both tables (about five minutes).
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from search.models import SearchRequest
from search.service import SearchService
from search.settings import PROJECT_ROOT, Settings

DATA = PROJECT_ROOT / "tests" / "data" / "real" / "qa" / "squad11_train_excerpt_en.json"
TEAM = PROJECT_ROOT / "tests" / "data" / "team_questions.json"
REAL = PROJECT_ROOT / "tests" / "data" / "real"
LANGUAGES = ("lv", "sv", "ru")
TEST_HALF = ("Dutch_language", "Financial_crisis", "Gregorian", "Imamah", "Oklahoma", "Post-punk")
"""Articles (by name prefix) reported and never tuned on; the other six are for tuning."""

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ANY_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"\w+")


def _articles() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["data"]
    return data


def half_of(title: str) -> str:
    return "test" if title.startswith(TEST_HALF) else "dev"


def _corpus(folder: Path) -> list[tuple[str, str, str, str]]:
    """Writes one file per paragraph; returns (half, file name, question, answer) rows."""
    rows = []
    for article in _articles():
        for n, paragraph in enumerate(article["paragraphs"]):
            name = f"{article['title']}-{n:03d}.txt"
            (folder / name).write_text(paragraph["context"] + "\n", encoding="utf-8")
            for qa in paragraph["qas"]:
                rows.append(
                    (half_of(article["title"]), name, qa["question"], qa["answers"][0]["text"])
                )
    return rows


Terms = Callable[[str, str], str]
"""(language, text) → what the baseline indexes and asks: its words reduced by the stemmer."""


class Bm25Baseline:
    """BM25 over pieces of text, sentences or whole passages (SQLite FTS5). Without `terms`,
    FTS5's own Porter stemmer reads the text (English); with it, the pieces and the question
    are reduced to their stems first (FTS5 has no Latvian, Swedish or Russian stemmer)."""

    def __init__(self, sentences: Iterable[tuple[str, str, str]], terms: Terms | None = None):
        """`sentences`: (language, piece of text, file)."""
        self.terms = terms
        self.db = sqlite3.connect(":memory:")
        tokenize = "porter" if terms is None else "unicode61"
        self.db.execute(
            f"CREATE VIRTUAL TABLE s USING fts5(words, text UNINDEXED, file UNINDEXED, "
            f"tokenize='{tokenize}')"
        )
        with self.db:
            for language, sentence, file in sentences:
                words = terms(language, sentence) if terms else sentence
                self.db.execute("INSERT INTO s VALUES (?, ?, ?)", (words, sentence, file))

    def best(self, question: str, language: str = "en", top: int = 3) -> list[tuple[str, str]]:
        """The `top` pieces (text, file) for the question's words OR-ed, best first."""
        asked = self.terms(language, question) if self.terms else question
        words = _any_of(asked)
        if not words:
            return []
        rows = self.db.execute(
            "SELECT text, file FROM s WHERE s MATCH ? ORDER BY bm25(s) LIMIT ?", (words, top)
        ).fetchall()
        return [(str(text), str(file)) for text, file in rows]


def _any_of(question: str) -> str:
    """The question's words OR-ed, each quoted (as a person would type them)."""
    return " OR ".join(f'"{w}"' for w in _WORD.findall(question))


def _paragraph_sentences(folder: Path) -> Iterator[tuple[str, str, str]]:
    for path in sorted(folder.glob("*.txt")):
        for sentence in _SENTENCE.split(path.read_text(encoding="utf-8").strip()):
            yield "en", sentence, path.name


Totals = dict[str, dict[str, dict[str, float]]]


def _count(
    sums: Totals, system: str, half: str, gold: str, doc: str, sentences: list[str],
    first_doc: str, refused: bool,
) -> None:  # fmt: skip
    totals = sums[system].setdefault(
        half, {"n": 0.0, "answer@1": 0.0, "answer@3": 0.0, "doc@1": 0.0, "refused": 0.0}
    )
    found = [gold.lower() in s.lower() for s in sentences]
    totals["n"] += 1
    totals["answer@1"] += bool(found[:1] and found[0])
    totals["answer@3"] += any(found[:3])
    totals["doc@1"] += first_doc == doc
    totals["refused"] += refused


def _rank(sums: Totals, system: str, half: str, gold: str, ranked: list[str]) -> None:
    """Keyword search for the question's paragraph: R@1 and MRR@10."""
    _found_at(sums, system, half, [name == gold for name in ranked])


def _found_at(sums: Totals, system: str, half: str, right: list[bool]) -> None:
    """R@1 and MRR@10 of a ranking, given which of its places are right."""
    totals = sums[system].setdefault(half, {"n": 0.0, "R@1": 0.0, "MRR@10": 0.0})
    totals["n"] += 1
    totals["R@1"] += right[:1] == [True]
    totals["MRR@10"] += 1 / (right.index(True) + 1) if True in right[:10] else 0.0


def _shares(sums: Totals) -> Totals:
    return {
        system: {
            half: {m: round(v / t["n"], 3) for m, v in t.items() if m != "n"} | {"n": t["n"]}
            for half, t in halves.items()
        }
        for system, halves in sums.items()
    }


def team_questions() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TEAM.read_text(encoding="utf-8"))
    return data


def team_service(folder: Path) -> SearchService:
    """The team's documents copied to `folder/corpus` (one folder a language) and indexed."""
    corpus = folder / "corpus"
    for language, documents in team_questions()["documents"].items():
        for rel in documents:
            target = corpus / language / Path(rel).name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((REAL / rel).read_bytes())
    service = SearchService(Settings(index_dir=folder / "index", corpus_dir=corpus))
    report = service.run_index()
    assert not report.failed, report.failed
    service.prepare_analysis()
    return service


def evaluate_languages() -> Totals:
    """{system: {"<lang> <half>": {metric: share}}} on the team's Latvian, Swedish and Russian
    questions; "<lang> unanswerable" counts refusals of questions no document answers."""
    data = team_questions()
    sums: Totals = {"project": {}, "baseline": {}}
    with tempfile.TemporaryDirectory(prefix="team-qa-") as name:
        service = team_service(Path(name))
        sentences = [
            (p.language, sentence, src.key)
            for src in service.corpus_files()
            for p in service.read(src).passages
            for sentence in _ANY_SENTENCE.split(p.text)
            if sentence.strip()
        ]

        def stems(language: str, text: str) -> str:
            return " ".join(
                service.index_term(language, w, dictionary=False) for w in _WORD.findall(text)
            )

        baseline = Bm25Baseline(sentences, stems)
        passages = Bm25Baseline(
            ((p.language, p.text, src.key) for src in service.corpus_files()
             for p in service.read(src).passages),
            stems,
        )  # fmt: skip
        for q in data["questions"]:
            language = q["lang"]
            doc = f"{language}/{Path(q['doc']).name}" if q["doc"] else ""
            half = f"{language} {data['documents'][language][q['doc']]}" if doc else ""
            result = service.ask(q["question"])
            ranked = result.ranked_passages or result.closest
            base = baseline.best(q["question"], language)
            if not doc:  # no document answers it: only a refusal is right
                for system, refused in (("project", not result.confident), ("baseline", False)):
                    _count(sums, system, f"{language} unanswerable", "\0", "", [], "", refused)
                continue
            _count(
                sums, "project", half, q["answer"], doc, [a.text for a in result.answers],
                ranked[0].source_key if ranked else "", not result.confident,
            )  # fmt: skip
            _count(
                sums, "baseline", half, q["answer"], doc, [t for t, _ in base],
                base[0][1] if base else "", False,
            )  # fmt: skip
            # the question typed as a keyword search: is the passage holding the answer first?
            gold = q["answer"].lower()
            hits = service.engine.retrieve(SearchRequest(text=_any_of(q["question"])), 10)
            _found_at(sums, "project", f"{half} search", [gold in h.text.lower() for h in hits])
            bm25 = passages.best(q["question"], language, top=10)
            _found_at(sums, "baseline", f"{half} search", [gold in t.lower() for t, _ in bm25])
        service.close()
    return _shares(sums)


def evaluate(limit: int = 0) -> dict[str, dict[str, dict[str, float]]]:
    """{system: {half: {metric: share}}} (`limit`: the first N questions, for a quick look);
    the halves' keyword search for the paragraph under "<half> search"."""
    sums: dict[str, dict[str, dict[str, float]]] = {"project": {}, "baseline": {}}
    with tempfile.TemporaryDirectory(prefix="public-qa-") as name:
        folder = Path(name) / "corpus"
        folder.mkdir()
        rows = _corpus(folder)[: limit or None]
        service = SearchService(Settings(index_dir=Path(name) / "index", corpus_dir=folder))
        service.run_index()
        service.prepare_analysis()
        baseline = Bm25Baseline(_paragraph_sentences(folder))
        paragraphs = Bm25Baseline(
            ("en", path.read_text("utf-8"), path.name) for path in sorted(folder.glob("*.txt"))
        )
        for half, name_, question, gold in rows:
            found = service.search(SearchRequest(text=_any_of(question), page_size=10))
            ours = [Path(hit.source_key).name for hit in found.hits]
            _rank(sums, "project", f"{half} search", name_, ours)
            bm25 = [file for _, file in paragraphs.best(question, top=10)]
            _rank(sums, "baseline", f"{half} search", name_, bm25)
            result = service.ask(question)
            ranked = result.ranked_passages or result.closest
            base = baseline.best(question)
            _count(
                sums, "project", half, gold, name_, [a.text for a in result.answers],
                ranked[0].source_key if ranked else "", not result.confident,
            )  # fmt: skip
            _count(
                sums, "baseline", half, gold, name_, [t for t, _ in base],
                base[0][1] if base else "", False,
            )  # fmt: skip
        service.close()
    return _shares(sums)


def markdown(
    result: dict[str, dict[str, dict[str, float]]], halves: tuple[str, ...] = ("dev", "test")
) -> list[str]:
    lines = [
        "| half | system | questions | answer@1 | answer@3 | doc@1 | refused |",
        "|---|---|---|---|---|---|---|",
    ]
    for half in halves:
        for system in ("project", "baseline"):
            m = result[system].get(half)
            if not m:
                continue
            found = (
                "– | – | –"  # nothing to find: only the refusals count
                if half.endswith("unanswerable")
                else f"{m['answer@1']} | {m['answer@3']} | {m['doc@1']}"
            )
            lines.append(f"| {half} | {system} | {int(m['n'])} | {found} | {m['refused']} |")
    return lines


def search_markdown(
    result: dict[str, dict[str, dict[str, float]]], halves: tuple[str, ...] = ("dev", "test")
) -> list[str]:
    lines = ["| half | system | questions | R@1 | MRR@10 |", "|---|---|---|---|---|"]
    for half in halves:
        for system in ("project", "baseline"):
            m = result[system].get(f"{half} search")
            if not m:
                continue
            lines.append(f"| {half} | {system} | {int(m['n'])} | {m['R@1']} | {m['MRR@10']} |")
    return lines


LANGUAGE_HALVES = tuple(
    f"{lang} {half}" for lang in LANGUAGES for half in ("dev", "test", "unanswerable")
)


ANSWERABLE_HALVES = tuple(f"{lang} {half}" for lang in LANGUAGES for half in ("dev", "test"))


if __name__ == "__main__":
    team = evaluate_languages()
    print("\n".join(markdown(team, LANGUAGE_HALVES)))
    print()
    print("\n".join(search_markdown(team, ANSWERABLE_HALVES)))
    print()
    public = evaluate()
    print("\n".join(markdown(public)))
    print()
    print("\n".join(search_markdown(public)))
