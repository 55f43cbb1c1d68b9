"""Scanned pages are read by OCR (Tesseract), searchable, marked as such, and cached; without
Tesseract a scan fails with the one command that installs it.

The Swedish page is a real scan (a 1991 government bill); the Russian one a real scanned
image (dedoc's sample) placed in a PDF; the Latvian one a real Latvian PDF page rendered to
an image-only PDF at 200 dpi (no Latvian scan with a reference text was found in the team's
data), its text layer the reference. Word accuracy is the share of the reference's words
(three letters or more) that the OCR text contains.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.pages_eval import image_pdf, rendered_scan, word_accuracy
from search.errors import ExtractionError
from search.ingest.extract import ocr, process_file
from search.models import SearchRequest
from search.service import SearchService
from search.settings import Limits, Settings

needs_tesseract = pytest.mark.skipif(
    not ocr.available(), reason="Tesseract is not installed (`make ocr` installs it)"
)


def _text(path: Path, limits: Limits | None = None) -> tuple[str, list[bool], str]:
    doc = process_file(path, path.name, path.parent, limits or Limits())
    return (
        " ".join(p.text for p in doc.passages),
        [p.ocr for p in doc.passages],
        doc.metadata.language,
    )


@needs_tesseract
def test_a_scanned_swedish_page_is_read_in_swedish(testdata: Path) -> None:
    text, marks, lang = _text(testdata / "pdf/hard/scanned_no_text_layer.pdf")
    assert lang == "sv" and marks and all(marks)
    for word in ("riksdagen", "föreslår", "regeringsprotokollet", "ändringar"):
        assert word in text


@needs_tesseract
def test_a_scanned_russian_page_is_read_in_russian(testdata: Path, tmp_path: Path) -> None:
    scan = image_pdf(testdata / "ocr/ru/dedoc-example-scan.jpg", tmp_path / "scan.pdf")
    text, marks, lang = _text(scan)
    reference = (testdata / "ocr/ru/dedoc-example-scan.ref.txt").read_text(encoding="utf-8")
    assert lang == "ru" and all(marks)
    assert word_accuracy(reference, text) >= 0.9


@needs_tesseract
def test_a_scanned_latvian_page_is_read_in_latvian(testdata: Path, tmp_path: Path) -> None:
    original = testdata / "pdf/lv/datz4020-syllabus-2019.pdf"
    reference, _, _ = _text(original)
    first_page = " ".join(
        p.text
        for p in process_file(original, "o.pdf", original.parent, Limits()).passages
        if p.page == 1
    )
    text, marks, lang = _text(rendered_scan(original, 1, tmp_path / "scan.pdf"))
    assert lang == "lv" and all(marks)
    assert word_accuracy(first_page, text) >= 0.9
    assert reference  # the original has its text layer


@needs_tesseract
def test_scanned_pages_are_searchable_marked_and_not_read_twice(
    testdata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "proposition.pdf").write_bytes(
        (testdata / "pdf/hard/scanned_no_text_layer.pdf").read_bytes()
    )
    service = SearchService(Settings(index_dir=tmp_path / "index", corpus_dir=corpus))
    report = service.run_index()
    assert not report.failed
    hits = service.search(SearchRequest(text="regeringsprotokollet")).hits
    assert [h.source_key for h in hits] == ["proposition.pdf"] and hits[0].ocr
    from search import render

    assert json.loads(render.results_json(service.search(SearchRequest(text="riksdagen"))))["hits"][
        0
    ]["ocr"]
    # a rebuild takes the recognised text from the cache: Tesseract is not run again
    monkeypatch.setattr(ocr, "_recognise", lambda *_: pytest.fail("OCR ran again"))
    limits = Limits(ocr_cache_dir=str(tmp_path / "index" / "ocr-cache"))
    text, _, _ = _text(corpus / "proposition.pdf", limits)
    assert "riksdagen" in text


def test_without_tesseract_a_scan_fails_with_the_install_command(
    testdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "installed_languages", lambda: frozenset())
    path = testdata / "pdf/hard/scanned_no_text_layer.pdf"
    with pytest.raises(ExtractionError, match="install tesseract-ocr") as failure:
        process_file(path, path.name, path.parent, Limits())
    assert "apt-get install tesseract-ocr" in str(failure.value)
