"""Search results as text for people (terminal) and for other programs (JSON, CSV, Markdown).

The JSON shape is documented in the README and kept stable: add fields, never rename.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from search import fields
from search.models import Answer, AnswerResult, Hit, SearchResults, Segment

BOLD_YELLOW, DIM, RESET = "\x1b[1;33m", "\x1b[2m", "\x1b[0m"


def flat(text: str) -> str:
    return " ".join(text.split())


def snippet_text(segments: tuple[Segment, ...], colour: bool) -> str:
    if colour:
        return flat(
            "".join(f"{BOLD_YELLOW}{s.text}{RESET}" if s.match else s.text for s in segments)
        )
    return flat("".join(s.text for s in segments))


def plural(count: int, noun: str) -> str:
    """`1 document`, `2 documents`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def where_in(hit: Hit, page: int | None = None, heading: str | None = None) -> str:
    """The page of a PDF, or the section heading of a web or text document; never the title
    again (the first section of a web page is often headed by it)."""
    if hit.source == "pdf":
        return f"p. {hit.page if page is None else page}"
    section = flat(hit.heading if heading is None else heading)
    return "" if section.casefold() == flat(hit.title).casefold() else section


def citation(hit: Hit, page: int | None = None, heading: str | None = None) -> str:
    """Title, page or section, and where the document is: what a user pastes into a report.

    `page` and `heading` name the page or section a reader shows, when not the hit's own."""
    place = hit.url or hit.source_key
    parts = [
        hit.title,
        where_in(hit, page, heading),
        ", ".join(hit.country),
        str(hit.year or ""),
        place,
    ]
    return ", ".join(p for p in parts if p)


def field_value(f: fields.Field, hit: Hit) -> object:
    """A field of the table as JSON holds it: a list, a number (or null), or a text."""
    values = fields.hit_values(f, hit)
    if f.many:
        return list(values)
    if f.numeric:
        return int(values[0]) if values else None
    return values[0] if values else ""


def hit_record(hit: Hit) -> dict[str, Any]:
    return {
        "title": hit.title,
        "doc_id": hit.doc_id,
        "passage_id": hit.passage_id,
        **{f.key: field_value(f, hit) for f in fields.table()},
        "page": hit.page,
        "heading": hit.heading,
        "path": hit.source_key,
        "url": hit.url,
        "ocr": hit.ocr,
        "copies": list(hit.copies),
        "score": round(hit.score, 4),
        "more_in_document": hit.more_in_document,
        "snippet": snippet_text(hit.snippet, False),
        "highlights": [s.text for s in hit.snippet if s.match],
        "citation": citation(hit),
    }


def results_json(results: SearchResults) -> str:
    r = results.request
    data = {
        "query": r.text,
        "page": r.page,
        "limit": r.page_size,
        "sort": r.sort,
        "total_documents": results.total_documents,
        "total_passages": results.total_passages,
        "hits": [hit_record(h) for h in results.hits],
        "facets": {
            f.name: [{"value": v.value, "count": v.count, "selected": v.selected} for v in f.values]
            for f in results.facets
        },
        "suggestion": results.suggestion,
        "timing_ms": round(results.elapsed_ms, 2),
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def results_text(results: SearchResults, colour: bool) -> str:
    r = results.request
    out = io.StringIO()
    first = (r.page - 1) * r.page_size + 1
    last = first + len(results.hits) - 1
    out.write(
        f"{plural(results.total_documents, 'document')} ({plural(results.total_passages, 'passage')})"
        f"{f', showing {first}–{last}' if results.hits else ''} in {results.elapsed_ms:.0f} ms\n"
    )
    if results.suggestion:
        out.write(f"Did you mean: {results.suggestion}\n")
    for n, hit in enumerate(results.hits, start=first):
        meta = " · ".join(
            p
            for p in (
                ", ".join(hit.country),
                hit.language,
                hit.doc_type,
                str(hit.year or ""),
                where_in(hit),
            )
            if p
        )
        out.write(f"\n{n}. {hit.title}  [{meta}]\n")
        out.write(f"   {snippet_text(hit.snippet, colour)}\n")
        more = (
            f"   +{plural(hit.more_in_document, 'more passage')} in this document"
            if hit.more_in_document
            else ""
        )
        dim = (DIM, RESET) if colour else ("", "")
        out.write(f"{dim[0]}   {hit.url or hit.source_key}{more}{dim[1]}\n")
    facets = [f for f in results.facets if f.values]
    if facets:
        out.write("\n")
        for f in facets:
            values = ", ".join(
                f"{'*' if v.selected else ''}{v.value} {v.count}" for v in f.values[:8]
            )
            out.write(f"{f.name + ':':<14}{values}\n")
    return out.getvalue()


def safe_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or a tab or CR) is
    prefixed with an apostrophe, as OWASP recommends against formula injection."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_rows(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()


