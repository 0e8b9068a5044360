"""Read plain text: find the title and section headings that typewritten documents use."""

from __future__ import annotations

import re

from knowledge.formats.markdown import first_heading

_MAX_HEADING_CHARS = 80
_MAX_HEADING_WORDS = 10
_COLUMNS = re.compile(r"\S(?: {3,}|\t)\S")
_UNDERLINE = re.compile(r"^(=+|-+)\s*$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s")
_LIST_OR_INDENT = re.compile(r"^(\s+\S|[-*•]\s|\d{1,3}[.)]\s)")


def parse_plain_text(text: str) -> tuple[str, str]:
    """Return (title or "", text) with heading-like lines marked up as '#' headings.

    Typewritten documents mark sections with a short line of their own: ALL CAPS,
    numbered ("2. UPTIME COMMITMENT"), underlined, or a short line before an
    indented list. Marking them lets chunks carry their section as a heading path.
    """
    paragraphs = text.split("\n\n")
    out: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        lines = paragraph.split("\n")
        # Typewritten headings start at the margin; indented lines are quotes or tables.
        first = "" if lines[0][:1].isspace() else lines[0].strip()
        following = (
            paragraphs[index + 1].split("\n")[0].strip() if index + 1 < len(paragraphs) else ""
        )
        if not _is_heading(first):
            out.append(paragraph)
        elif len(lines) == 2 and _UNDERLINE.match(lines[1]):
            out.append(f"{'#' if lines[1].startswith('=') else '##'} {first}")
        elif (index == 0 and (len(lines) == 1 or first.isupper())) or (
            len(lines) > 1 and _LIST_OR_INDENT.match(lines[1])
        ):
            rest = "\n".join(lines[1:])
            heading = f"{'#' if index == 0 else '##'} {first}"
            out.append(f"{heading}\n\n{rest}" if rest else heading)
        elif len(lines) == 1 and following and not _is_heading(following):
            # A short line of its own before body text; a run of short lines is a list.
            out.append(f"## {first}")
        else:
            out.append(paragraph)
    marked = "\n\n".join(out)
    return first_heading(marked), marked


def _is_heading(line: str) -> bool:
    """Tell whether a line has the shape of a heading: short, capitalised, unpunctuated."""
    if not line or len(line) > _MAX_HEADING_CHARS or len(line.split()) > _MAX_HEADING_WORDS:
        return False
    if _MARKDOWN_HEADING.match(line) or "@" in line or "://" in line or _COLUMNS.search(line):
        return False
    if line[-1] in ".,;:!?" or not (line[0].isupper() or line[0].isdigit()):
        return False
    return any(c.isalpha() for c in line)
