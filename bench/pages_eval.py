"""Pages kept from real PDFs, and scanned pages read by OCR, each beside a baseline.

Pages kept: on the real PDFs of tests/data/real/pdf (Swedish statutes, Latvian theses and
lecture notes, Russian posters and specifications, English reports), the pages whose text
layer the project indexes, against raw pypdf (every page with any text); and the broken
layers (tests/data/real/pdf/hard) whose text the project refuses.

OCR: pages per second and word accuracy (share of the reference's words of three letters
or more found) per language, against Tesseract run with its default English model on the
same rendered pages. The Swedish scan is real; the Russian one a real scanned image; the
Latvian one a real Latvian PDF page rendered at 200 dpi (its text layer the reference).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from search.service import SearchService
from search.settings import PROJECT_ROOT, Settings

REAL = PROJECT_ROOT / "tests" / "data" / "real"
BROKEN = ("ru_broken_tounicode_fstek17", "ru_broken_tounicode_ukodeksrf", "cyrillic_lookalike")
WORD = re.compile(r"[^\W\d_]{3,}")


def long_word_share(text: str) -> float:
    """The share of words longer than 25 letters: words run together (measured here on its
    own, not with the extractor's rule)."""
    words = re.findall(r"[^\W\d_]+", text)
    return sum(len(w) > 25 for w in words) / max(1, len(words))


def word_accuracy(reference: str, recognised: str) -> float:
    """The share of the reference's words (three letters or more) the recognised text has."""
    want = [w.lower() for w in WORD.findall(reference)]
    got = {w.lower() for w in WORD.findall(recognised)}
    return sum(w in got for w in want) / max(1, len(want))


def image_pdf(image: Path, out: Path) -> Path:
    """An image-only PDF of one page, as a scanner makes it (needs fpdf2, a test extra)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.image(str(image), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(out))
    return out


def rendered_scan(pdf: Path, page: int, out: Path) -> Path:
    """A page of a real PDF as a grey 200 dpi JPEG in an image-only PDF."""
    import pypdfium2

    picture = pypdfium2.PdfDocument(pdf)[page - 1].render(scale=200 / 72, grayscale=True)
    jpeg = out.with_suffix(".jpg")
    picture.to_pil().save(jpeg, quality=85)
    return image_pdf(jpeg, out)


def pages_kept(tmp: Path) -> dict[str, Any]:
    from pypdf import PdfReader

    service = SearchService(Settings(index_dir=tmp / "pages-index", corpus_dir=REAL / "pdf"))
    kept = with_text = refused_broken = 0
    for source in service.corpus_files():
        if not source.key.endswith(".pdf"):
            continue
        if source.key.startswith("hard/") and not any(b in source.key for b in BROKEN):
            continue
        pages = {
            n
            for n, page in enumerate(PdfReader(source.path).pages, start=1)
            if page.extract_text().strip()
        }
        try:
            doc = service.read(source)
            ours = {p.page for p in doc.passages if not p.ocr}
        except Exception:  # a refused file keeps none of its pages
            ours = set()
        if source.key.startswith("hard/"):
            refused_broken += not ours
            continue
        with_text += len(pages)
        kept += len(pages & ours)
    return {
        "pages_with_text_layer": with_text,
        "kept": kept,
        "pypdf_kept": with_text,
        "broken_layers": len(BROKEN),
        "broken_layers_refused": refused_broken,
    }


def words_run_together(tmp: Path) -> dict[str, Any]:
    """Share of words over 25 letters in the run-together Latvian PDF (tests/data/made), as
    indexed and as raw pypdf reads it; and the same over every real PDF (which must not
    change)."""
    from pypdf import PdfReader

    def measured(folder: Path, name: str) -> dict[str, float]:
        service = SearchService(Settings(index_dir=tmp / f"{name}-index", corpus_dir=folder))
        raw = ours = ""
        for source in service.corpus_files():
            if not source.key.endswith(".pdf") or source.key.startswith("hard/"):
                continue
            raw += "\n".join(p.extract_text() for p in PdfReader(source.path).pages)
            ours += "\n".join(p.text for p in service.read(source).passages if not p.ocr)
        return {
            "pypdf": round(100 * long_word_share(raw), 2),
            "ours": round(100 * long_word_share(ours), 2),
        }

    return {
        "run_together_lv": measured(REAL.parent / "made", "made"),
        "real_pdfs": measured(REAL / "pdf", "real"),
    }


def _scans(tmp: Path) -> list[tuple[str, Path, str]]:
    """(language, image-only PDF, reference text)."""
    import pypdfium2

    sv = REAL / "pdf/hard/scanned_no_text_layer.pdf"
    sv_ref = re.sub(
        r"<[^>]+>", " ", (REAL / "pdf/hard/scanned_no_text_layer.ref.hocr.html").read_text()
    )
    ru = image_pdf(REAL / "ocr/ru/dedoc-example-scan.jpg", tmp / "ru-scan.pdf")
    ru_ref = (REAL / "ocr/ru/dedoc-example-scan.ref.txt").read_text(encoding="utf-8")
    original = REAL / "pdf/lv/datz4020-syllabus-2019.pdf"
    lv = rendered_scan(original, 1, tmp / "lv-scan.pdf")
    lv_ref = pypdfium2.PdfDocument(original)[0].get_textpage().get_text_bounded()
    return [("sv", sv, sv_ref), ("ru", ru, ru_ref), ("lv", lv, lv_ref)]


def _tesseract_english(pdf: Path, folder: Path) -> str:
    """The baseline: each page rendered as the project does, read with Tesseract's default."""
    import pypdfium2

    texts = []
    for n, page in enumerate(pypdfium2.PdfDocument(pdf)):
        image = folder / f"base-{n}.png"
        page.render(scale=300 / 72, grayscale=True).to_pil().save(image)
        done = subprocess.run(["tesseract", str(image), "stdout"], capture_output=True, text=True)
        texts.append(done.stdout)
    return "\n".join(texts)


def ocr(tmp: Path) -> dict[str, Any]:
    """{language: pages, seconds, accuracy, baseline accuracy}, or why it was not measured."""
    from search.models import SourceFile

    folder = Path(tempfile.mkdtemp(dir=tmp))
    service = SearchService(Settings(index_dir=tmp / "ocr-index", corpus_dir=folder))
    out: dict[str, Any] = {}
    try:
        scans = _scans(folder)
    except ImportError as exc:  # fpdf2 or Pillow missing: a bench without the test extras
        return {"skipped": str(exc)}
    for lang, pdf, reference in scans:
        source = SourceFile(pdf.name, str(pdf), pdf.stat().st_size, 0)
        started = time.perf_counter()
        try:
            doc = service.read(source)
        except Exception as exc:
            return {"skipped": f"{type(exc).__name__}: {exc}"}
        seconds = time.perf_counter() - started
        text = " ".join(p.text for p in doc.passages)
        pages = len({p.page for p in doc.passages if p.ocr})
        out[lang] = {
            "pages": pages,
            "seconds": round(seconds, 2),
            "pages_per_s": round(pages / seconds, 2),
            "language_found": doc.metadata.language,
            "word_accuracy": round(word_accuracy(reference, text), 3),
            "tesseract_eng_word_accuracy": round(
                word_accuracy(reference, _tesseract_english(pdf, folder)), 3
            ),
        }
    return out


def markdown(kept: dict[str, Any], spaced: dict[str, Any], scans: dict[str, Any]) -> list[str]:
    together, real = spaced["run_together_lv"], spaced["real_pdfs"]
    lines = [
        f"Pages kept from the real PDFs of tests/data/real/pdf: {kept['kept']} of "
        f"{kept['pages_with_text_layer']} pages with a text layer (raw pypdf: "
        f"{kept['pypdf_kept']}, garbage included); broken text layers refused: "
        f"{kept['broken_layers_refused']} of {kept['broken_layers']}.",
        "",
        f"Words over 25 letters: the run-together Latvian PDF {together['ours']} % "
        f"(raw pypdf {together['pypdf']} %); all real PDFs {real['ours']} % "
        f"(raw pypdf {real['pypdf']} %).",
        "",
    ]
    if "skipped" in scans:
        return [*lines, f"OCR not measured: {scans['skipped']}"]
    lines += [
        "| scan | pages | pages/s | language found | word accuracy | Tesseract default (eng) |",
        "|---|---|---|---|---|---|",
    ]
    for lang, m in scans.items():
        lines.append(
            f"| {lang} | {m['pages']} | {m['pages_per_s']} | {m['language_found']} | "
            f"{m['word_accuracy']} | {m['tesseract_eng_word_accuracy']} |"
        )
    return lines
