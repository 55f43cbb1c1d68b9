"""The same file saved twice is one document that lists every path: a search shows it once,
counts it once, and `show` and the result card name the other copy."""

from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

from search import render
from search.indexing import store
from search.ingest.extract import process_file
from search.models import SearchRequest
from search.service import SearchService
from search.settings import Limits, Settings
from tests.conftest import corpus_of
from ui.cards import hit_prompt


def test_a_report_saved_twice_is_one_document_with_two_paths(
    testdata: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "inbox").mkdir(parents=True)
    statute = testdata / "pdf/sv/SFS2019-614.pdf"
    shutil.copy(statute, corpus / "sfs-2019-614.pdf")
    shutil.copy(statute, corpus / "inbox" / "Kopia av sfs-2019-614.pdf")
    shutil.copy(testdata / "pdf/sv/SFS2024-804.pdf", corpus / "sfs-2024-804.pdf")
    service = SearchService(Settings(index_dir=tmp_path / "index", corpus_dir=corpus))
    assert not service.run_index().failed

    results = service.search(SearchRequest(text="arbetsmiljölagen"))
    keys = [h.source_key for h in results.hits]
    assert keys.count("sfs-2019-614.pdf") == 1 and "inbox/Kopia av sfs-2019-614.pdf" not in keys
    hit = next(h for h in results.hits if h.source_key == "sfs-2019-614.pdf")
    assert hit.copies == ("inbox/Kopia av sfs-2019-614.pdf",)
    assert "also at inbox/Kopia av" in hit_prompt(hit).plain
    assert json.loads(render.results_json(results))["hits"][keys.index(hit.source_key)][
        "copies"
    ] == ["inbox/Kopia av sfs-2019-614.pdf"]
    everything = service.search(SearchRequest())
    assert everything.total_documents == 2  # counted once
    countries = {
        v.value: v.count for f in everything.facets if f.name == "country" for v in f.values
    }
    assert countries == {"SE": 2}

    shown = service.show("inbox/Kopia av sfs-2019-614.pdf")
    assert shown is not None
    assert ("same file at", "sfs-2019-614.pdf", "same content") in shown.fields

    # the first copy goes: the other one is found in its place
    (corpus / "sfs-2019-614.pdf").unlink()
    service.run_index()
    hits = service.search(SearchRequest(text="arbetsmiljölagen")).hits
    assert [(h.source_key, h.copies) for h in hits if "2019" in h.source_key] == [
        ("inbox/Kopia av sfs-2019-614.pdf", ())
    ]


def test_the_same_text_in_two_formats_is_one_result_naming_both(
    testdata: Path, tmp_path: Path
) -> None:
    service = corpus_of(
        tmp_path,
        {
            "ukrf.docx": testdata / "office/ru/ukrf-excerpt.docx",
            "ukrf.odt": testdata / "office/ru/ukrf-excerpt.odt",
            "tz.docx": testdata / "office/ru/tz-pushkinsky-raion.docx",
            "fstec.pdf": testdata / "pdf/ru/fstec_1_cut.pdf",
        },
    )
    assert not service.run_index().failed
    hits = service.search(SearchRequest(text="уголовный кодекс")).hits
    assert [(h.source_key, h.copies) for h in hits] == [("ukrf.odt", ("ukrf.docx",))]
    assert service.search(SearchRequest()).total_documents == 3  # the other texts stay apart
    # the MinHash that found the copy is stored once per document, not with every passage
    _, ix = store.open_current(service.settings.index_dir)
    with ix.searcher() as s:
        stored = list(s.all_stored_fields())
    firsts = {f["doc_id"]: f for f in reversed(stored)}  # each document's first passage
    assert len(stored) > len(firsts) == 4
    assert [f["doc_id"] for f in stored if "fingerprint" in f] == [
        f["doc_id"] for f in stored if f is firsts[f["doc_id"]]
    ]


