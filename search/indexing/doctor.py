"""`search doctor`: check the index against the manifest and the corpus, and repair it.

What it looks for: a lock left by a writer that died, generations left by a killed
rebuild, a missing or unreadable index (a deleted or damaged segment file), a schema of
another version, documents the manifest lists but the index lacks (and the reverse), and
sources changed, added or removed since they were indexed. Repair clears what is stale,
drops what is inconsistent, and reindexes, or rebuilds when the index cannot be read.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from search.errors import IndexDamagedError
from search.indexing import index_home, lock, manifest, store
from search.indexing.indexer import delete_documents, run_index, walk_corpus
from search.indexing.schema import SCHEMA_VERSION
from search.ingest.extract import doc_id_for
from search.models import unsupported_summary
from search.settings import Settings


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    """stale-lock, leftover-generation, no-index, unreadable, schema, missing, extra,
    stale-source, new-source, removed-source; and, not faults of the index and beyond any
    repair: `failed` (a file that could not be read) and `unsupported` (files of other types)"""
    detail: str

    @property
    def repairable(self) -> bool:
        return self.kind not in ("failed", "unsupported")


@dataclass(frozen=True, slots=True)
class DoctorReport:
    findings: tuple[Finding, ...]
    actions: tuple[str, ...]

    @property
    def healthy(self) -> bool:
        return not any(f.repairable for f in self.findings)


def _indexed_doc_ids(ix: Any) -> set[str]:
    """Doc ids with at least one live passage (the lexicon keeps deleted ones until a merge)."""
    with ix.searcher() as s:
        reader = s.reader()
        return {
            t.decode("utf-8")
            for t in reader.lexicon("doc_id")
            if reader.postings("doc_id", t).is_active()
        }


def check(settings: Settings) -> list[Finding]:
    """Everything that is wrong with the index, in words a user can act on."""
    found: list[Finding] = []
    index_dir = settings.index_dir
    if lock.stale_lock(index_dir):
        found.append(
            Finding("stale-lock", "a writer lock was left behind by a process that no longer runs")
        )
    live = store.current_generation(index_dir)
    for gen in store.generations(index_dir):
        if gen != live and lock.holder(index_dir) is None:
            found.append(
                Finding("leftover-generation", f"{gen.name} was left by an interrupted rebuild")
            )
    if live is None:
        found.append(Finding("no-index", f"no live index in {index_dir}"))
        return found
    if store.schema_version(live) != SCHEMA_VERSION:
        found.append(
            Finding(
                "schema",
                f"schema version {store.schema_version(live)}, this program needs {SCHEMA_VERSION}",
            )
        )
        return found
    try:
        indexed = _indexed_doc_ids(store.open_generation(live))
    except Exception as exc:  # a damaged segment surfaces as any of several errors
        found.append(
            Finding("unreadable", f"the index cannot be read ({type(exc).__name__}: {exc})")
        )
        return found
    try:
        entries = manifest.load(live)
        failures = manifest.load_failures(live)
    except IndexDamagedError as exc:
        found.append(Finding("unreadable", str(exc).split(": run")[0]))
        return found
    listed = {e.doc_id: key for key, e in entries.items()}
    for doc_id in sorted(set(listed) - indexed):
        found.append(
            Finding("missing", f"{listed[doc_id]} is in the manifest but not in the index")
        )
    for doc_id in sorted(indexed - set(listed)):
        found.append(Finding("extra", f"document {doc_id} is in the index but not in the manifest"))
    try:
        scan = walk_corpus(settings.corpus_dir)
    except Exception as exc:
        found.append(Finding("no-index", f"the corpus cannot be read: {exc}"))
        return found
    sources = scan.sources
    if scan.unsupported:
        found.append(
            Finding(
                "unsupported",
                f"{unsupported_summary(scan.unsupported)} (files of a type this tool does not read)",
            )
        )
    for key, src in sorted(sources.items()):
        entry, failure = entries.get(key), failures.get(key)
        if failure and (failure.size, failure.mtime_ns) == (src.size, src.mtime_ns):
            kept = " (its last readable version stays indexed)" if entry else ""
            found.append(Finding("failed", f"{key}: {failure.reason}{kept}"))
        elif entry is None:
            found.append(Finding("new-source", f"{key} is not indexed yet"))
        elif (entry.size, entry.mtime_ns) != (src.size, src.mtime_ns):
            found.append(Finding("stale-source", f"{key} changed since it was indexed"))
    for key in sorted(set(entries) - set(sources)):
        found.append(Finding("removed-source", f"{key} was removed but is still indexed"))
    return found


def repair(settings: Settings) -> DoctorReport:
    """Check, then fix what was found; returns the findings and what was done.

    Refuses (IndexFolderError) a folder that is not this tool's index, before touching it."""
    index_home.claim(settings.index_dir, settings.corpus_dir, rebuild=False)
    findings = check(settings)
    actions: list[str] = []
    kinds = {f.kind for f in findings}
    if "stale-lock" in kinds:
        with contextlib.suppress(FileNotFoundError):
            (settings.index_dir / lock.LOCK_NAME).unlink()
        actions.append("removed the stale lock")
    if "leftover-generation" in kinds:
        store.prune(settings.index_dir)
        actions.append("removed generations left by interrupted rebuilds")
    if kinds & {"no-index", "unreadable", "schema"}:
        report = run_index(settings, rebuild=True)
        actions.append(
            f"rebuilt the index ({report.passages} passages, {len(report.failed)} files failed)"
        )
        return DoctorReport(tuple(findings), tuple(actions))
    live = store.current_generation(settings.index_dir)
    if live is not None and kinds & {"missing", "extra"}:
        with lock.writer_lock(settings.index_dir):
            entries = manifest.load(live)
            ix = store.open_generation(live)
            indexed = _indexed_doc_ids(ix)
            kept = {k: e for k, e in entries.items() if e.doc_id in indexed}
            extra = indexed - {doc_id_for(k) for k in kept}
            if extra:
                with store.writing(ix) as writer:
                    delete_documents(writer, sorted(extra))
            manifest.save(live, kept)
        actions.append("dropped manifest entries and documents that did not match each other")
    if kinds & {"missing", "extra", "stale-source", "new-source", "removed-source"}:
        report = run_index(settings)
        actions.append(
            f"reindexed: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {len(report.failed)} failed"
        )
    return DoctorReport(tuple(findings), tuple(actions))
