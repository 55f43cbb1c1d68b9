"""The hostile and broken files of tests/data/real/pdf/hard: the run survives them all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search.cli import main
from search.indexing.doctor import check, repair
from search.ingest.extract import ocr
from search.models import IndexReport
from search.service import SearchService, run_index
from tests.conftest import settings_for

PASSWORDS = {
    "encrypted_aes-256_foo.pdf": "foo",
    "encrypted_libreoffice-openpassword.pdf": "openpassword",
    "encrypted_password-test.pdf": "test",
    "encrypted_rc4-40_foo.pdf": "foo",
}


@pytest.fixture(scope="module")
def hard_run(
    testdata: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[IndexReport, Path, Path]:
    root = tmp_path_factory.mktemp("hard")
    corpus = root / "corpus"
    corpus.mkdir()
    for pdf in sorted((testdata / "pdf" / "hard").glob("*.pdf")):
        shutil.copy(pdf, corpus / pdf.name)
    for name, password in PASSWORDS.items():
        (corpus / f"{name}.meta.toml").write_text(f'password = "{password}"\n')
    # one encrypted file without its password, to see the reason
    shutil.copy(testdata / "pdf/hard/encrypted_password-test.pdf", corpus / "locked.pdf")
    settings = settings_for(corpus, root / "index", seconds_per_file=60)
    return run_index(settings), corpus, root / "index"


def test_the_run_finishes_with_exit_code_3(hard_run: tuple[IndexReport, Path, Path]) -> None:
    report, _, _ = hard_run
    assert report.exit_code == 3
    assert report.added, "the readable files must be indexed"


def test_encrypted_files_with_a_sidecar_password_are_indexed(
    hard_run: tuple[IndexReport, Path, Path],
) -> None:
    report, _, _ = hard_run
    for name in PASSWORDS:
        assert name in report.added, (
            f"{name}: {dict((f.key, f.reason) for f in report.failed).get(name)}"
        )


def test_each_failure_has_a_reason(hard_run: tuple[IndexReport, Path, Path]) -> None:
    report, _, _ = hard_run
    reasons = {f.key: f.reason for f in report.failed}
    assert reasons["locked.pdf"].startswith("encrypted: password needed")
    assert reasons["empty_0_bytes.pdf"].startswith("empty file")
    unreadable_layers = (
        "scanned_no_text_layer.pdf",
        "ru_broken_tounicode_fstek17.pdf",
        "ru_broken_tounicode_ukodeksrf.pdf",
        "en_bad_text_layer_cyrillic_lookalike.pdf",
    )
    if ocr.available():  # their pages are read from the image instead
        assert set(unreadable_layers) <= set(report.added)
    else:
        assert reasons["scanned_no_text_layer.pdf"].startswith("no text layer (scanned?): install")
        for name in unreadable_layers[1:]:
            assert "garbage text layer" in reasons[name]
    assert reasons["pdfjs_Pages-tree-refs_cyclic.pdf"].startswith("corrupt PDF")
    assert all(reason.strip() for reason in reasons.values())


def test_the_fuzzed_file_keeps_its_readable_pages(hard_run: tuple[IndexReport, Path, Path]) -> None:
    report, corpus, index = hard_run
    assert "pdfjs_poppler-90-0-fuzzed.pdf" in report.added
    shown = SearchService(settings_for(corpus, index)).show("pdfjs_poppler-90-0-fuzzed.pdf")
    assert shown is not None and shown.passages


def test_the_good_twin_is_indexed_and_the_garbage_twin_is_not(
    hard_run: tuple[IndexReport, Path, Path],
) -> None:
    report, corpus, index = hard_run
    assert "en_good_text_layer_pair.pdf" in report.added
    bad = SearchService(settings_for(corpus, index)).show(
        "en_bad_text_layer_cyrillic_lookalike.pdf"
    )
    # the look-alike layer is never indexed; with Tesseract the page is read from its image
    assert bad is None or all(p.ocr for p in bad.passages)
    if bad is not None:
        text = " ".join(p.text for p in bad.passages)
        assert "text" in text and "ТНЕ" not in text


def test_cli_reports_failures_and_exit_code_3(
    hard_run: tuple[IndexReport, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, corpus, index = hard_run
    code = main(["--corpus", str(corpus), "--index", str(index), "index"])
    out = capsys.readouterr().out
    # the second run does not read the failed files again, but still names them and why
    assert code == 3
    assert (
        "failed earlier, unchanged since (not read again): locked.pdf: encrypted: password needed"
        in out
    )


def test_failed_files_are_remembered_until_they_change(testdata: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(testdata / "pdf/hard/encrypted_password-test.pdf", corpus / "locked.pdf")
    shutil.copy(testdata / "pdf/en/dmca.pdf", corpus / "dmca.pdf")
    settings = settings_for(corpus, tmp_path / "index")
    first = run_index(settings)
    assert [f.key for f in first.failed] == ["locked.pdf"]
    again = run_index(settings)
    assert again.failed == () and [f.key for f in again.known_failures] == ["locked.pdf"]
    assert again.known_failures[0].reason.startswith("encrypted: password needed")
    assert again.exit_code == 3
    # doctor names it as failed, with its reason, and does not offer to repair it
    findings = check(settings)
    assert [(f.kind, f.detail.split(":")[0]) for f in findings] == [("failed", "locked.pdf")]
    assert not any(f.repairable for f in findings)
    assert repair(settings).actions == ()
    # a password in its sidecar changes what applies to it: it is read again, and indexed
    (corpus / "locked.pdf.meta.toml").write_text('password = "test"\n')
    fixed = run_index(settings)
    assert fixed.added == ("locked.pdf",) and not fixed.known_failures
    assert check(settings) == []


def test_a_file_past_the_time_limit_costs_only_that_file(testdata: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(testdata / "pdf/en/dmca.pdf", corpus / "dmca.pdf")
    settings = settings_for(corpus, tmp_path / "index", seconds_per_file=0.001)
    report = run_index(settings)
    assert [f.reason for f in report.failed] == ["timed out after 0 s"]
    assert report.exit_code == 3


def test_a_file_that_breaks_keeps_its_last_good_version(testdata: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(testdata / "pdf/en/dmca.pdf", corpus / "report.pdf")
    settings = settings_for(corpus, tmp_path / "index")
    assert run_index(settings).added == ("report.pdf",)
    shutil.copy(testdata / "pdf/hard/encrypted_password-test.pdf", corpus / "report.pdf")
    first, again = run_index(settings), run_index(settings)
    assert [f.key for f in first.failed] == ["report.pdf"]
    assert [f.key for f in again.known_failures] == ["report.pdf"]
    # the version indexed before stays searchable, and index and manifest agree
    findings = check(settings)
    assert [f.kind for f in findings] == ["failed"]
    assert findings[0].detail.endswith("(its last readable version stays indexed)")
    assert SearchService(settings).show("report.pdf") is not None
