"""A word only in a document's title or in a section heading finds the document, in every
inflected form its language's analyser conflates; the stored text is not changed."""

from __future__ import annotations

import pytest

from search.models import Document, Metadata, Passage, SearchRequest
from search.service import SearchService
from search.settings import Settings

BODY = (
    "Föreningen driver ett kafé och en cykelverkstad. Tjugo personer arbetar där, de "
    "flesta efter en lång tid utan anställning, och föreningen får ett årligt bidrag."
)


def _document(key: str, title: str, sections: list[tuple[str, str]], lang: str) -> Document:
    doc_id = SearchService.doc_id(key)
    passages = tuple(
        Passage(f"{doc_id}-{n}-1", doc_id, n, heading, 0, len(text), text, lang)
        for n, (heading, text) in enumerate(sections, start=1)
    )
    return Document(doc_id, key, "html", Metadata(title=title), passages, len(passages))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    root = tmp_path_factory.mktemp("titles")
    settings = Settings(index_dir=root / "index", corpus_dir=root / "corpus")
    settings.corpus_dir.mkdir()
    service = SearchService(settings)
    service.build_from(
        [
            _document(
                "se/ydre.html",
                "Upphandlingen som räddade lanthandeln",
                [("", BODY), ("Kommunens landsbygdsprogram", BODY)],
                "sv",
            ),
            _document(
                "lv/talsi.html",
                "Kopienas virtuve Talsos",
                [
                    ("", "Biedrība gatavo pusdienas skolēniem un senioriem katru darba dienu."),
                    ("Sadarbība ar pašvaldību", "Līgums paredz telpas un apkures izdevumus."),
                ],
                "lv",
            ),
            _document("se/other.html", "Ett annat kafé", [("", BODY)], "sv"),
        ]
    )
    return service


def _found(service: SearchService, text: str) -> list[str]:
    return [h.source_key for h in service.search(SearchRequest(text=text)).hits]


def test_a_word_only_in_the_title_finds_the_document(service: SearchService) -> None:
    assert _found(service, "lanthandeln") == ["se/ydre.html"]
    assert _found(service, "upphandling") == ["se/ydre.html"]  # another form of the title's word
    assert _found(service, "virtuves") == ["lv/talsi.html"]


def test_a_word_only_in_a_heading_finds_the_document_at_that_section(
    service: SearchService,
) -> None:
    hits = service.search(SearchRequest(text="kommun landsbygdsprogram")).hits
    assert [(h.source_key, h.page) for h in hits] == [("se/ydre.html", 2)]
    hits = service.search(SearchRequest(text="pašvaldības")).hits
    assert [(h.source_key, h.page) for h in hits] == [("lv/talsi.html", 2)]
    assert "Sadarbība" not in hits[0].text  # the stored text is the passage's own


def test_words_of_both_title_and_text_still_need_every_word(service: SearchService) -> None:
    assert _found(service, "lanthandeln cykelverkstad") == ["se/ydre.html"]
    assert _found(service, "lanthandeln virtuve") == []
