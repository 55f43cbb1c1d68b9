"""Render the sample corpus from its sources: `python corpus/_tools/render.py`.

Every document is written by the team as a text source in `corpus/_source/` (TOML front
matter between `+++` lines, then a light Markdown body). This script turns each into a
PDF laid out like a real report (title page, contents, running header and footer, case
boxes, two columns, a table, hyphenated line breaks) or a saved web page with the usual
furniture (menu, cookie banner, footer), and writes its `.meta.toml` sidecar.

Output is deterministic: fixed dates, fonts shipped beside this script. The indexer
ignores `_source/` and `_tools/` (folders starting with an underscore).

Body syntax: `# chapter`, `## section`, `> quotation`, `- bullet`, `| table | row |`,
`::: box Title` … `:::`, `::: columns` … `:::`, `[toc]`, `[pagebreak]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent
SOURCES = CORPUS / "_source"
FONTS = HERE / "fonts"
FIXED_DATE = dt.datetime(2019, 6, 1, 12, 0, tzinfo=dt.UTC)
SOFT_HYPHEN = "\u00ad"
SIDECAR_FIELDS = ("title", "country", "type", "year", "organisation", "municipality", "url", "retrieved")


@dataclass
class Block:
    kind: str  # h1 h2 p quote bullets table box columns toc pagebreak
    text: str = ""
    items: list[Any] | None = None
    title: str = ""


@dataclass
class Source:
    path: Path
    front: dict[str, Any]
    blocks: list[Block]

    @property
    def output(self) -> Path:
        return CORPUS / self.front["output"]


def parse_source(path: Path) -> Source:
    raw = path.read_text(encoding="utf-8")
    _, front, body = raw.split("+++", 2)
    return Source(path, tomllib.loads(front), parse_body(body))


def parse_body(body: str) -> list[Block]:
    blocks: list[Block] = []
    lines = body.strip("\n").splitlines()
    i = 0
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", " ".join(para)))
            para.clear()

    while i < len(lines):
        line = lines[i].rstrip()
        if not line:
            flush()
        elif line.startswith(":::"):
            flush()
            kind, _, title = line[3:].strip().partition(" ")
            inner: list[str] = []
            i += 1
            while lines[i].strip() != ":::":
                inner.append(lines[i])
                i += 1
            blocks.append(Block(kind, items=parse_body("\n".join(inner)), title=title))
        elif line.startswith("## "):
            flush()
            blocks.append(Block("h2", line[3:]))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("h1", line[2:]))
        elif line.startswith("> "):
            flush()
            blocks.append(Block("quote", line[2:]))
        elif line.startswith("- "):
            flush()
            if blocks and blocks[-1].kind == "bullets" and blocks[-1].items is not None:
                blocks[-1].items.append(line[2:])
            else:
                blocks.append(Block("bullets", items=[line[2:]]))
        elif line.startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            if blocks and blocks[-1].kind == "table" and blocks[-1].items is not None:
                blocks[-1].items.append(cells)
            else:
                blocks.append(Block("table", items=[cells]))
        elif line == "[toc]":
            flush()
            blocks.append(Block("toc"))
        elif line == "[pagebreak]":
            flush()
            blocks.append(Block("pagebreak"))
        else:
            para.append(line.strip())
        i += 1
    flush()
    return blocks


_VOWELS = set("aeiouyåäöāēīūoõаеёиоуыэюяіў")


def hyphenate(text: str) -> str:
    """Soft hyphens in long words, so the PDF breaks words across lines as reports do."""

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if len(w) < 11:
            return w
        out, since = [], 0
        for i, ch in enumerate(w):
            out.append(ch)
            since += 1
            nxt = w[i + 1] if i + 1 < len(w) else ""
            if 4 <= i < len(w) - 4 and since >= 4 and ch.lower() in _VOWELS and nxt and nxt.lower() not in _VOWELS:
                out.append(SOFT_HYPHEN)
                since = 0
        return "".join(out)

    return re.sub(r"[^\W\d_]+", word, text)


# ----------------------------------------------------------------------------- PDF


def render_pdf(src: Source) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    front = src.front
    report = bool(front.get("titlepage"))

    class Doc(FPDF):  # type: ignore[misc]
        def header(self) -> None:
            if self.page_no() == 1 and report:
                return
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110)
            self.cell(0, 6, front.get("running_header", front["title"]), align="L")
            self.set_draw_color(180)
            self.line(self.l_margin, 17, self.w - self.r_margin, 17)
            self.ln(12)
            self.set_text_color(0)

        def footer(self) -> None:
            if self.page_no() == 1 and report:
                return
            self.set_y(-14)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110)
            self.cell(0, 6, front.get("running_footer", front["organisation_name"]), align="L")
            self.set_x(self.l_margin)
            self.cell(0, 6, str(self.page_no()), align="R")
            self.set_text_color(0)

    pdf = Doc(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_producer("corpus/_tools/render.py")
    pdf.set_title(front["title"])
    pdf.set_author(front["organisation_name"])
    pdf.set_lang(front["lang"])
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
    pdf.set_margins(22, 22, 22)
    pdf.set_auto_page_break(True, margin=22)
    size = front.get("font_size", 10.5)
    line_h = size * 0.55

    pdf.add_page()
    if report:
        pdf.set_font("DejaVu", "B", 22)
        pdf.ln(45)
        pdf.multi_cell(0, 11, front["title"], align="L")
        pdf.ln(6)
        pdf.set_font("DejaVu", "", 13)
        pdf.multi_cell(0, 7, front.get("subtitle", ""), align="L")
        pdf.ln(40)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 6, f"{front['organisation_name']}\n{front.get('place', '')} {front['year']}")
        pdf.add_page()

    def paragraph(text: str, style: str = "", indent: float = 0, fill: bool = False) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, line_h, hyphenate(text), align="J", fill=fill, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(line_h * 0.6)

    def toc(pdf_: Any, outline: list[Any]) -> None:
        pdf_.set_font("DejaVu", "B", 14)
        pdf_.cell(0, 10, front.get("toc_title", "Contents"), new_x="LMARGIN", new_y="NEXT")
        pdf_.ln(3)
        pdf_.set_font("DejaVu", "", 10.5)
        for section in outline:
            if section.level > 0:
                continue
            pdf_.cell(150, 7, section.name)
            pdf_.cell(0, 7, str(section.page_number), align="R", new_x="LMARGIN", new_y="NEXT")

    def emit(blocks: list[Block]) -> None:
        for b in blocks:
            if b.kind == "toc":
                pdf.insert_toc_placeholder(toc, pages=1)
            elif b.kind == "pagebreak":
                pdf.add_page()
            elif b.kind == "h1":
                if report and pdf.get_y() > 60:
                    pdf.add_page()
                pdf.start_section(b.text, level=0)
                pdf.set_font("DejaVu", "B", size + 5)
                pdf.multi_cell(0, line_h * 1.6, b.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(line_h)
            elif b.kind == "h2":
                pdf.start_section(b.text, level=1)
                pdf.ln(line_h * 0.4)
                pdf.set_font("DejaVu", "B", size + 1.5)
                pdf.multi_cell(0, line_h * 1.2, b.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(line_h * 0.5)
            elif b.kind == "p":
                paragraph(b.text)
            elif b.kind == "quote":
                paragraph(b.text, style="I", indent=10)
            elif b.kind == "bullets":
                for item in b.items or []:
                    paragraph(f"• {item}", indent=5)
            elif b.kind == "table":
                rows = b.items or []
                pdf.set_font("DejaVu", "", size - 1.5)
                with pdf.table(
                    text_align="LEFT", line_height=line_h * 0.95,
                    headings_style=FontFace(emphasis="BOLD", fill_color=(225, 230, 238)),
                ) as table:
                    for row in rows:
                        r = table.row()
                        for cell in row:
                            r.cell(cell)
                pdf.ln(line_h)
            elif b.kind == "box":
                pdf.set_fill_color(236, 242, 248)
                pdf.set_font("DejaVu", "B", size)
                pdf.multi_cell(0, line_h * 1.2, b.title, fill=True, new_x="LMARGIN", new_y="NEXT")
                for inner in b.items or []:
                    paragraph(inner.text, fill=True) if inner.kind == "p" else emit([inner])
                pdf.ln(line_h * 0.5)
            elif b.kind == "columns":
                pdf.set_font("DejaVu", "", size)
                with pdf.text_columns(ncols=2, gutter=8, text_align="J", line_height=1.25) as cols:
                    for inner in b.items or []:
                        if inner.kind == "h2":
                            cols.write(text=inner.text + "\n")
                        else:
                            cols.write(text=hyphenate(inner.text) + "\n\n")
                pdf.ln(line_h)

    emit(src.blocks)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------- HTML

HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title} | {site}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{description}">
<meta property="article:published_time" content="{published}">
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<div id="cookie-banner" class="cookie-consent">
  <p>{cookie_text}</p>
  <button type="button">{cookie_accept}</button> <button type="button">{cookie_settings}</button>
</div>
<header class="site-header">
  <a class="logo" href="/">{site}</a>
  <nav class="main-menu"><ul>
{menu}
  </ul></nav>
  <form class="search" action="/search"><input type="search" name="q" placeholder="{search_label}"></form>
</header>
<main>
<nav class="breadcrumbs"><a href="/">{home}</a> › <a href="/{section_slug}">{section}</a></nav>
<article>
<h1>{title}</h1>
<p class="byline"><time datetime="{published}">{published}</time> · {author}</p>
{body}
</article>
<aside class="related">
  <h2>{related_title}</h2>
  <ul>{related}</ul>
</aside>
</main>
<footer class="site-footer">
  <p>{site} · {address}</p>
  <p>{footer_text}</p>
  <ul class="social"><li><a href="#">Facebook</a></li><li><a href="#">LinkedIn</a></li><li><a href="#">RSS</a></li></ul>
</footer>
</body>
</html>
"""


