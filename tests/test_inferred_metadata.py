"""Metadata without sidecars: each value from the best source there is, labelled as what it
is, so `show` never claims a source it did not use."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.ingest.extract import process_file
from search.ingest.metadata import meaningful_title
from search.models import Metadata
from search.settings import Limits


def _meta(path: Path) -> tuple[Metadata, dict[str, str]]:
    meta = process_file(path, path.name, path.parent, Limits()).metadata
    return meta, dict(meta.origin)


def test_a_swedish_statute_without_a_sidecar_is_found_under_sweden(testdata: Path) -> None:
    meta, origin = _meta(testdata / "pdf/sv/SFS2019-614.pdf")
    assert meta.country == ("SE",) and origin["country"] == "inferred (language sv)"
    assert meta.title == "Svensk författningssamling" and origin["title"] == "first line"
    assert origin["year"] == "pdf creation date"  # what the PDF's info says, named as such


def test_a_latvian_syllabus_is_found_under_latvia(testdata: Path) -> None:
    meta, origin = _meta(testdata / "pdf/lv/datz4020-syllabus-2019.pdf")
    assert meta.country == ("LV",) and origin["country"] == "inferred (language lv)"


def test_russian_says_nothing_about_the_country(testdata: Path) -> None:
    meta, origin = _meta(testdata / "pdf/ru/fstec_1_cut.pdf")
    assert meta.country == () and "country" not in origin
    # a title block in capitals over two lines is one title
    assert meta.title == "ФЕДЕРАЛЬНАЯ СЛУЖБА ПО ТЕХНИЧЕСКОМУ И ЭКСПОРТНОМУ КОНТРОЛЮ"


def test_a_template_name_in_the_properties_is_not_a_title(testdata: Path) -> None:
    meta, origin = _meta(testdata / "office/sv/nja-2014-s499-T3592-13.docx")
    assert meta.title != "ReferatLagrummet" and origin["title"] == "first line"
    assert meta.title.startswith("Högsta domstolen")


@pytest.mark.parametrize(
    ("title", "meaningful"),
    [
        ("ReferatLagrummet", False),
        ("Dokument1", False),
        ("rapport.docx", False),
        ("Microsoft Word - rapport", False),
        ("Årsredovisning", True),
        ("Sociala företag i Östersund", True),
        ("NJA 2014 s. 499", True),
    ],
)
def test_placeholder_titles(title: str, meaningful: bool) -> None:
    assert meaningful_title(title) is meaningful


def test_a_year_found_only_in_the_text_of_a_page_says_so(tmp_path: Path) -> None:
    body = " ".join(
        ["Biedrība kopš 2020. gada sadarbojas ar pašvaldību un nodarbina jauniešus."] * 6
    )
    page = tmp_path / "biedriba.html"
    page.write_text(
        f"<html lang='lv'><head><title>Biedrība</title></head><body><article><p>{body}</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    meta, origin = _meta(page)
    assert meta.year == 2020 and origin["year"] == "a date in the page's text"
    dated = tmp_path / "dated.html"
    dated.write_text(
        "<html lang='lv'><head><title>Biedrība</title>"
        '<meta property="article:published_time" content="2021-05-03T10:00:00"></head>'
        f"<body><article><p>{body}</p></article></body></html>",
        encoding="utf-8",
    )
    meta, origin = _meta(dated)
    assert meta.year == 2021 and origin["year"] == "html publication date"


def test_a_word_file_without_a_title_property_takes_its_first_heading(tmp_path: Path) -> None:
    import zipfile

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = " ".join(["Kommunen hyr ut lokalen till föreningen för en krona om året."] * 6)
    document = (
        f"<w:document {w}><w:body>"
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Avtal om lokal för '
        "Returhuset</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>{body}</w:t></w:r></w:p></w:body></w:document>"
    )
    path = tmp_path / "Dokument1.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", document)
    meta, origin = _meta(path)
    assert meta.title == "Avtal om lokal för Returhuset" and origin["title"] == "first heading"
    assert meta.country == ("SE",)
