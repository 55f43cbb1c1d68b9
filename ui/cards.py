"""How a hit, an answer and a marked text look on screen (Rich text, no widgets)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.text import Text

from search import render
from search.models import Answer, Hit, Segment

MATCH_STYLE = "bold reverse"


def styled(segments: Iterable[Segment]) -> Text:
    """Snippet segments as Rich text, the matched words marked (works in any theme)."""
    text = Text()
    for seg in segments:
        text.append(re.sub(r"\s+", " ", seg.text), MATCH_STYLE if seg.match else "")
    return text


def hit_prompt(hit: Hit) -> Text:
    meta = " · ".join(
        part
        for part in (
            ",".join(hit.country),
            hit.language,
            hit.doc_type,
            str(hit.year or ""),
            render.where_in(hit)[:40],
            "scan (OCR)" if hit.ocr else "",
            f"also at {', '.join(hit.copies)}"[:60] if hit.copies else "",
            f"+{hit.more_in_document} more in this document" if hit.more_in_document else "",
        )
        if part
    )
    prompt = Text(hit.title, style="bold")
    prompt.append("\n" + meta + "\n", style="dim")
    prompt.append_text(styled(hit.snippet))
    prompt.append("\n")
    return prompt


def answer_prompt(answer: Answer) -> Text:
    """An answer card: the sentence (the answering words underlined), its context, its
    citation."""
    prompt = styled(answer.sentence)
    if answer.phrase and (at := prompt.plain.find(answer.phrase)) >= 0:
        prompt.stylize("bold underline", at, at + len(answer.phrase))
    if answer.before or answer.after:
        prompt.append(
            f"\n… {answer.after[:160]}" if answer.after else f"\n{answer.before[-160:]} …",
            style="dim",
        )
    prompt.append(f"\n— {render.citation(answer.hit)}\n", style="italic")
    if not answer.sure:
        prompt.append(f"{render.UNSURE}\n", style="dim")
    return prompt