def html_blocks(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind == "h1":
            out.append(f"<h2>{html.escape(b.text)}</h2>")
        elif b.kind == "h2":
            out.append(f"<h3>{html.escape(b.text)}</h3>")
        elif b.kind == "p":
            out.append(f"<p>{html.escape(b.text)}</p>")
        elif b.kind == "quote":
            out.append(f"<blockquote><p>{html.escape(b.text)}</p></blockquote>")
        elif b.kind == "bullets":
            out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in b.items or []) + "</ul>")
        elif b.kind == "table":
            rows = b.items or []
            head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:]
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif b.kind == "box":
            out.append(f'<div class="factbox"><h3>{html.escape(b.title)}</h3>{html_blocks(b.items or [])}</div>')
    return "\n".join(out)


def render_html(src: Source, sites: dict[str, Any]) -> bytes:
    f = src.front
    site = sites[f["site"]]
    menu = "\n".join(f'    <li><a href="/{i}">{html.escape(label)}</a></li>' for i, label in enumerate(site["menu"]))
    related = "".join(f'<li><a href="#">{html.escape(r)}</a></li>' for r in site["related"])
    page = HTML_TEMPLATE.format(
        lang=f["lang"], title=html.escape(f["title"]), site=html.escape(site["name"]),
        description=html.escape(f.get("description", f["title"])), published=f["published"],
        cookie_text=html.escape(site["cookie_text"]), cookie_accept=html.escape(site["cookie_accept"]),
        cookie_settings=html.escape(site["cookie_settings"]), menu=menu,
        search_label=html.escape(site["search_label"]), home=html.escape(site["home"]),
        section=html.escape(site["section"]), section_slug="cases",
        author=html.escape(f.get("author", site["name"])), body=html_blocks(src.blocks),
        related_title=html.escape(site["related_title"]), related=related,
        address=html.escape(site["address"]), footer_text=html.escape(site["footer_text"]),
    )
    return page.encode("utf-8")


