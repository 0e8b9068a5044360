"""Cut a ParsedDocument into chunks that follow its headings, paragraphs, lists and tables."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pydantic import BaseModel

from knowledge.formats.blocks import Block, Kind, list_items, split_blocks, table_header
from knowledge.parsing import ParsedDocument

MAX_CHUNK_CHARS = 1200  # body characters, heading path line excluded
MAX_HEADING_CHARS = 120  # per heading in the path line
PATH_SEPARATOR = " > "
# Sentence ends: terminal punctuation, closing quotes/brackets, then whitespace (which
# CJK full stops do not need).
_SENTENCE_END = re.compile(
    "[.!?\u2026]+[\"'\u201d\u2019)\\]]*\\s+|[\u3002\uff01\uff1f]+[\u300d\u300f)\\]]*\\s*"
)


class ChunkDraft(BaseModel):
    """A chunk before it is stored: text (heading path line first), path and position."""

    text: str
    heading_path: list[str]
    position: int


@dataclass
class _Piece:
    text: str
    joiner: str  # what separates this piece from the previous one in the same chunk


def chunk_document(doc: ParsedDocument) -> list[ChunkDraft]:
    """Split a document on headings, then paragraphs, into chunks of at most ~1,200 chars."""
    title = _shorten(doc.title.strip()) or "Untitled"
    drafts: list[tuple[list[str], str]] = []
    for path, blocks in _sections(split_blocks(doc.text), title):
        for body in _pack([p for b in blocks for p in _pieces(b)]):
            drafts.append((path, body))
    return [
        ChunkDraft(
            text=f"{PATH_SEPARATOR.join(path)}\n\n{body}", heading_path=list(path), position=i
        )
        for i, (path, body) in enumerate(drafts)
    ]


def _sections(blocks: list[Block], title: str) -> list[tuple[list[str], list[Block]]]:
    """Group blocks under their heading path: [title, h1?, h2, h3...]."""
    sections: list[tuple[list[str], list[Block]]] = [([title], [])]
    stack: list[tuple[int, str]] = []
    for block in blocks:
        if block.kind is not Kind.HEADING:
            sections[-1][1].append(block)
            continue
        while stack and stack[-1][0] >= block.level:
            stack.pop()
        stack.append((block.level, _shorten(block.text)))
        sections.append((_path(title, [text for _, text in stack]), []))
    # A heading with neither text nor subsections under it is content in itself
    # (a short line in a list of them): keep it rather than lose its words.
    for index, (path, body) in enumerate(sections):
        following = sections[index + 1][0] if index + 1 < len(sections) else []
        has_children = following[: len(path)] == path and len(following) > len(path)
        if not body and index > 0 and not has_children:
            body.append(Block(Kind.PARAGRAPH, path[-1]))
    return [(path, body) for path, body in sections if body]


def _path(title: str, headings: list[str]) -> list[str]:
    path = [title]
    for heading in headings:
        # The h1 usually repeats the title; "Pricing > Pricing" helps no one.
        if heading.casefold() != path[-1].casefold():
            path.append(heading)
    return path


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_HEADING_CHARS:
        return text
    return text[: MAX_HEADING_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _pieces(block: Block) -> list[_Piece]:
    """Return the block as one piece, or as pieces of at most MAX_CHUNK_CHARS if too long."""
    if len(block.text) <= MAX_CHUNK_CHARS:
        return [_Piece(block.text, "\n\n")]
    if block.kind is Kind.TABLE:
        texts = _split_table(block.text)
    elif block.kind is Kind.LIST:
        texts = _group([u for item in list_items(block.text) for u in _fit(item)], "\n")
    elif block.kind is Kind.CODE:
        texts = _split_code(block.text)
    else:
        texts = _group(_fit(block.text), " ")
    return [_Piece(text, "\n\n") for text in texts]


def _fit(text: str) -> list[str]:
    """Cut text into sentences, and sentences longer than the limit into word runs."""
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    units: list[str] = []
    for sentence in split_sentences(text):
        if len(sentence) <= MAX_CHUNK_CHARS:
            units.append(sentence)
        else:
            units.extend(_split_words(sentence))
    return units


def split_sentences(text: str) -> list[str]:
    """Split text after sentence-ending punctuation, not before a lowercase word."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end() : match.end() + 1]
        if following.islower():  # "e.g. this" or "approx. ten": not a sentence end
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _split_words(text: str) -> list[str]:
    words = text.split()
    runs: list[str] = []
    current = ""
    for word in words:
        while len(word) > MAX_CHUNK_CHARS:  # one enormous token (a URL, base64)
            if current:
                runs.append(current)
                current = ""
            runs.append(word[:MAX_CHUNK_CHARS])
            word = word[MAX_CHUNK_CHARS:]
        if current and len(current) + 1 + len(word) > MAX_CHUNK_CHARS:
            runs.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        runs.append(current)
    return runs


def _split_table(text: str) -> list[str]:
    """Split a long table between rows, repeating its header in every part."""
    rows = text.split("\n")
    head = rows[: table_header(rows)]
    head_text = "\n".join(head)
    budget = MAX_CHUNK_CHARS - len(head_text) - 1 if head else MAX_CHUNK_CHARS
    if budget < MAX_CHUNK_CHARS // 3:  # an enormous header: do not repeat it
        head, head_text, budget = [], "", MAX_CHUNK_CHARS
    body_rows = [u for row in rows[len(head) :] for u in _fit_limit(row, budget)]
    parts = _group(body_rows, "\n", limit=budget)
    return [f"{head_text}\n{part}" if head else part for part in parts]


def _fit_limit(row: str, limit: int) -> list[str]:
    if len(row) <= limit:
        return [row]
    return [part for unit in _fit(row) for part in _cut(unit, limit)]


def _cut(text: str, limit: int) -> list[str]:
    return [text[i : i + limit] for i in range(0, len(text), limit)] or [text]


def _split_code(text: str) -> list[str]:
    """Split a long code block between lines, re-opening the fence in every part."""
    lines = text.split("\n")
    opening = lines[0] if lines[0].lstrip().startswith(("```", "~~~")) else "```"
    fence = opening.strip()[:3]
    inner = lines[1:-1] if len(lines) > 1 and lines[-1].strip().startswith(fence) else lines[1:]
    budget = MAX_CHUNK_CHARS - len(opening) - len(fence) - 2
    units = [u for line in inner for u in _cut(line, budget)]
    return [f"{opening}\n{part}\n{fence}" for part in _group(units, "\n", limit=budget)]


def _group(units: list[str], joiner: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Pack consecutive units into evenly sized groups of at most `limit` characters."""
    pieces = [_Piece(unit, joiner) for unit in units if unit.strip()]
    return _pack(pieces, limit=limit)


def _pack(pieces: list[_Piece], limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Join pieces greedily into chunks, aiming at equal sizes rather than one tiny tail."""
    left = sum(len(p.text) + len(p.joiner) for p in pieces)  # not yet in a closed chunk
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{piece.joiner}{piece.text}" if current else piece.text
        # The size that splits what is left into the fewest chunks of equal length.
        soft = left / math.ceil(left / limit) if left > 0 else limit
        too_long = len(candidate) > limit
        past_target = len(candidate) > soft and len(current) >= soft * 0.75
        if current and (too_long or past_target):
            chunks.append(current)
            left -= len(current) + len(piece.joiner)
            current = piece.text
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [chunk.strip() for chunk in chunks if chunk.strip()]