def test_a_pdf_and_its_web_page_are_one_result(testdata: Path, tmp_path: Path) -> None:
    """The web page is made here from the PDF's own text, with a site's menu and footer
    around it, as an agency publishes a statute both ways."""
    pdf = testdata / "pdf/sv/SFS2024-804.pdf"
    text = " ".join(p.text for p in process_file(pdf, pdf.name, pdf.parent, Limits()).passages)
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split(". ") if p.strip())
    page = (
        "<html lang='sv'><head><title>SFS 2024:804</title></head><body>"
        "<nav><a href='/'>Start</a> <a href='/lagar'>Lagar</a></nav>"
        f"<article><h1>Svensk författningssamling</h1>{paragraphs}</article>"
        "<footer>Regeringskansliet, 103 33 Stockholm</footer></body></html>"
    )
    service = corpus_of(
        tmp_path,
        {
            "sfs-2024-804.pdf": pdf,
            "web/sfs-2024-804.html": page.encode("utf-8"),
            "sfs-2019-614.pdf": testdata / "pdf/sv/SFS2019-614.pdf",
        },
    )
    assert not service.run_index().failed
    everything = service.search(SearchRequest()).hits
    assert sorted((h.source_key, h.copies) for h in everything) == [
        ("sfs-2019-614.pdf", ()),
        ("sfs-2024-804.pdf", ("web/sfs-2024-804.html",)),
    ]


def test_near_copies_are_paired_and_other_texts_are_not() -> None:
    """Five texts, each also twice with a few words changed (a header, a footer, a line
    the extraction read differently), among thirty unrelated ones: each copy is paired with
    its text, and no two unrelated texts are."""
    import random

    import numpy as np

    from search.text import fingerprint

    rng = random.Random(4)
    words = [f"{a}{b}" for a in ("kom", "sam", "för", "arb", "upp", "bygg") for b in "aeiouyåäö"]

    def text() -> list[str]:
        return [rng.choice(words) for _ in range(400)]

    def edited(base: list[str]) -> list[str]:
        changed = list(base)
        for i in rng.sample(range(len(changed)), 3):
            changed[i] = "sidfot"
        return ["Rapport", "2024", *changed]

    bases = [text() for _ in range(5)]
    texts = [*bases, *(edited(b) for b in bases), *(edited(b) for b in bases)]
    texts += [text() for _ in range(30)]
    rows = [fingerprint.values(fingerprint.fingerprint(" ".join(t))) for t in texts]
    assert all(r is not None for r in rows)
    first, other = fingerprint.same_texts(np.stack([r for r in rows if r is not None]))
    family = {i: i % 5 if i < 15 else i for i in range(len(texts))}
    paired = {(int(a), int(b)) for a, b in zip(first, other, strict=True)}
    assert paired and all(family[a] == family[b] for a, b in paired)
    assert {b for _, b in paired} >= set(range(5, 15))  # every copy found


def test_a_fingerprint_is_the_minhash_its_definition_gives() -> None:
    """Each value is the least (a·h + b) mod (2^61 - 1) over the text's casefolded word
    trigrams (h their CRC-32), computed here with Python's integers: fingerprints stored by
    an index written before stay comparable with new ones."""
    import zlib

    from search.text import fingerprint

    texts = [
        "Sociālie uzņēmumi un pašvaldības sadarbojas Talsos un Cēsīs. " * 12,
        "STRASSE Straße İstanbul ΣΊΣΥΦΟΣ ﬁne Kommunen samarbetar med föreningar " * 9,
        " ".join(f"ord{i % 97} слово{i % 89}" for i in range(600)),
    ]
    prime = (1 << 61) - 1
    for text in texts:
        words = [w.casefold() for w in fingerprint._WORD.findall(text)]
        trigrams = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
        hashes = [zlib.crc32(t.encode()) for t in trigrams]
        expected = [
            min(((int(a) >> 32) * h + int(b)) % prime for h in hashes)
            for a, b in zip(fingerprint._A, fingerprint._B, strict=True)
        ]
        assert fingerprint.fingerprint(text) == ",".join(f"{v:x}" for v in expected)
