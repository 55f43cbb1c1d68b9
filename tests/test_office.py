"""Word and OpenDocument files: real ones index with their sections and tables and are
found by their words; footnotes are kept; a zip bomb and an entity-expansion file fail
alone, with a reason."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from search.errors import ExtractionError
from search.ingest.extract import process_file
from search.models import SearchRequest
from search.settings import Limits
from tests.conftest import corpus_of

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _read(path: Path) -> tuple[str, set[str], str]:
    doc = process_file(path, path.name, path.parent, Limits())
    text = " ".join(p.text for p in doc.passages)
    return text, {p.heading for p in doc.passages}, doc.metadata.language


def _docx(path: Path, document: str, footnotes: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", document)
        if footnotes:
            z.writestr("word/footnotes.xml", footnotes)
    return path


def test_a_swedish_bill_in_word_keeps_its_headings_as_sections(testdata: Path) -> None:
    text, headings, lang = _read(testdata / "office/sv/prop-2012-13-144.docx")
    assert lang == "sv"
    assert {"Förslag till riksdagsbeslut", "Sjöfartsstödets inriktning"} <= headings
    assert "Regeringen föreslår att riksdagen godkänner" in text


def test_tables_become_rows_of_text(testdata: Path) -> None:
    text, _, _ = _read(testdata / "office/sv/nja-2014-s499-T3592-13.docx")
    assert "Målnummer: | T3592-13" in text
    text, _, lang = _read(testdata / "office/ru/tz-pushkinsky-raion.docx")
    assert lang == "ru" and "Усл.ед. | 1" in text


def test_the_same_text_as_word_and_as_opendocument(testdata: Path) -> None:
    word, _, _ = _read(testdata / "office/ru/ukrf-excerpt.docx")
    odf, _, lang = _read(testdata / "office/ru/ukrf-excerpt.odt")
    assert lang == "ru"
    for phrase in ("Статья 1. Уголовное законодательство Российской Федерации", "Задачами"):
        assert phrase in word and phrase in odf


def test_footnotes_are_kept(tmp_path: Path) -> None:
    document = (
        f"<w:document {W_NS}><w:body><w:p><w:r><w:t>Kommunen hyr ut lokalen till "
        'föreningen</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r>'
        "<w:r><w:t> för en krona om året.</w:t></w:r></w:p></w:body></w:document>"
    )
    footnotes = (
        f'<w:footnotes {W_NS}><w:footnote w:id="2"><w:p><w:r><w:t>Beslut i kommunfullmäktige '
        "den 12 mars 2019.</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    text, _, _ = _read(_docx(tmp_path / "avtal.docx", document, footnotes))
    assert "föreningen[2] för en krona" in text
    assert "[2] Beslut i kommunfullmäktige den 12 mars 2019." in text


def test_a_zip_bomb_fails_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<a>" + b" " * 80_000_000 + b"</a>")
    with pytest.raises(ExtractionError, match="zip bomb"):
        process_file(path, path.name, path.parent, Limits())


def test_entity_expansion_fails_with_a_reason(tmp_path: Path) -> None:
    laughs = "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' if n else '<!ENTITY l0 "ha">' for n in range(9)
    )
    document = f"<!DOCTYPE w:document [{laughs}]><w:document {W_NS}><w:body><w:p><w:r><w:t>&l8;</w:t></w:r></w:p></w:body></w:document>"
    path = _docx(tmp_path / "laughs.docx", document)
    with pytest.raises(ExtractionError, match="entity expansion"):
        process_file(path, path.name, path.parent, Limits())


def test_office_files_are_indexed_and_found_and_bad_ones_fail_alone(
    testdata: Path, tmp_path: Path
) -> None:
    service = corpus_of(
        tmp_path,
        {
            "prop.docx": testdata / "office/sv/prop-2012-13-144.docx",
            "ukrf.odt": testdata / "office/ru/ukrf-excerpt.odt",
            "broken.docx": b"PK\x03\x04 not really a zip",
            "sheet.xlsx": b"PK\x03\x04",
        },
    )
    report = service.run_index()
    assert sorted(report.added) == ["prop.docx", "ukrf.odt"]
    assert [(f.key, f.reason.split(":")[0]) for f in report.failed] == [
        ("broken.docx", "corrupt document")
    ]
    assert report.unsupported == ("sheet.xlsx",)
    hits = service.search(SearchRequest(text="sjöfartsstödet")).hits
    assert [(h.source_key, h.source) for h in hits] == [("prop.docx", "docx")]
    odt = service.search(SearchRequest(text="уголовный source:odt")).hits
    assert [h.source_key for h in odt] == ["ukrf.odt"]
