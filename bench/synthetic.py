"""Generated multilingual collections for benchmarks: realistic words, fake documents.

Words are drawn, by frequency, from the sample corpus's own passages in each language,
so the term statistics look like the real thing; metadata values are drawn from the
sample corpus's facets. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from search.models import Document, Metadata, Passage
from search.service import SearchService

LANGS = ("sv", "lv", "ru", "en")
COUNTRY_OF = {"sv": "SE", "lv": "LV", "ru": "BY", "en": "SE"}
MUNICIPALITIES = {
    "SE": ["Uppsala", "Malmö", "Göteborg", "Umeå", "Östersund", "Gävle", "Jönköping", "Ydre"],
    "LV": ["Rīga", "Cēsu novads", "Kuldīgas novads", "Jelgava", "Liepāja", "Daugavpils"],
    "BY": ["Минск", "Гродно", "Брест", "Витебск", "Гомель", "Орша"],
}
TYPES = ["case", "report", "article", "web page", "policy"]


def vocabulary(corpus: Path) -> dict[str, tuple[list[str], list[int]]]:
    """Word frequencies per language from the sample corpus source texts."""
    counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
    for path in (corpus / "_source").rglob("*.txt"):
        text = path.read_text(encoding="utf-8")
        lang = re.search(r'^lang = "(\w+)"', text, re.MULTILINE)
        if lang and lang.group(1) in counts:
            counts[lang.group(1)].update(re.findall(r"[^\W\d_]+", text.split("+++")[-1]))
    return {lang: (list(c), list(c.values())) for lang, c in counts.items()}


def documents(corpus: Path, passages: int, seed: int = 7, per_doc: int = 10) -> Iterator[Document]:
    rng = random.Random(seed)
    vocab = vocabulary(corpus)
    made = 0
    n = 0
    while made < passages:
        lang = rng.choice(LANGS)
        words, weights = vocab[lang]
        country = COUNTRY_OF[lang] if rng.random() > 0.15 else rng.choice(["SE", "LV", "BY"])
        count = min(rng.randint(per_doc // 2, per_doc * 3 // 2), passages - made)
        key = f"generated/{lang}/doc-{n:06}.txt"
        doc_id = SearchService.doc_id(key)
        built = []
        for p in range(count):
            text = " ".join(rng.choices(words, weights, k=rng.randint(40, 160)))
            built.append(
                Passage(
                    f"{doc_id}-{p // 3 + 1}-{p % 3 + 1}",
                    doc_id,
                    p // 3 + 1,
                    "",
                    0,
                    len(text),
                    text,
                    lang,
                )
            )
        meta = Metadata(
            title=" ".join(rng.choices(words, weights, k=6)).capitalize(),
            country=(country,),
            language=lang,
            doc_type=rng.choice(TYPES),
            year=rng.randint(2012, 2024),
            organisation=(f"Organisation {rng.randint(1, 300)}",),
            municipality=(rng.choice(MUNICIPALITIES[country]),),
        )
        yield Document(doc_id, key, "text", meta, tuple(built), count // 3 + 1)
        made += count
        n += 1


def write_files(corpus: Path, target: Path, passages: int, seed: int = 7) -> int:
    """The same generated documents as Markdown files with sidecars (for the extraction path)."""
    files = 0
    for doc in documents(corpus, passages, seed):
        path = target / doc.source_key.replace(".txt", ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"# {doc.metadata.title}\n\n" + "\n\n".join(p.text for p in doc.passages),
            encoding="utf-8",
        )
        m = doc.metadata
        path.with_name(path.name + ".meta.toml").write_text(
            f'country = "{m.country[0]}"\ntype = "{m.doc_type}"\nyear = {m.year}\n'
            f'organisation = ["{m.organisation[0]}"]\nmunicipality = ["{m.municipality[0]}"]\n',
            encoding="utf-8",
        )
        files += 1
    return files
