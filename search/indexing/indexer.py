"""Build and update the index: a generator of progress events ending with a report.

Incremental by default: a stat call decides most sources are unchanged; a changed size
or mtime leads to a SHA-256 comparison; only new and really changed sources are
extracted. Deletes and adds go through one writer and one commit. A rebuild (asked for,
or forced by a schema change) writes a new generation and swaps it in when complete.
Both the CLI's progress bar and the TUI's consume the same events.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from search import fields
from search.errors import IndexFolderError, IndexMissingError, IndexWriteError, SearchError
from search.indexing import index_home, manifest, store, term_arrays, word_forms
from search.indexing.lock import writer_lock
from search.ingest.extract import SUPPORTED_SUFFIXES, doc_id_for
from search.ingest.metadata import FOLDER_FILE, MAX_META_BYTES, SIDECAR_SUFFIX
from search.ingest.workers import Job, extract_all
from search.models import Document, Failure, IndexProgress, IndexReport, SourceFile
from search.settings import Settings
from search.text import compounds
from search.text.analysis import field_terms, fold, token_texts
from search.text.fingerprint import fingerprint

OCR_CACHE = "ocr-cache"
"""Folder of the index home where text recognised in scans is kept by content hash."""
WRITER_MB = 128
"""Whoosh's posting pool per writer process before it spills a sorted run to disk."""
SHARED_FROM = 400
"""Passages from which an update writes half of them in a second process, at the same time
(`store.SharesElsewhere`): forking costs about 20 ms, and 100 documents of 1000 passages
take a process 1.3 s."""


def _ignored(rel: Path) -> bool:
    """Hidden and underscore folders (sources of the sample corpus, tooling) are skipped."""
    parts = rel.parts
    if any(p.startswith((".", "_")) for p in parts[:-1]) or parts[-1].startswith("."):
        return True
    return len(parts) == 1 and parts[0].lower() == "readme.md"


@dataclass(frozen=True, slots=True)
class CorpusScan:
    """What a walk of the corpus found: every file is in exactly one of these."""

    sources: dict[str, SourceFile]
    """Indexable files by corpus-relative posix path (stat only)."""
    skipped: tuple[Failure, ...]
    """Entries passed over, each with the reason: links out, FIFOs, devices, duplicates."""
    unsupported: tuple[str, ...]
    """Files of a type the tool does not read (.docx, .xlsx, images, …)."""


def walk_corpus(corpus_dir: Path) -> CorpusScan:
    """Every file under the corpus, accounted for: indexable, skipped with a reason, or of
    a type the tool does not read.

    Regular files only: devices, FIFOs and sockets are passed over (reading one could hang
    the run). Links are followed only while they stay inside the corpus; each real folder
    and file is visited once, so link loops end and a file linked twice is one document.
    """
    if not corpus_dir.is_dir():
        raise IndexMissingError(f"corpus folder {corpus_dir} does not exist")
    root = corpus_dir.resolve()
    found: dict[str, SourceFile] = {}
    skipped: list[Failure] = []
    unsupported: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: dict[tuple[int, int], str] = {}
    stack: list[tuple[Path, PurePosixPath]] = [(corpus_dir, PurePosixPath())]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen_dirs:
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(
                Failure(str(rel_folder) or ".", f"folder cannot be read ({exc.strerror})")
            )
            continue
        folders: list[tuple[Path, PurePosixPath]] = []
        for entry in entries:
            rel = rel_folder / safe_name(entry.name)
            key = rel.as_posix()
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    target = path.resolve(strict=True)
                    if target != root and root not in target.parents:
                        if _wanted(rel, path, directory=target.is_dir()):
                            skipped.append(
                                Failure(key, "a link to outside the corpus, not followed")
                            )
                        continue
                st = os.stat(path)
            except (OSError, RuntimeError):
                if _wanted(rel, path, directory=False):
                    skipped.append(Failure(key, "a broken or looping link"))
                continue
            if stat.S_ISDIR(st.st_mode):
                if _wanted(rel, path, directory=True):
                    folders.append((path, rel))
                continue
            if not _wanted(rel, path, directory=False):
                if _other_type(rel, path) and stat.S_ISREG(st.st_mode):
                    unsupported.append(key)
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append(Failure(key, f"{_kind_of(st.st_mode)}, not a regular file"))
                continue
            ident = (st.st_dev, st.st_ino)
            if ident in seen_files:
                skipped.append(Failure(key, f"the same file as {seen_files[ident]}"))
                continue
            seen_files[ident] = key
            found[key] = SourceFile(key, str(path), st.st_size, st.st_mtime_ns)
        stack.extend(reversed(folders))  # depth first, in name order
    return CorpusScan(
        dict(sorted(found.items())),
        tuple(sorted(skipped, key=lambda f: f.key)),
        tuple(sorted(unsupported)),
    )


