"""Extraction of real documents against their reference texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from search.ingest.extract import process_file
from search.models import SearchRequest
from search.settings import Limits
from tests.conftest import corpus_of

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


def test_a_web_page_that_is_plain_text_is_read_whole(testdata: Path) -> None:
    # a real order saved with an .html name and no markup: trafilatura finds no main text
    import trafilatura

    path = testdata / "html/ru/dedoc-bashkortostan-prikaz-53.html"
    assert trafilatura.extract(path.read_bytes(), favor_recall=True) is None
    doc = process_file(path, path.name, path.parent, Limits())
    text = " ".join(p.text for p in doc.passages)
    assert len(text) > 70_000 and "персональных данных" in text
    assert {p.language for p in doc.passages} == {"ru"}
    assert any("read as plain text" in w for w in doc.warnings)


def test_a_page_whose_text_trafilatura_takes_for_comments_keeps_it(tmp_path: Path) -> None:
    # a residents' question page whose whole text sits in comment blocks: trafilatura (without
    # comments) returns nothing; the page's visible text is indexed instead, with a warning
    page = (
        "<!doctype html><html lang='sv'><head><title>Invånarnas frågor</title></head><body>"
        "<div class='comment'><p>Fråga: När öppnar kommunens återbruk i Kvarnbyn igen efter "
        "renoveringen, och vem driver det sociala företaget där?</p></div>"
        "<div class='comment'><p>Svar från kommunen: Återbruket öppnar den 3 maj. Det drivs "
        "av det sociala företaget Kvarnbyns Vänner, som hyr lokalen av kommunen.</p></div>"
        "</body></html>"
    )
    service = corpus_of(tmp_path, {"fragor.html": page.encode()})
    report = service.run_index()
    assert report.added == ("fragor.html",) and not report.failed
    assert [n.key for n in report.notes if "whole page's text" in n.reason] == ["fragor.html"]
    results = service.search(SearchRequest(text="återbruket öppnar"))
    assert [h.source_key for h in results.hits] == ["fragor.html"]
    path = tmp_path / "corpus" / "fragor.html"
    doc = process_file(path, "fragor.html", path.parent, Limits())
    assert any("whole page's text" in w for w in doc.warnings)
    assert "Kvarnbyns Vänner" in " ".join(p.text for p in doc.passages)


def _pages_with_text(path: Path) -> set[int]:
    """Pages whose text layer pypdf reads as anything but blanks: the raw baseline."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    return {n for n, page in enumerate(reader.pages, start=1) if page.extract_text().strip()}


@pytest.mark.parametrize(
    "pdf",
    [
        "pdf/lv/lu-thesis-latviensis-sample.pdf",
        "pdf/lv/nt-jun-summary.pdf",
        "pdf/lv/datz4020-syllabus-2019.pdf",
        "pdf/lv/lietisko-algoritmi-hw01-2019.pdf",
        "pdf/sv/bfs-2007-4-energideklaration.pdf",
        "pdf/sv/afs-2023-6-enkla-tryckkarl.pdf",
        "pdf/ru/dedoc-alpaca-tz-toc.pdf",
        "pdf/ru/sevgu-poster-a1.pdf",
        "pdf/en/dmca.pdf",
    ],
)
def test_every_page_with_a_real_text_layer_is_kept(testdata: Path, pdf: str) -> None:
    path = testdata / pdf
    doc = process_file(path, pdf, path.parent, Limits())
    assert {p.page for p in doc.passages} == _pages_with_text(path)
    assert not [w for w in doc.warnings if "garbage" in w]
    # pages with their spaces are read as pypdf reads them, never re-spaced
    assert not [w for w in doc.warnings if "glyph positions" in w]


@pytest.mark.parametrize(
    ("pdf", "page", "words"),
    [
        # a Python code listing
        ("pdf/lv/lu-thesis-latviensis-sample.pdf", 12, ("np.zeros", "bitxormatrix")),
        # a table of contents with dot leaders
        ("pdf/lv/lu-thesis-latviensis-sample.pdf", 4, ("SATURS", "Apzīmējumu")),
        ("pdf/sv/afs-2023-6-enkla-tryckkarl.pdf", 5, ("Innehåll", "Tillämpningsområde")),
        # formulas whose minus signs come out as control characters
        ("pdf/lv/nt-jun-summary.pdf", 2, ("Fermā", "pirmskaitļi")),
        # a table of codes and tolerances (EPref +/-10 %)
        ("pdf/sv/bfs-2007-4-energideklaration.pdf", 14, ("Referensvärdesintervall", "EPref")),
    ],
)
def test_pages_of_code_formulas_tables_and_dot_leaders_are_searchable(
    testdata: Path, pdf: str, page: int, words: tuple[str, ...]
) -> None:
    path = testdata / pdf
    doc = process_file(path, pdf, path.parent, Limits())
    text = " ".join(p.text for p in doc.passages if p.page == page)
    for word in words:
        assert word in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)  # no stray control characters


def _long_word_share(text: str) -> float:
    words = re.findall(r"[^\W\d_]+", text)
    return sum(len(w) > 25 for w in words) / len(words)


def test_words_placed_without_spaces_are_spaced_by_their_glyph_positions(
    testdata: Path, tmp_path: Path
) -> None:
    path = testdata.parent / "made" / "run-together-lv.pdf"
    from pypdf import PdfReader

    assert _long_word_share(PdfReader(path).pages[0].extract_text()) > 0.05  # the kind of file
    doc = process_file(path, path.name, path.parent, Limits())
    text = " ".join(p.text for p in doc.passages)
    assert _long_word_share(text) < 0.01
    assert "Šajā lekcijā tiek apskatīta pašvaldību un sociālo uzņēmumu sadarbība" in text
    assert {p.language for p in doc.passages} == {"lv"}
    service = corpus_of(tmp_path, {"lekcija.pdf": path})
    assert not service.run_index().failed
    hits = service.search(SearchRequest(text="uzņēmuma statuss")).hits
    assert [h.source_key for h in hits] == ["lekcija.pdf"]