def hits_csv(hits: list[Hit]) -> str:
    columns = [
        "title",
        "citation",
        "country",
        "language",
        "type",
        "year",
        "page",
        "heading",
        "path",
        "url",
        "snippet",
    ]
    rows = [
        {k: ";".join(v) if isinstance(v, list) else v for k, v in hit_record(h).items()}
        for h in hits
    ]
    return _csv_rows(columns, rows)


def hits_markdown(hits: list[Hit], query: str) -> str:
    lines = [f"# Search results: {query or '(all documents)'}", ""]
    for n, h in enumerate(hits, start=1):
        lines.append(f"{n}. **{h.title}** ({citation(h)})")
        lines.append(f"   > {snippet_text(h.snippet, False)}")
        lines.append("")
    return "\n".join(lines)


def hits_json(hits: list[Hit], query: str) -> str:
    return json.dumps(
        {"query": query, "hits": [hit_record(h) for h in hits]}, ensure_ascii=False, indent=2
    )


UNSURE = "unsure: the sentence holds few of the question's words"


def answers_text(result: AnswerResult, colour: bool) -> str:
    out = io.StringIO()
    if not result.confident and not result.closest:
        out.write(
            "Nothing in the collection matches the words of this question"
            + (" with these filters" if result.filters else "")
            + f" ({', '.join(result.keywords)}).\n"
        )
        return out.getvalue()
    if not result.confident:
        out.write("No passage answers this well. The closest passages:\n")
        for n, hit in enumerate(result.closest, start=1):
            out.write(
                f"\n{n}. {hit.title}\n   {snippet_text(hit.snippet, colour)}\n   [{citation(hit)}]\n"
            )
        return out.getvalue()
    for n, answer in enumerate(result.answers, start=1):
        unsure = "" if answer.sure else f"({UNSURE}) "
        out.write(f"{n}. {unsure}{snippet_text(answer.sentence, colour)}\n")
        if answer.before or answer.after:
            dim = (DIM, RESET) if colour else ("", "")
            context = " ‹answer› ".join(flat(p) for p in (answer.before, answer.after) if p)
            out.write(f"   {dim[0]}context: {context}{dim[1]}\n")
        out.write(f"   — {citation(answer.hit)}\n\n")
    if result.filters:
        out.write(
            "filters from the question: "
            + ", ".join(f"{f}={','.join(v)}" for f, v in result.filters)
            + "\n"
        )
    return out.getvalue()


def _span(answer: Answer) -> dict[str, Any] | None:
    """Where in the sentence the answering words stand (character offsets), if any."""
    at = answer.text.find(answer.phrase) if answer.phrase else -1
    if at < 0:
        return None
    return {"text": answer.phrase, "start": at, "end": at + len(answer.phrase)}


def answers_json(result: AnswerResult) -> str:
    data = {
        "question": result.question,
        "language": result.language,
        "keywords": list(result.keywords),
        "filters": {f: list(v) for f, v in result.filters},
        "confident": result.confident,
        "answers": [
            {
                "sentence": "".join(s.text for s in a.sentence),
                "highlights": [s.text for s in a.sentence if s.match],
                "answer_span": _span(a),
                "before": a.before,
                "after": a.after,
                "score": a.score,
                "coverage": a.coverage,
                "sure": a.sure,
                **{
                    k: v
                    for k, v in hit_record(a.hit).items()
                    if k not in ("snippet", "highlights", "score")
                },
            }
            for a in result.answers
        ],
        "closest": [hit_record(h) for h in result.closest],
        "timing_ms": round(result.elapsed_ms, 2),
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def answers_export(result: AnswerResult, fmt: str) -> str:
    """The answers on screen (or, when none answers well, the closest passages) as CSV,
    JSON or Markdown, each with its citation."""
    if fmt == "json":
        return answers_json(result) + "\n"
    if not result.confident:
        hits = list(result.closest)
        if fmt == "csv":
            return hits_csv(hits)
        return hits_markdown(hits, result.question).replace(
            "# Search results:", "# No passage answers this well; the closest passages for:", 1
        )
    if fmt == "csv":
        rows = [
            {
                "rank": n,
                "answer": flat(a.text),
                "citation": citation(a.hit),
                "title": a.hit.title,
                "country": ";".join(a.hit.country),
                "language": a.hit.language,
                "year": a.hit.year or "",
                "page": a.hit.page,
                "path": a.hit.source_key,
                "url": a.hit.url,
                "question": result.question,
                "sure": "yes" if a.sure else "no",
            }
            for n, a in enumerate(result.answers, start=1)
        ]
        columns = ["rank", "answer", "citation", "title", "country", "language", "year"]
        return _csv_rows([*columns, "page", "path", "url", "question", "sure"], rows)
    if fmt == "md":
        lines = [f"# Answers: {result.question}", ""]
        for n, a in enumerate(result.answers, start=1):
            unsure = "" if a.sure else f"({UNSURE}) "
            lines += [f"{n}. {unsure}{flat(a.text)}", f"   — {citation(a.hit)}", ""]
        return "\n".join(lines)
    raise ValueError(f"unknown export format {fmt!r}: csv, json or md")