def _other_type(rel: PurePosixPath, path: Path) -> bool:
    """A file a person put in the corpus that the tool cannot read (not metadata, not hidden)."""
    name = rel.name
    return (
        path.suffix.lower() not in SUPPORTED_SUFFIXES
        and not name.endswith(SIDECAR_SUFFIX)
        and name != FOLDER_FILE
        and not _ignored(Path(rel))
    )


def _write_error(index_dir: Path, exc: OSError) -> IndexWriteError:
    return IndexWriteError(
        f"could not write the index in {index_dir} ({exc.strerror or exc}); "
        "the index stays as it was before this run"
    )


def _unchanged(
    src: SourceFile,
    sig: str,
    prev: manifest.Entry | None,
    failed_before: manifest.FailedEntry | None,
) -> bool:
    """Size, time and metadata as recorded: no need to read (hash) the file."""
    stamp = (src.size, src.mtime_ns)
    return any(
        e is not None and e.meta_sig == sig and (e.size, e.mtime_ns) == stamp
        for e in (prev, failed_before)
    )


def scan_corpus(corpus_dir: Path) -> dict[str, SourceFile]:
    return walk_corpus(corpus_dir).sources


def safe_name(name: str) -> str:
    """A file name as text that prints and encodes anywhere: bytes that are not UTF-8
    (kept by Python as surrogates) shown as U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _wanted(rel: PurePosixPath, path: Path, directory: bool) -> bool:
    if directory:
        return not rel.name.startswith((".", "_"))
    return (
        path.suffix.lower() in SUPPORTED_SUFFIXES
        and not rel.name.endswith(SIDECAR_SUFFIX)
        and not _ignored(Path(rel))
    )


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def sha256_file(path: str, max_bytes: int | None = None) -> str:
    """The file's SHA-256; raises OSError for anything but a regular file (a FIFO swapped
    in since the scan would block the run) or one past `max_bytes`."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file")
        if max_bytes is not None and st.st_size > max_bytes:
            raise OSError(0, f"too large: {st.st_size} bytes (limit {max_bytes})")
        digest = hashlib.sha256()
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unreadable(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied"
    if not exc.errno and exc.strerror:
        return exc.strerror
    return f"cannot be read: {exc.strerror or exc}"


def _file_sig(path: Path) -> str:
    """A metadata file's fingerprint: its content's hash, or (past the size any metadata
    file may have, which extraction then refuses) its size and time; empty if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return ""
    if not stat.S_ISREG(st.st_mode):
        return ""
    if st.st_size > MAX_META_BYTES:
        return f"large:{st.st_size}:{st.st_mtime_ns}"
    return hashlib.sha1(path.read_bytes()).hexdigest()


class _MetaSignatures:
    """A fingerprint of the metadata files that apply to a source, cached per folder."""

    def __init__(self, corpus_dir: Path) -> None:
        self.root = corpus_dir
        self.folders: dict[Path, str] = {}

    def _folder(self, folder: Path) -> str:
        if folder not in self.folders:
            own = _file_sig(folder / FOLDER_FILE)
            parent = (
                self._folder(folder.parent)
                if folder != self.root and self.root in folder.parents
                else ""
            )
            self.folders[folder] = hashlib.sha1((own + parent).encode()).hexdigest()
        return self.folders[folder]

    def __call__(self, path: Path) -> str:
        own = _file_sig(path.with_name(path.name + SIDECAR_SUFFIX))
        return hashlib.sha1((own + self._folder(path.parent)).encode()).hexdigest()


def compound_dictionary(
    docs: list[Document], reader: Any = None, written: list[Document] | None = None
) -> compounds.Splitter:
    """Swedish compounds split against known word stems: shipped parts, standalone words of
    these documents and, for an update, every stem the index already holds. Only Swedish
    passages use them: with none to write, nothing is read (the Swedish dictionary costs a
    one-file run 0.2 s). Those the compounds of the documents `written` here (all, unless
    given) may ask for are looked up in the index at once; any other when asked for."""
    swedish = _swedish(docs)
    mine = swedish if written is None else _swedish(written)
    if not mine:
        return compounds.Splitter(set())
    known = compounds.known_stems(t for text in swedish for t in token_texts(text))
    if reader is None:
        return compounds.Splitter(known)
    word_forms.learn_parts(reader)  # the parts of words indexed before: not asked again
    indexed = _IndexedStems(known, reader)
    indexed.look_up(compounds.tails(t for text in mine for t in token_texts(text)))
    return compounds.Splitter(indexed)


def _swedish(docs: list[Document]) -> list[str]:
    return [p.text for d in docs for p in d.passages if p.language == "sv"]


class _IndexedStems:
    """Stems known before an update: the given ones, then those the index holds, looked
    up in the index (the last parts of the documents' compounds at once, in each segment's
    term arrays; any other when a compound first asks for it). Reading every Swedish term
    of the index instead cost each update 0.9 s at 300,000 terms (an F5 on one new file)."""

    def __init__(self, known: set[str], reader: Any) -> None:
        self._known, self._reader = known, reader
        self._asked: dict[str, bool] = {}

    def look_up(self, stems: Iterable[str]) -> None:
        """Ask the index about these stems now, all at once."""
        wanted = sorted(set(stems) - self._known - self._asked.keys())
        held = np.zeros(len(wanted), dtype=bool)
        for leaf, _ in self._reader.leaf_readers():
            arrays = term_arrays.open_arrays(leaf)
            if arrays is None:  # a segment without arrays: its hash table, term by term
                held |= [("text_sv", s) in leaf for s in wanted]
            else:
                with contextlib.closing(arrays):
                    held |= arrays.holds("text_sv", [s.encode("utf-8") for s in wanted])
        self._asked.update(zip(wanted, held.tolist(), strict=True))

    def __contains__(self, stem: object) -> bool:
        if not isinstance(stem, str):
            return False
        if stem in self._known:
            return True
        held = self._asked.get(stem)
        if held is None:
            held = self._asked[stem] = ("text_sv", stem) in self._reader
        return held


def _leads_with(text: str, words: str) -> bool:
    return fold(words) in fold(text[: 2 * len(words) + 20])


def searchable_texts(doc: Document) -> list[str]:
    """The text each passage is indexed by: its own, after the document's title (on the
    first passage) and its section's heading (on the section's first passage) where the text
    does not already start with them. So a word only in a title or a heading finds the
    document, analysed like the rest of its language; the stored text stays as it was."""
    title = doc.metadata.title.strip()
    headed: set[tuple[int, str]] = set()
    texts = []
    for i, p in enumerate(doc.passages):
        lead = [title] if i == 0 and title and not _leads_with(p.text, title) else []
        heading = p.heading.strip()
        if heading and (p.page, heading) not in headed:
            headed.add((p.page, heading))
            if heading != title and not _leads_with(p.text, heading):
                lead.append(heading)
        texts.append("\n\n".join([*lead, p.text]))
    return texts


def _rows(
    doc: Document, known: compounds.Splitter | None = None, content: str = ""
) -> Iterator[dict[str, Any]]:
    m = doc.metadata
    common: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "content": content,
        "source_key": doc.source_key,
        "title": m.title,
        "url": m.url,
        "origin": dict(m.origin),
    }
    for f in fields.table():
        if not f.per_passage:
            value = fields.encode(f, fields.document_values(f, doc))
            if value is not None:
                common[f.name] = value
    # the MinHash of the text is read from a document's first passage alone (`FacetIndex`):
    # on every passage it was a third of each passage's stored bytes, read with every hit
    first: dict[str, str] = {"fingerprint": fingerprint(" ".join(p.text for p in doc.passages))}
    for p, searchable in zip(doc.passages, searchable_texts(doc), strict=True):
        row = {
            **common,
            **first,
            "id": p.id,
            "text": p.text,
            "page": p.page,
            "heading": p.heading,
            "start": p.start,
            "end": p.end,
            "lang": p.language,
            "ocr": p.ocr,
            **field_terms(searchable, p.language),
        }
        if p.language == "sv" and known is not None:
            row["text_sv_parts"] = known.parts_text(searchable)
        yield row
        first = {}


def _add(writer: Any, doc: Document, known: compounds.Splitter, content: str = "") -> int:
    """Write a document's passages; returns how many."""
    count = 0
    for row in _rows(doc, known, content):
        writer.add_document(**row)
        count += 1
    return count