# ------------------------------------------------------------------------ sidecars


def toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def sidecar(src: Source) -> str:
    meta = src.front.get("meta", {})
    lines = ["# Written by corpus/_tools/render.py from " + src.path.relative_to(CORPUS).as_posix()]
    lines += [f"{k} = {toml_value(meta[k])}" for k in SIDECAR_FIELDS if k in meta]
    return "\n".join(lines) + "\n"


def render_all(only: str | None = None, target: Path | None = None) -> list[Path]:
    """Render every source (or those whose name contains `only`); returns written paths."""
    sites = tomllib.loads((SOURCES / "sites.toml").read_text(encoding="utf-8"))
    written: list[Path] = []
    for path in sorted(SOURCES.rglob("*.txt")):
        if only and only not in path.name:
            continue
        src = parse_source(path)
        out = src.output if target is None else target / src.front["output"]
        out.parent.mkdir(parents=True, exist_ok=True)
        data = render_pdf(src) if out.suffix == ".pdf" else render_html(src, sites)
        out.write_bytes(data)
        out.with_name(out.name + ".meta.toml").write_text(sidecar(src), encoding="utf-8")
        written.append(out)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="render only sources whose file name contains this")
    parser.add_argument("--out", type=Path, help="write under this folder instead of corpus/")
    args = parser.parse_args()
    for path in render_all(args.only, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
