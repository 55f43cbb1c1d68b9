"""Command line: argument parsing and printing only; the work is in `search.service`.

Exit codes: 0 success, 1 nothing could be done, 2 usage error (including malformed
queries), 3 some files failed but the index was updated with the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from search import fields
from search.errors import QuerySyntaxError, SearchError
from search.models import (
    SORTS,
    IndexProgress,
    IndexReport,
    SearchRequest,
    YearRange,
    unsupported_summary,
)
from search.render import plural
from search.service import SearchService
from search.settings import Settings, default_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's default exit code is 2 too; keep the hint
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _settings(args: argparse.Namespace) -> Settings:
    return default_settings(index_dir=args.index, corpus_dir=args.corpus)


def _service(args: argparse.Namespace) -> SearchService:
    return SearchService(_settings(args))


class ProgressBar:
    """A one-line bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.active = stream.isatty()

    def update(self, event: IndexProgress) -> None:
        if not self.active or event.phase == "scan":
            return
        width = 30
        filled = int(width * event.done / event.total) if event.total else width
        label = event.current[-40:]
        self.stream.write(
            f"\r{event.phase:<8}[{'#' * filled}{'.' * (width - filled)}] "
            f"{event.done}/{event.total} {label:<40}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def _print_report(report: IndexReport, out: TextIO) -> None:
    kind = "rebuilt" if report.rebuilt else "updated"
    failed = len(report.failed) + len(report.known_failures)
    out.write(
        f"Index {kind} in {report.seconds:.1f} s: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged, {failed} failed; "
        f"{plural(report.passages, 'passage')} in all.\n"
    )
    for failure in report.failed:
        out.write(f"  failed: {failure.key}: {failure.reason}\n")
    for note in report.notes:
        out.write(f"  note: {note.key}: {note.reason}\n")
    for entry in report.skipped:
        out.write(f"  skipped: {entry.key}: {entry.reason}\n")
    if report.unsupported:
        out.write(
            f"  skipped, not a type this tool reads: {unsupported_summary(report.unsupported)}\n"
        )
    for failure in report.known_failures:
        out.write(
            f"  failed earlier, unchanged since (not read again): {failure.key}: {failure.reason}\n"
        )


def _watch(args: argparse.Namespace) -> int:
    """`index --watch`: a line per run, as files arrive, change or go; ctrl+c ends it."""
    import datetime as dt

    out = sys.stdout
    out.write(f"Watching {_settings(args).corpus_dir} (ctrl+c stops) …\n")
    out.flush()
    try:
        for outcome in _service(args).watch():
            stamp = dt.datetime.now().strftime("%H:%M:%S")
            if isinstance(outcome, SearchError):
                out.write(f"{stamp} not updated: {outcome}\n")
            elif outcome.added or outcome.updated or outcome.removed or outcome.failed:
                out.write(f"{stamp} ")
                _print_report(outcome, out)
            out.flush()
    except KeyboardInterrupt:
        out.write("Stopped watching.\n")
    return EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(args)
    bar = ProgressBar()
    report: IndexReport | None = None
    try:
        for event in _service(args).index_events(rebuild=args.rebuild):
            if isinstance(event, IndexReport):
                report = event
            else:
                bar.update(event)
    finally:
        bar.close()
    assert report is not None
    if args.json:
        json.dump(
            asdict(report) | {"exit_code": report.exit_code},
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        _print_report(report, sys.stdout)
        if args.stats:
            _print_stats(args)
    return report.exit_code


def _print_stats(args: argparse.Namespace) -> None:
    service = _service(args)
    st = service.stats()
    out = sys.stdout
    out.write(
        f"{st.documents} documents, {st.passages} passages, {st.index_bytes / 1e6:.1f} MB, "
        f"last update {st.last_update}\n"
    )
    if not st.documents:
        out.write(
            f"  nothing indexed yet: put documents in {service.settings.corpus_dir} and run "
            "`python -m search index`\n"
        )
    for label, rows in (
        ("documents by country", st.by_country),
        ("documents by language", st.by_language),
        ("documents by type", st.by_type),
        ("passages by language", st.passages_by_language),
    ):
        if rows:
            out.write(f"  {label}: " + ", ".join(f"{k or '?'} {v}" for k, v in rows) + "\n")
    if st.unsupported:
        types = ", ".join(f"{n} {suffix}" for suffix, n in st.unsupported)
        out.write(f"  not read (a type this tool does not read): {types}\n")
    out.write(f"  index: {st.index_dir}\n")


def cmd_stats(args: argparse.Namespace) -> int:
    if args.json:
        json.dump(asdict(_service(args).stats()), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_stats(args)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    doc = _service(args).show(args.ref)
    if doc is None:
        sys.stderr.write(f"not in the index: {args.ref}\n")
        return EXIT_FAILED
    if args.json:
        json.dump(asdict(doc), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    out = sys.stdout
    out.write(f"{doc.title}\n  id {doc.doc_id}, source {doc.source_key}\n")
    for name, value, origin in doc.fields:
        out.write(f"  {name:<13} {value}" + (f"   ({origin})" if origin else "") + "\n")
    for p in doc.passages:
        where = f"page {p.page}" + (f", {p.heading}" if p.heading else "")
        where += ", read by OCR" if p.ocr else ""
        out.write(f"\n[{p.id}] {where}, {p.language}\n{p.text}\n")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    service = _service(args)
    code = EXIT_OK
    for url in args.urls:
        try:
            saved = service.add_url(url)
        except SearchError as exc:
            sys.stderr.write(f"error: {exc}\n")
            code = EXIT_PARTIAL if len(args.urls) > 1 else EXIT_FAILED
            continue
        sys.stdout.write(f"saved {saved.url} as {saved.path} ({saved.bytes} bytes)\n")
    if code == EXIT_OK or len(args.urls) > 1:
        sys.stdout.write("Run `python -m search index` to make the new pages searchable.\n")
    return code


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _filter_options(p: argparse.ArgumentParser) -> None:
    """`--country`, `--lang`, `--type`, `--year`, …: one per field of the table."""
    for f in fields.table():
        meta = "A..B" if f.numeric else None
        p.add_argument(f.flag, dest=f"filter_{f.name}", metavar=meta, help=f.help or f.label)


def search_request(args: argparse.Namespace, page: int, page_size: int) -> SearchRequest:
    filters: list[tuple[str, tuple[str, ...]]] = []
    years = YearRange()
    for f in fields.table():
        given = getattr(args, f"filter_{f.name}", None)
        if not given:
            continue
        if f.numeric:
            years = SearchService.parse_year_range(given)
        else:
            filters.append((f.name, _csv(given)))
    return SearchRequest(
        cross_lingual=args.cross_lingual,
        text=" ".join(args.text),
        filters=tuple(filters),
        years=years,
        sort=args.sort,
        page=page,
        page_size=page_size,
    )


def cmd_query(args: argparse.Namespace) -> int:
    from search import render

    service = _service(args)
    if args.format:
        sys.stdout.write(service.export(search_request(args, 1, 200), args.format))
        return EXIT_OK
    results = service.search(search_request(args, args.page, args.limit))
    if args.json:
        sys.stdout.write(render.results_json(results) + "\n")
    else:
        sys.stdout.write(render.results_text(results, colour=sys.stdout.isatty()))
    return EXIT_OK


def cmd_ask(args: argparse.Namespace) -> int:
    from search import render

    result = _service(args).ask(" ".join(args.question), search_request(args, 1, 10))
    if args.json:
        sys.stdout.write(render.answers_json(result) + "\n")
    else:
        sys.stdout.write(render.answers_text(result, colour=sys.stdout.isatty()))
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    checkup = _service(args).doctor(repair=args.repair)
    findings, actions, remaining = checkup.findings, checkup.actions, checkup.remaining
    problems = [f for f in findings if f.repairable]
    unreadable = [f for f in findings if f.kind == "failed"]
    other_types = [f for f in findings if f.kind == "unsupported"]
    if args.json:
        data = {
            "findings": [{"kind": f.kind, "detail": f.detail} for f in findings],
            "actions": list(actions),
            "healthy": not remaining,
        }
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_FAILED if remaining else EXIT_OK
    out = sys.stdout
    if not problems:
        out.write("The index is healthy: it matches its manifest and the corpus.\n")
    for f in problems:
        out.write(f"  {f.kind}: {f.detail}\n")
    for a in actions:
        out.write(f"  repaired: {a}\n")
    if problems and not args.repair:
        out.write("Run `python -m search doctor --repair` to fix these.\n")
    if args.repair and remaining:
        out.write("Still wrong after repair:\n")
        for f in remaining:
            out.write(f"  {f.kind}: {f.detail}\n")
    if unreadable:
        out.write(
            f"{plural(len(unreadable), 'file')} could not be read (no repair can change that; "
            "they are read again when they change, or on `index --rebuild`):\n"
        )
        for f in unreadable:
            out.write(f"  failed: {f.detail}\n")
    for f in other_types:
        out.write(f"Not read: {f.detail}\n")
    return EXIT_FAILED if remaining else EXIT_OK


INDEX_HELP = "index folder (default: ./index)"
CORPUS_HELP = (
    "document folder (default: the one the index was built from; for a new index ./corpus)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m search",
        description="Search Swedish, Latvian, Russian and English reports and web pages from the terminal.",
    )
    parser.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    parser.add_argument("--corpus", metavar="DIR", help=CORPUS_HELP)
    # the same two options after the subcommand (`index --corpus X --index Y`)
    common = _Parser(add_help=False)
    common.add_argument("--index", metavar="DIR", default=argparse.SUPPRESS, help=INDEX_HELP)
    common.add_argument("--corpus", metavar="DIR", default=argparse.SUPPRESS, help=CORPUS_HELP)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser(
        "index",
        parents=[common],
        help="add new, replace changed and drop removed documents",
        description="Bring the index up to date with the corpus folder. Unchanged files "
        "cost a stat call; --rebuild writes a fresh index and swaps it in.",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild from scratch (old index stays live until done)",
    )
    p.add_argument("--stats", action="store_true", help="print index statistics afterwards")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--watch",
        action="store_true",
        help="keep the index current: update it whenever files arrive, change or go "
        "(a line per update; ctrl+c stops)",
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser(
        "query",
        parents=[common],
        help="keyword search with facets",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description='Search every language at once. Words must all match; also "exact phrase", '
        '"words near"~3 (in order, up to 3 words between), -exclude, OR, prefix*, fuzzy~, ( ), '
        "and filters in the query such as country:LV "
        'lang:ru type:case year:2015..2018 org:"…" municipality:Rīga. Numbers match however '
        "their thousands and decimals are written: 12000 = 12 000 = 12,000; 7.9 = 7,9. "
        "Three words or more rank first the passages that say them in one sentence.",
        epilog="examples:\n  python -m search query sociala företag --country SE\n"
        "  python -m search query 'pasvaldiba OR kommun' --year 2018..2022 --json\n"
        "  python -m search query upphandling --format csv > hits.csv",
    )
    p.add_argument(
        "text",
        nargs="*",
        help="the query (empty: browse all documents); a word may start with - to exclude it",
    )
    _filter_options(p)
    p.add_argument("--sort", choices=SORTS, default="relevance")
    p.add_argument(
        "--cross-lingual",
        action="store_true",
        help="also search the other languages' terms for concepts of the glossary "
        "(social enterprise → socialt företag, sociālais uzņēmums, социальное предприятие)",
    )
    p.add_argument("--limit", type=int, default=10, help="documents per page (default 10)")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--json", action="store_true", help="machine-readable results (shape in README)")
    p.add_argument(
        "--format", choices=("csv", "json", "md"), help="export every hit with its citation"
    )
    p.set_defaults(func=cmd_query)

    p = sub.add_parser(
        "ask",
        parents=[common],
        help="answer a question with cited sentences from the documents",
        description="Answers a question with the sentences that answer it best, each with its citation "
        "(title, page or section, path or URL). A country named in the question becomes a filter. "
        "When nothing answers well, it says so and shows the closest passages.",
    )
    p.add_argument("question", nargs="+")
    _filter_options(p)
    p.add_argument(
        "--cross-lingual", action="store_true", help="expand the question through the glossary"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask, text=[], sort="relevance")

    p = sub.add_parser(
        "doctor",
        parents=[common],
        help="check the index against its manifest and the corpus; --repair fixes it",
        description="Finds stale locks, leftovers of interrupted rebuilds, unreadable segments, "
        "documents missing from the index or the manifest, and sources changed since indexing. "
        "Exit 0 when healthy (or repaired), 1 otherwise.",
    )
    p.add_argument("--repair", action="store_true", help="fix what was found (reindex or rebuild)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser(
        "stats", parents=[common], help="documents and passages per country, language and type"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "show",
        parents=[common],
        help="a document as indexed: metadata with its origin, passages, languages",
    )
    p.add_argument("ref", metavar="PATH|DOC_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "add", parents=[common], help="fetch web pages into corpus/web/ (then run index)"
    )
    p.add_argument("urls", nargs="+", metavar="URL")
    p.set_defaults(func=cmd_add)
    return parser


def _words_before_options(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """`query -kommun samarbete --country SE`: the words of a query or a question may start
    with `-` (an exclusion); argparse would take them for options. The subcommand's own
    options stay options, everything else is moved behind `--` as the query's words."""
    commands: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands = dict(action.choices)
    at = next((i for i, a in enumerate(argv) if a in commands), None)
    if at is None or argv[at] not in ("query", "ask") or "--" in argv[: at + 1]:
        return argv
    known = commands[argv[at]]._option_string_actions
    options: list[str] = []
    words: list[str] = []
    rest = iter(argv[at + 1 :])
    for arg in rest:
        if arg == "--":
            words.extend(rest)
            break
        name = arg.split("=", 1)[0]
        if arg.startswith("-") and len(arg) > 1 and (name in known or arg.startswith("--")):
            options.append(arg)
            if name in known and known[name].nargs != 0 and "=" not in arg:
                options.append(next(rest, ""))
        else:
            words.append(arg)
    return [*argv[: at + 1], *options, "--", *words]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(
        _words_before_options(list(sys.argv[1:] if argv is None else argv), parser)
    )
    if getattr(args, "limit", 1) < 1 or getattr(args, "page", 1) < 1:
        parser.error("--limit and --page must be at least 1")
    for name in ("index", "corpus"):
        if getattr(args, name, None):
            setattr(args, name, str(Path(getattr(args, name)).resolve()))
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except QuerySyntaxError as exc:
        sys.stderr.write(f"query error: {exc}\n")
        return EXIT_USAGE
    except SearchError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED
    except BrokenPipeError:
        # `| head` closed the pipe: stop quietly, as other command-line tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write(
            "interrupted; the index is unchanged or fully updated, never half-written\n"
        )
        return 130
    return code