def delete_documents(writer: Any, doc_ids: list[str], reader: Any = None) -> None:
    """Delete the passages of these documents, found through `reader` (the writer's own
    unless given): only ids the index holds are looked for, passage by passage (Whoosh's
    delete_by_query opens a searcher and matches every id in every segment; an update of
    a hundred documents took twice as long)."""
    reader = reader if reader is not None else writer.reader()
    for doc_id in doc_ids:
        if ("doc_id", doc_id) in reader:
            for docnum in reader.postings("doc_id", doc_id).all_ids():
                writer.delete_document(docnum)


@dataclass(frozen=True, slots=True)
class Plan:
    """What an index run has to do, decided from the corpus and the manifest alone."""

    kept: dict[str, manifest.Entry]
    """Indexed and unchanged, or kept until a changed or unreadable file can be read."""
    still_failing: dict[str, manifest.FailedEntry]
    """Failed before and unchanged since: not read again."""
    todo: list[tuple[SourceFile, str, str]]
    """(source, SHA-256, metadata signature) to extract: new or really changed."""
    removed: list[str]
    """In the manifest, gone from the corpus."""
    unreadable: tuple[Failure, ...]
    """Files that could not even be hashed (permission denied, …): they fail alone."""


def plan_run(
    sources: dict[str, SourceFile],
    old: dict[str, manifest.Entry],
    old_failures: dict[str, manifest.FailedEntry],
    signature: Callable[[SourceFile], str],
    sha256: Callable[[SourceFile], str],
) -> Plan:
    """Decide, per source, whether to keep, skip or (re)extract it. A stat-equal file with
    the same metadata costs nothing; a stat-changed one is hashed, and extracted only if
    its content changed. `signature` and `sha256` may raise OSError: that file alone fails."""
    kept: dict[str, manifest.Entry] = {}
    still_failing: dict[str, manifest.FailedEntry] = {}
    todo: list[tuple[SourceFile, str, str]] = []
    unreadable: list[Failure] = []
    for key, src in sources.items():
        prev, failed_before = old.get(key), old_failures.get(key)
        try:
            sig = signature(src)
            sha = "" if _unchanged(src, sig, prev, failed_before) else sha256(src)
        except OSError as exc:
            unreadable.append(Failure(key, _unreadable(exc)))
            if prev:
                kept[key] = prev  # what is indexed stays until it can be read
            continue
        stamp = (src.size, src.mtime_ns)
        if prev and prev.meta_sig == sig and (prev.size, prev.mtime_ns) == stamp:
            kept[key] = prev
        elif (
            failed_before
            and failed_before.meta_sig == sig
            and (
                (failed_before.size, failed_before.mtime_ns) == stamp or failed_before.sha256 == sha
            )
        ):
            still_failing[key] = replace(failed_before, size=src.size, mtime_ns=src.mtime_ns)
            if prev:
                kept[key] = prev  # the version indexed before it broke stays
        elif prev and prev.meta_sig == sig and prev.sha256 == sha:
            kept[key] = replace(prev, size=src.size, mtime_ns=src.mtime_ns)
        else:
            todo.append((src, sha, sig))
            if prev:
                kept[key] = prev  # kept until the new version is in: nothing lost on failure
    removed = sorted(set(old) - set(sources))
    return Plan(kept, still_failing, todo, removed, tuple(unreadable))


