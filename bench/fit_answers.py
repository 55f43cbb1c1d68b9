"""Fits the weights `ask` scores a sentence with, on development questions only.

Every candidate sentence of a question is described by the features `ask` computes (see
`search.retrieval.qa.FEATURES`); a sentence is right when it holds the gold answer. The
weights are fitted by a listwise softmax (the chosen sentence should be a right one), with
a small L2 penalty, by plain gradient descent in numpy. Data: the development half of the
SQuAD excerpt (six articles), the development halves of the team's Latvian, Swedish and
Russian questions and the tune half of the sample corpus's questions (tests/data/qa_eval.toml);
the test halves are never read here. The team's and the sample's questions weigh more
(`TEAM_WEIGHT` each) so that 80 of them are not drowned by 1,300 English ones.

    python -m bench.fit_answers          # prints the fitted WEIGHTS and the dev figures

The weights printed are copied into `search/retrieval/qa.py` by hand (with the date).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bench import public_qa, qa_eval
from search.service import SearchService
from search.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"

TEAM_WEIGHT = 5.0
L2 = 1e-3
STEPS = 3000
RATE = 0.5


@dataclass(frozen=True)
class Question:
    group: str  # "en", "lv", "sv", "ru"
    features: NDArray[np.float64]  # candidates × features
    right: NDArray[np.bool_]  # which candidates hold the answer


def _questions(
    service: SearchService, rows: list[tuple[str, str, str]], cross_lingual: bool = False
) -> list[Question]:
    """rows: (group, question, gold answer)."""
    out = []
    for group, question, gold in rows:
        found = service.sentence_features(question, cross_lingual)
        if not found:  # nothing found: refused whatever the weights
            found = [("", "", (0.0,) * len(SearchService.answer_weights()))]
        features = np.array([f for _, _, f in found], dtype=np.float64)
        right = np.array([gold.lower() in text.lower() for _, text, _ in found])
        out.append(Question(group, features, right))
    return out


def collect() -> list[Question]:
    """The development questions of every language with their candidates' features."""
    questions: list[Question] = []
    with tempfile.TemporaryDirectory(prefix="fit-answers-") as name:
        folder = Path(name) / "squad"
        folder.mkdir()
        rows = [(q, gold) for half, _, q, gold in public_qa._corpus(folder) if half == "dev"]
        service = SearchService(Settings(index_dir=Path(name) / "squad-index", corpus_dir=folder))
        service.run_index()
        service.prepare_analysis()
        questions += _questions(service, [("en", q, gold) for q, gold in rows])
        service.close()
        team = Path(name) / "team"
        service = public_qa.team_service(team)
        data = public_qa.team_questions()
        rows3 = [
            (q["lang"] if q["doc"] else "none", q["question"], q["answer"] or "\0")
            for q in data["questions"]
            if not q["doc"] or data["documents"][q["lang"]][q["doc"]] == "dev"
        ]
        questions += _questions(service, rows3)
        service.close()
        service = SearchService(Settings(index_dir=Path(name) / "sample-index", corpus_dir=CORPUS))
        service.run_index()
        for q in qa_eval.questions():
            if qa_eval.half_of(q["doc"]) == "tune":
                row = [("sample", q["text"], q["answer"])]
                questions += _questions(service, row, bool(q.get("cross")))
        service.close()
    return questions


def fit(questions: list[Question], start: NDArray[np.float64]) -> NDArray[np.float64]:
    """Listwise softmax over each question's candidates, from `start` (all questions at
    once: their candidates padded to the longest list, the padding never chosen)."""
    usable = [q for q in questions if q.right.any()]
    longest = max(len(q.right) for q in usable)
    features = np.zeros((len(usable), longest, len(start)))
    right = np.zeros((len(usable), longest))
    padding = np.full((len(usable), longest), -1e9)
    for i, q in enumerate(usable):
        n = len(q.right)
        features[i, :n], right[i, :n], padding[i, :n] = q.features, q.right, 0.0
    weights = np.array([_weight(q) for q in usable])
    weights /= weights.sum()
    w = start.copy()
    for _ in range(STEPS):
        s = features @ w + padding
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        good = p * right
        good /= good.sum(axis=1, keepdims=True)
        w -= RATE * (L2 * w + np.einsum("q,qck,qc->k", weights, features, p - good))
    return w


def _weight(q: Question) -> float:
    return 1.0 if q.group == "en" else TEAM_WEIGHT


def first_right(questions: list[Question], w: NDArray[np.float64]) -> dict[str, float]:
    """answer@1 per language: the best-scored candidate holds the answer (no refusal)."""
    hits: dict[str, list[bool]] = {}
    for q in questions:
        if q.group == "none":
            continue
        hits.setdefault(q.group, []).append(bool(q.right[int(np.argmax(q.features @ w))]))
    return {g: round(sum(v) / len(v), 3) for g, v in sorted(hits.items())}


def main() -> None:
    names, weights = zip(*SearchService.answer_weights(), strict=True)
    questions = collect()
    now = np.array(weights, dtype=np.float64)
    print("current weights, dev answer@1:", first_right(questions, now))
    fitted = fit(questions, now)
    scale = 1.0 / np.abs(fitted).max()
    print("fitted weights,  dev answer@1:", first_right(questions, fitted))
    for name, value in zip(names, fitted * scale, strict=True):
        print(f"  {name:10s} {value:+.3f}")
    print("refusal thresholds (score of the best sentence; and the coverage rule of ask):")
    for threshold in np.arange(0.5, 2.01, 0.1):
        print(f"  {threshold:.1f}", refusals(questions, fitted * scale, threshold))


def refusals(
    questions: list[Question], w: NDArray[np.float64], threshold: float
) -> dict[str, float]:
    """Per language: answerable questions refused; and unanswerable ones refused."""
    refused: dict[str, list[bool]] = {}
    for q in questions:
        best = int(np.argmax(q.features @ w))
        low = q.features[best] @ w < threshold or not SearchService.offers_answer(
            tuple(q.features[best])
        )
        refused.setdefault(q.group, []).append(bool(low))
    return {g: round(sum(v) / len(v), 3) for g, v in sorted(refused.items())}


if __name__ == "__main__":
    main()
