"""Extraction of real documents against their reference texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from search.ingest.extract import process_file
from search.settings import Limits

WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


@pytest.mark.parametrize(
    ("pdf", "ref", "lang"),
    [
        ("pdf/sv/SFS2019-614.pdf", "pdf/sv/SFS2019-614.ref.txt", "sv"),
        ("pdf/sv/SFS2024-804.pdf", "pdf/sv/SFS2024-804.ref.txt", "sv"),
        ("pdf/ru/cp1251.pdf", "pdf/ru/cp1251.ref.txt", "ru"),
    ],
)
def test_extracted_words_cover_the_reference(testdata: Path, pdf: str, ref: str, lang: str) -> None:
    path = testdata / pdf
    doc = process_file(path, pdf, path.parent, Limits())
    got = _words(" ".join(p.text for p in doc.passages))
    # the references keep ligature characters (ﬁ) that extraction rightly expands
    want = _words(re.sub("ﬁ", "fi", (testdata / ref).read_text(encoding="utf-8")))
    assert len(want & got) / len(want) >= 0.95, sorted(want - got)[:20]
    assert {p.language for p in doc.passages} == {lang}


def test_russian_words_split_by_the_pdf_layout_are_rejoined(testdata: Path) -> None:
    path = testdata / "pdf/ru/cp1251.pdf"
    text = " ".join(
        p.text for p in process_file(path, "cp1251.pdf", path.parent, Limits()).passages
    )
    for word in ("около", "английский", "аристократ", "кавалер", "Подвязки"):
        assert word in text


def test_pdf_pages_keep_their_numbers(testdata: Path) -> None:
    path = testdata / "pdf/en/dmca.pdf"
    doc = process_file(path, "dmca.pdf", path.parent, Limits())
    pages = {p.page for p in doc.passages}
    assert min(pages) == 1 and max(pages) == 18
    assert doc.metadata.title == "The Digital Millennium Copyright Act of 1998"
    assert {p.language for p in doc.passages} == {"en"}
    copyright_page = next(p for p in doc.passages if "section 1201" in p.text)
    assert copyright_page.page > 1


def test_russian_fstec_order_has_two_pages_in_russian(testdata: Path) -> None:
    path = testdata / "pdf/ru/fstec_1_cut.pdf"
    doc = process_file(path, "fstec.pdf", path.parent, Limits())
    assert {p.page for p in doc.passages} == {1, 2}
    assert {p.language for p in doc.passages} == {"ru"}


def test_transcript_margin_numbers_do_not_reach_the_passages(testdata: Path) -> None:
    path = testdata / "pdf/en/scotus-transcript-p1.pdf"
    doc = process_file(path, "scotus.pdf", path.parent, Limits())
    assert not doc.passages[0].text.startswith("1 2 3")
    assert "SUPREME COURT" in doc.passages[0].text


@pytest.mark.parametrize("name", ["dedoc_example_cp1251.html", "dedoc_example_koi8r.html"])
def test_undeclared_cyrillic_encodings_decode_right(testdata: Path, name: str) -> None:
    path = testdata / "html/ru" / name
    doc = process_file(path, name, path.parent, Limits())
    assert doc.metadata.title == "Пример документа"
    text = " ".join(p.text for p in doc.passages)
    assert "Текст бывает разных стилей" in text
    assert {p.language for p in doc.passages} == {"ru"}


def test_html_sections_carry_their_headings(testdata: Path) -> None:
    path = testdata / "html/ru/dedoc_example_cp1251.html"
    doc = process_file(path, "x.html", path.parent, Limits())
    assert "Статья 1" in {p.heading for p in doc.passages}


@pytest.mark.parametrize(
    "name", ["dedoc_law_doc_000008.html", "dedoc_prikaz_2.html", "dedoc_with_applications.html"]
)
def test_russian_law_pages_extract_as_russian(testdata: Path, name: str) -> None:
    path = testdata / "html/ru" / name
    doc = process_file(path, name, path.parent, Limits())
    langs = [p.language for p in doc.passages]
    assert langs.count("ru") / len(langs) >= 0.9
    assert not any("\\." in p.text for p in doc.passages), "Markdown escapes leaked into the text"