def index_events(
    settings: Settings, rebuild: bool = False
) -> Generator[IndexProgress | IndexReport, None, None]:
    """Bring the index up to date with the corpus; the last event is the IndexReport.

    A file that failed before and has not changed since is not read again: it is reported
    among `known_failures` with its reason until it changes or the index is rebuilt."""
    started = time.monotonic()
    index_dir, corpus_dir = settings.index_dir, settings.corpus_dir
    if not corpus_dir.is_dir():
        raise IndexMissingError(f"corpus folder {corpus_dir} does not exist")
    index_home.claim(index_dir, corpus_dir, rebuild)
    with writer_lock(index_dir):
        store.prune(index_dir)  # generations left by a killed rebuild
        scan = walk_corpus(corpus_dir)
        sources = scan.sources
        yield IndexProgress("scan", len(sources), len(sources))
        rebuild = rebuild or store.needs_rebuild(index_dir)
        live = store.current_generation(index_dir)
        old = {} if rebuild or live is None else manifest.load(live)
        old_failures = {} if rebuild or live is None else manifest.load_failures(live)
        signature = _MetaSignatures(corpus_dir)

        plan = plan_run(
            sources,
            old,
            old_failures,
            lambda src: signature(Path(src.path)),
            lambda src: sha256_file(src.path, settings.limits.max_file_bytes),
        )
        entries, failures, todo, removed = plan.kept, plan.still_failing, plan.todo, plan.removed
        if old and not sources and not rebuild:
            raise IndexFolderError(
                f"the corpus {corpus_dir} is empty, and the index holds "
                f"{len(old)} documents from it: nothing was removed (if the folder is not "
                "mounted, mount it; to empty the index, add --rebuild)"
            )
        known_failures = tuple(Failure(f.key, f.reason) for f in failures.values())

        docs: list[tuple[Document, str, int, int, str]] = []
        failed: list[Failure] = list(plan.unreadable)
        by_key = {src.key: (src, sha, sig) for src, sha, sig in todo}
        jobs = [Job(src.key, src.path) for src, _, _ in todo]
        yield IndexProgress("extract", 0, len(jobs))
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        limits = replace(settings.limits, ocr_cache_dir=str(settings.index_dir / OCR_CACHE))
        n = 0
        for job, outcome in extract_all(jobs, corpus_dir, limits, settings.worker_count):
            if isinstance(outcome, str):  # a long file says where it is
                yield IndexProgress("extract", n, len(jobs), f"{job.key}: {outcome}")
                continue
            n += 1
            src, sha, sig = by_key[job.key]
            if isinstance(outcome, Failure):
                failed.append(outcome)
                failures[job.key] = manifest.FailedEntry(
                    job.key, src.size, src.mtime_ns, sha, sig, outcome.reason, now
                )
            else:
                docs.append((outcome, sha, src.size, src.mtime_ns, sig))
            yield IndexProgress("extract", n, len(jobs), job.key)

        def report() -> IndexReport:
            return _report(
                docs,
                old,
                removed,
                entries,
                failed,
                known_failures,
                scan,
                started,
                rebuild,
                len(sources),
            )

        if (
            live is not None
            and not docs
            and not removed
            and not rebuild
            and not entries.keys() ^ old.keys()
        ):
            if entries != old or failures != old_failures:
                manifest.save(live, entries, failures)
            yield report()
            return

        try:
            with contextlib.ExitStack() as stack:
                if rebuild or live is None:
                    gen, ix = stack.enter_context(store.new_generation(index_dir))
                else:
                    gen, ix = live, store.open_generation(live)
                for doc, sha, size, mtime, sig in docs:
                    entries[doc.source_key] = manifest.Entry(
                        doc.source_key, size, mtime, sha, sig, doc.doc_id, len(doc.passages), now
                    )
                    failures.pop(doc.source_key, None)
                for key in removed:
                    entries.pop(key, None)
                if rebuild:  # a rebuild starts empty: only what was extracted now is in it
                    written = {d.source_key for d, *_ in docs}
                    entries = {k: e for k, e in entries.items() if k in written}
                documents = [d for d, *_ in docs]
                contents = {d.doc_id: sha for d, sha, *_ in docs}
                if gen != live:  # a new index: a segment per memory limit
                    yield from _write_new(ix, documents, contents)
                else:
                    deleted = [doc_id_for(k) for k in removed]
                    yield from _write_update(ix, documents, deleted, contents)
                manifest.save(gen, entries, failures)
                if gen != live:
                    store.publish(index_dir, gen)
        except OSError as exc:  # a full disk, a read-only folder: the old index stands
            raise _write_error(index_dir, exc) from exc
        if gen != live:
            index_home.record(index_dir, corpus_dir)
            store.prune(index_dir)  # open readers keep their files (POSIX); new ones follow CURRENT
        yield report()


