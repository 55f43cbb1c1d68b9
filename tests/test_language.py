"""Language detection on real sentences (tests/data/real/langid)."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.text.language import detect

MAIN = ("sv", "lv", "ru", "en")


def _lines(path: Path) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


@pytest.mark.parametrize("lang", MAIN)
def test_each_main_language_is_recognised_per_sentence(testdata: Path, lang: str) -> None:
    sentences = _lines(testdata / "langid" / "sentences" / f"{lang}.txt")
    right = sum(detect(s, min_letters=1) == lang for s in sentences)
    assert right / len(sentences) >= 0.97, f"{lang}: {right}/{len(sentences)}"


@pytest.mark.parametrize("lang", ["da", "nb", "nn", "de", "fi", "et", "lt", "bg", "uk"])
def test_confusable_languages_are_not_taken_for_a_main_one(testdata: Path, lang: str) -> None:
    sentences = _lines(testdata / "langid" / "confusers" / f"{lang}.txt")
    wrong = sum(detect(s, min_letters=1) in MAIN for s in sentences)
    assert wrong / len(sentences) < 0.10, (
        f"{lang}: {wrong}/{len(sentences)} labelled as sv/lv/ru/en"
    )


def test_belarusian_is_labelled_be(testdata: Path) -> None:
    sentences = _lines(testdata / "langid" / "confusers" / "be.txt")
    right = sum(detect(s, min_letters=1) == "be" for s in sentences)
    assert right / len(sentences) >= 0.95


def test_detection_is_deterministic() -> None:
    text = "Det sociala företaget samarbetar med kommunen."
    assert len({detect(text) for _ in range(5)}) == 1


def test_too_short_text_is_not_judged() -> None:
    assert detect("OK") == ""
