"""Planning an index run is a pure decision over the corpus and the manifest."""

from __future__ import annotations

from search.indexing.indexer import plan_run
from search.indexing.manifest import Entry, FailedEntry
from search.models import SourceFile


def _src(key: str, size: int = 10, mtime: int = 1) -> SourceFile:
    return SourceFile(key, f"/corpus/{key}", size, mtime)


def _entry(key: str, sha: str, size: int = 10, mtime: int = 1, sig: str = "m") -> Entry:
    return Entry(key, size, mtime, sha, sig, f"id-{key}", 3, "2026-12-04")


HASHES = {"same.pdf": "h1", "touched.pdf": "h2", "edited.pdf": "NEW", "new.pdf": "h4"}
HASHES |= {"broken.pdf": "bad", "fixed.pdf": "good", "locked.pdf": "", "resigned.pdf": "h8"}


def _hash(src: SourceFile) -> str:
    if src.key == "locked.pdf":
        raise PermissionError(13, "Permission denied")
    return HASHES[src.key]


def test_each_source_is_kept_skipped_or_extracted_and_only_changed_ones_are_read() -> None:
    sources = {
        k: _src(k, mtime=2 if k in ("touched.pdf", "edited.pdf", "fixed.pdf") else 1)
        for k in ("same.pdf", "touched.pdf", "edited.pdf", "new.pdf", "broken.pdf", "fixed.pdf")
    }
    sources["locked.pdf"] = _src("locked.pdf", mtime=5)
    sources["resigned.pdf"] = _src("resigned.pdf")
    old = {
        "same.pdf": _entry("same.pdf", "h1"),
        "touched.pdf": _entry("touched.pdf", "h2"),
        "edited.pdf": _entry("edited.pdf", "OLD"),
        "locked.pdf": _entry("locked.pdf", "h7"),
        "resigned.pdf": _entry("resigned.pdf", "h8", sig="old-metadata"),
        "gone.pdf": _entry("gone.pdf", "h9"),
    }
    failed = {
        "broken.pdf": FailedEntry("broken.pdf", 10, 1, "bad", "m", "encrypted", "t"),
        "fixed.pdf": FailedEntry("fixed.pdf", 10, 1, "bad", "m", "encrypted", "t"),
    }
    hashed: list[str] = []

    def sha(src: SourceFile) -> str:
        hashed.append(src.key)
        return _hash(src)

    plan = plan_run(sources, old, failed, lambda src: "m", sha)
    # a file whose size, time and metadata are as recorded is not read at all
    assert sorted(hashed) == [
        "edited.pdf",
        "fixed.pdf",
        "locked.pdf",
        "new.pdf",
        "resigned.pdf",
        "touched.pdf",
    ]
    assert sorted(plan.kept) == [
        "edited.pdf",  # kept until its new version is in
        "locked.pdf",  # kept until it can be read again
        "resigned.pdf",
        "same.pdf",
        "touched.pdf",
    ]
    assert plan.kept["touched.pdf"].mtime_ns == 2  # same content: only its time is updated
    assert sorted(s.key for s, _, _ in plan.todo) == [
        "edited.pdf",
        "fixed.pdf",
        "new.pdf",
        "resigned.pdf",  # its metadata changed
    ]
    assert list(plan.still_failing) == ["broken.pdf"]
    assert plan.removed == ["gone.pdf"]
    assert [(f.key, f.reason) for f in plan.unreadable] == [
        ("locked.pdf", "cannot be read: permission denied")
    ]