def _report(
    docs: list[tuple[Document, str, int, int, str]],
    old: dict[str, manifest.Entry],
    removed: list[str],
    entries: dict[str, manifest.Entry],
    failed: list[Failure],
    known_failures: tuple[Failure, ...],
    scan: CorpusScan,
    started: float,
    rebuilt: bool,
    total: int,
) -> IndexReport:
    keys = [d.source_key for d, *_ in docs]
    notes = tuple(Failure(d.source_key, w) for d, *_ in docs for w in d.warnings)
    added = tuple(k for k in keys if k not in old)
    updated = tuple(k for k in keys if k in old)
    return IndexReport(
        added=added,
        updated=updated,
        removed=tuple(removed),
        unchanged=total - len(added) - len(updated) - len(failed) - len(known_failures),
        failed=tuple(failed),
        known_failures=known_failures,
        skipped=scan.skipped,
        unsupported=scan.unsupported,
        passages=sum(e.passages for e in entries.values()),
        seconds=time.monotonic() - started,
        rebuilt=rebuilt,
        notes=notes,
    )


def run_index(settings: Settings, rebuild: bool = False) -> IndexReport:
    """Run an index update to completion and return its report."""
    for event in index_events(settings, rebuild):
        if isinstance(event, IndexReport):
            return event
    raise SearchError("the index run ended without a report")


