"""Reading pages without a usable text layer: PDFium renders them, Tesseract reads them.

Runs inside the extraction workers, one page at a time, each under its own time limit.
Tesseract is a system program (Debian: `tesseract-ocr` with `-swe`, `-lav`, `-rus`, `-bel`,
`-eng`; `make ocr` installs them as root); without it a scanned page fails with that hint.
Recognised text is cached by the file's content, page and language, so a reindex or a
rebuild does not read a scan again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from search.errors import ExtractionError
from search.settings import Limits
from search.text import language

TESSERACT_LANGUAGES = {"sv": "swe", "lv": "lav", "ru": "rus", "be": "bel", "en": "eng"}
DPI = 300
MAX_PIXELS = 40_000_000
"""A larger page (a poster) is rendered at a lower resolution."""
INSTALL_HINT = (
    "no text layer (scanned?): install tesseract-ocr with its swe, lav, rus, bel and eng data "
    "to read scanned pages (`make ocr`, or as root: apt-get install tesseract-ocr "
    "tesseract-ocr-swe tesseract-ocr-lav tesseract-ocr-rus tesseract-ocr-bel tesseract-ocr-eng)"
)


@functools.cache
def installed_languages() -> frozenset[str]:
    """Tesseract's languages on this machine (empty when Tesseract is not installed)."""
    if shutil.which("tesseract") is None:
        return frozenset()
    try:
        done = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in done.stdout.splitlines()[1:] if line.strip())


def available() -> bool:
    return bool(installed_languages() & set(TESSERACT_LANGUAGES.values()))


def _languages(code: str) -> str:
    """Tesseract's `-l` for one of our languages, or for all of them when it is unknown."""
    have = installed_languages()
    wanted = TESSERACT_LANGUAGES.get(code)
    if wanted in have:
        return str(wanted)
    return "+".join(t for t in ("swe", "lav", "rus", "eng") if t in have) or "eng"


def _render(path: Path, number: int, password: str, folder: Path) -> Path:
    """Page `number` as an 8-bit grey PGM file Tesseract can read."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(path, password=password or None)
        page = pdf[number - 1]
        width, height = page.get_size()
        scale = DPI / 72
        if width * height * scale * scale > MAX_PIXELS:
            scale = (MAX_PIXELS / (width * height)) ** 0.5
        grey = page.render(scale=scale, grayscale=True).to_numpy()
    except pypdfium2.PdfiumError as exc:
        raise ExtractionError(f"page {number} could not be rendered for OCR ({exc})") from exc
    if grey.ndim == 3:
        grey = grey[:, :, 0]
    rows, cols = grey.shape
    image = folder / f"page-{number}.pgm"
    image.write_bytes(b"P5\n%d %d\n255\n" % (cols, rows) + grey.tobytes())
    return image


def _recognise(image: Path, languages: str, limits: Limits) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per worker, as for the rest
    try:
        done = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", languages, "--psm", "3"],
            capture_output=True,
            text=True,
            timeout=limits.seconds_per_ocr_page,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(
            f"OCR timed out after {limits.seconds_per_ocr_page:.0f} s on one page"
        ) from exc
    if done.returncode != 0:
        raise ExtractionError(f"OCR failed: {done.stderr.strip()[:200]}")
    return done.stdout


class Reader:
    """Reads the pages of one PDF, choosing the language on the first page when the
    document does not declare one."""

    def __init__(
        self,
        path: Path,
        password: str,
        declared_language: str,
        limits: Limits,
        alive: Callable[[str], None] | None = None,
    ) -> None:
        self.path, self.password, self.limits = path, password, limits
        self.languages = _languages(declared_language)
        self.settled = declared_language in TESSERACT_LANGUAGES
        self.alive = alive or (lambda _: None)
        self._digest = ""

    def _cached(self, number: int) -> Path | None:
        if not self.limits.ocr_cache_dir:
            return None
        if not self._digest:
            with self.path.open("rb") as f:
                self._digest = hashlib.file_digest(f, "sha256").hexdigest()[:32]
        return Path(self.limits.ocr_cache_dir) / f"{self._digest}-{number}-{self.languages}.txt"

    def read(self, numbers: list[int]) -> dict[int, str]:
        """The recognised text of each page (1-based numbers)."""
        texts: dict[int, str] = {}
        with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
            for done, number in enumerate(numbers, start=1):
                self.alive(f"OCR page {done}/{len(numbers)}")
                texts[number] = self._page(number, Path(tmp))
                if not self.settled and texts[number].strip():
                    # the first page, read with every language, tells the document's;
                    # read again in it alone (mixed models misread å, ä, ā, š …)
                    self.settled = True
                    found = _languages(language.detect(texts[number]))
                    if found != self.languages:
                        self.languages = found
                        texts[number] = self._page(number, Path(tmp))
        return texts

    def _page(self, number: int, tmp: Path) -> str:
        cache = self._cached(number)
        if cache is not None and cache.is_file():
            return cache.read_text(encoding="utf-8")
        image = _render(self.path, number, self.password, tmp)
        text = _recognise(image, self.languages, self.limits)
        image.unlink()
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            part = cache.with_suffix(f".{os.getpid()}.part")
            part.write_text(text, encoding="utf-8")
            part.replace(cache)
        return text
