"""Split Markdown-style text into blocks: headings, paragraphs, lists, tables and code."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from enum import StrEnum

from knowledge.formats.markdown import classify_lines
from knowledge.formats.text import plain_inline

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_MAX_HEADING_LINE = 500
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_THEMATIC = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,9}[.)])[ \t]+\S")
_ALIGNED = re.compile(r"\S(?: {3,}|\t)\S")
_TABLE_ROW = re.compile(r"^[ \t]*\|")


class Kind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST = "list"
    TABLE = "table"
    CODE = "code"


@dataclass
class Block:
    kind: Kind
    text: str
    level: int = 0  # headings only


def split_blocks(text: str) -> list[Block]:
    """Parse text into blocks in document order; fenced code never yields headings."""
    blocks: list[Block] = []
    group: list[str] = []
    code: list[str] = []

    def flush_group() -> None:
        if group:
            blocks.extend(_classify_group(group))
            group.clear()

    def flush_code() -> None:
        if code:
            blocks.append(Block(Kind.CODE, "\n".join(code)))
            code.clear()

    for line, fenced in classify_lines(text):
        if fenced:
            flush_group()
            code.append(line)
            continue
        flush_code()
        # A "heading" longer than a paragraph is text that happens to start with '#'.
        heading = _ATX.match(line) if len(line) <= _MAX_HEADING_LINE else None
        if heading:
            flush_group()
            title = plain_inline(heading.group(2))
            if title:
                blocks.append(Block(Kind.HEADING, title, len(heading.group(1))))
        elif not line.strip():
            flush_group()
        else:
            group.append(line)
    flush_group()
    flush_code()
    return _merge_loose_lists(blocks)


def _classify_group(lines: list[str]) -> list[Block]:
    """Classify one run of non-blank lines, splitting it where a table starts or ends."""
    setext = len(lines) == 2 and len(lines[0]) <= _MAX_HEADING_LINE
    if setext and _SETEXT.match(lines[1]) and not _LIST_ITEM.match(lines[0]):
        level = 1 if lines[1].strip().startswith("=") else 2
        return [Block(Kind.HEADING, plain_inline(lines[0]), level)]
    out: list[Block] = []
    run: list[str] = []
    run_kind = Kind.PARAGRAPH
    for line in lines:
        if _THEMATIC.match(line):  # a horizontal rule carries no text
            continue
        if _TABLE_ROW.match(line):
            kind = Kind.TABLE
        elif _LIST_ITEM.match(line) or (run_kind is Kind.LIST and run):
            kind = Kind.LIST  # an item, or an item's continuation line
        else:
            kind = Kind.PARAGRAPH
        if run and kind is not run_kind:
            out.append(_make_block(run, run_kind))
            run = []
        run.append(line)
        run_kind = kind
    if run:
        out.append(_make_block(run, run_kind))
    return out


def _make_block(lines: list[str], kind: Kind) -> Block:
    if kind is Kind.TABLE:
        return Block(Kind.TABLE, "\n".join(line.strip() for line in lines))
    if kind is Kind.LIST:
        return Block(Kind.LIST, textwrap.dedent("\n".join(line.rstrip() for line in lines)))
    if any(_ALIGNED.search(line) for line in lines):
        # Columns aligned with spaces (a typewritten table): the line breaks carry meaning.
        return Block(Kind.PARAGRAPH, textwrap.dedent("\n".join(line.rstrip() for line in lines)))
    return Block(Kind.PARAGRAPH, " ".join(line.strip() for line in lines))


def _merge_loose_lists(blocks: list[Block]) -> list[Block]:
    """Join list items that were separated by blank lines into one list block."""
    merged: list[Block] = []
    for block in blocks:
        if block.kind is Kind.LIST and merged and merged[-1].kind is Kind.LIST:
            merged[-1] = Block(Kind.LIST, f"{merged[-1].text}\n{block.text}")
        else:
            merged.append(block)
    return merged


def list_items(text: str) -> list[str]:
    """Split a list block into items, each with its continuation lines."""
    items: list[str] = []
    for line in text.split("\n"):
        if _LIST_ITEM.match(line) or not items:
            items.append(line)
        else:
            items[-1] = f"{items[-1]}\n{line}"
    return items


def table_header(rows: list[str]) -> int:
    """Return how many leading rows form the table header (row + separator), else 0."""
    if len(rows) >= 2 and re.fullmatch(r"\|?[\s:|-]*-[\s:|-]*\|?", rows[1].strip()):
        return 2
    return 0