def build_from_documents(
    settings: Settings, documents: Iterator[Document], procs: int = 1, limitmb: int = WRITER_MB
) -> int:
    """Write already-processed documents into a fresh generation and publish it.

    The benchmark's path to large generated collections: the same fields and the same
    atomic swap as a rebuild, without extraction. `procs` processes each write a share of
    the documents, a segment per `limitmb` of postings held. Returns the number of passages.
    """
    index_home.claim(settings.index_dir, settings.corpus_dir, rebuild=True)
    docs = list(documents)
    known = compound_dictionary(docs)

    def rows(share: int) -> Iterator[dict[str, Any]]:
        # a contiguous share: a process touches (and so copies) only its own part of
        # the documents it shares with this one
        size = -(-len(docs) // procs)
        for doc in docs[share * size : (share + 1) * size]:
            yield from _rows(doc, known)

    with writer_lock(settings.index_dir), store.new_generation(settings.index_dir) as (gen, ix):
        count = store.write_segments(ix, rows, procs, limitmb)
        store.publish(settings.index_dir, gen)
    index_home.record(settings.index_dir, settings.corpus_dir)
    store.prune(settings.index_dir)
    return count


def add_documents(settings: Settings, documents: list[Document]) -> int:
    """Replace-or-add processed documents in the live index with one commit (the incremental
    path without extraction; the benchmark's measure of an incremental add). Returns the
    number of passages."""
    with writer_lock(settings.index_dir):
        live = store.current_generation(settings.index_dir)
        if live is None:
            raise IndexMissingError(f"no index at {settings.index_dir}")
        ix = store.open_generation(live)
        for _ in _write_update(ix, documents, [], {}):
            pass
    return sum(len(d.passages) for d in documents)


def _write_new(
    ix: Any, documents: list[Document], contents: dict[str, str]
) -> Iterator[IndexProgress]:
    """Write the documents into a new, empty index, a segment per memory limit."""
    with store.writing_new(ix, WRITER_MB) as writer:
        known = compound_dictionary(documents)
        for n, doc in enumerate(documents, start=1):
            _add(writer, doc, known, contents.get(doc.doc_id, ""))
            yield IndexProgress("write", n, len(documents), doc.source_key)
        yield IndexProgress("commit", 0, 1)


def _write_update(
    ix: Any, documents: list[Document], deleted: list[str], contents: dict[str, str]
) -> Iterator[IndexProgress]:
    """Replace-or-add documents in the live index `ix`, and delete the documents `deleted`,
    with one commit (`contents`: each document's content hash, to store). From SHARED_FROM
    passages on, a second process writes about half of them at the same time (`_shares`);
    the progress counts this process's documents, the commit waits for the other's."""
    mine, theirs = _shares(documents)
    with contextlib.ExitStack() as stack:
        elsewhere = None
        if theirs:
            rows = _rows_of(ix, documents, theirs, contents)
            elsewhere = store.SharesElsewhere(ix, rows, range(1, 2), 2, WRITER_MB)
            stack.callback(elsewhere.cancel)  # (nothing left to stop once collected)
        with store.writing(ix, merge=True, limitmb=WRITER_MB) as writer:
            reader = writer.reader()
            word_forms.learn(reader)  # the words met before: looked up
            delete_documents(writer, [*deleted, *(d.doc_id for d in documents)], reader)
            known = compound_dictionary(documents, reader, mine)
            for n, doc in enumerate(mine, start=1):
                _add(writer, doc, known, contents.get(doc.doc_id, ""))
                yield IndexProgress("write", n, len(documents), doc.source_key)
            if elsewhere is not None:
                writer.list_beside(elsewhere.segments)
            yield IndexProgress("commit", 0, 1)


def _shares(documents: list[Document]) -> tuple[list[Document], list[Document]]:
    """The documents this process writes, and those a second one writes beside it: about
    half the work each from SHARED_FROM passages on, with a second core to run on, in a
    process with no other thread to fork (store.SharesElsewhere); else all here.

    Documents go by their main language, whole languages to one share where that leaves
    the shares within a fifth of each other: each process then meets half the words (a
    segment's every distinct term costs it, and a word first met costs the dictionary),
    and only one looks for Swedish compounds."""
    if (
        sum(len(d.passages) for d in documents) < SHARED_FROM
        or _cores() < 2
        or threading.active_count() > 1
    ):
        return documents, []
    languages = [_main_language(d) for d in documents]
    # a Swedish passage costs about twice another: its compounds are looked for
    costs = [
        len(d.passages) * (2 if lang == "sv" else 1)
        for d, lang in zip(documents, languages, strict=True)
    ]
    total = sum(costs)
    by_language: dict[str, int] = {}
    for language, cost in zip(languages, costs, strict=True):
        by_language[language] = by_language.get(language, 0) + cost
    theirs: set[str] = set()
    held = [0, 0]
    for language, cost in sorted(by_language.items(), key=lambda item: -item[1]):
        if held[1] < held[0]:
            theirs.add(language)
        held[held[1] < held[0]] += cost
    if abs(held[0] - held[1]) <= total / 5:
        chosen = [lang in theirs for lang in languages]
    else:  # one language is most of the work: halves in order
        chosen = (np.cumsum(costs) - costs >= total / 2).tolist()
    return (
        [d for d, other in zip(documents, chosen, strict=True) if not other],
        [d for d, other in zip(documents, chosen, strict=True) if other],
    )


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _main_language(doc: Document) -> str:
    """The language most of a document's passages are in."""
    counts: dict[str, int] = {}
    for p in doc.passages:
        counts[p.language] = counts.get(p.language, 0) + 1
    return max(counts, key=counts.__getitem__, default="")


def _rows_of(
    ix: Any, documents: list[Document], share: list[Document], contents: dict[str, str]
) -> Callable[[int], Iterator[dict[str, Any]]]:
    """A share's passages as a forked process writes them: the index read through a reader
    of its own (a reader's open files are not shared across a fork), the Swedish stems of
    all the update's documents known as this process knows them."""

    def rows(_share: int) -> Iterator[dict[str, Any]]:
        with contextlib.closing(ix.reader()) as reader:
            word_forms.learn(reader)
            known = compound_dictionary(documents, reader, share)
            for doc in share:
                yield from _rows(doc, known, contents.get(doc.doc_id, ""))

    return rows
