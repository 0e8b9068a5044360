"""Read Markdown and MDX: front matter into metadata, components and scripts out of the text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import frontmatter
import yaml

from knowledge.exceptions import CorruptDocument
from knowledge.formats.jsx import strip_components
from knowledge.formats.text import plain_inline

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SCRIPT_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_MDX_COMMENT_OPEN = re.compile(r"\{[ \t\n]*/\*")
_MDX_COMMENT_CLOSE = re.compile(r"\*/[ \t\n]*\}")
_ESM_START = re.compile(r"^(import|export)\b")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")


def parse_markdown(text: str, *, source: str, mdx: bool) -> tuple[str, str, dict[str, Any]]:
    """Split off front matter and strip markup; return (title or "", text, metadata)."""
    metadata, body = _read_front_matter(text, source)
    body = _strip_markup(body, mdx=mdx)
    title = plain_inline(str(metadata["title"])) if metadata.get("title") else ""
    return title or first_heading(body), body, metadata


def first_heading(text: str) -> str:
    """Return the first heading of the highest level (usually the h1), or ""."""
    best: tuple[int, str] | None = None
    for line in _outside_fences(text):
        match = _HEADING.match(line)
        if match and (best is None or len(match.group(1)) < best[0]):
            best = (len(match.group(1)), match.group(2))
    return plain_inline(best[1]) if best else ""


def _outside_fences(text: str) -> list[str]:
    return [line for line, fenced in classify_lines(text) if not fenced]


def classify_lines(text: str) -> list[tuple[str, bool]]:
    """Pair each line with whether it belongs to a fenced code block (fences included)."""
    out: list[tuple[str, bool]] = []
    fence: str | None = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            out.append((line, True))
        elif fence is not None:
            out.append((line, True))
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
        else:
            out.append((line, False))
    return out


def _read_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    handler = frontmatter.detect_format(text, frontmatter.handlers)
    if handler is None:
        return {}, text
    try:
        raw, content = handler.split(text)
    except ValueError:
        return {}, text
    try:
        data = handler.load(raw)
    except (yaml.YAMLError, ValueError) as exc:
        detail = " ".join(str(exc).split())
        raise CorruptDocument(source, f"the front matter is not valid YAML: {detail}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CorruptDocument(
            source, f"the front matter must be a mapping of keys, not a {type(data).__name__}"
        )
    metadata = {str(key): _json_safe(value) for key, value in data.items()}
    if "tags" in metadata:
        metadata["tags"] = normalise_tags(metadata["tags"])
    return metadata, str(content)


def normalise_tags(value: Any) -> list[str]:
    """Turn a tag string ("a, b") or list into a de-duplicated list of non-empty strings."""
    items: list[Any]
    if value is None:
        items = []
    elif isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple | set):
        items = list(value)
    else:
        items = [value]
    tags: list[str] = []
    for item in items:
        if item is None or isinstance(item, dict | list):
            continue
        tag = " ".join(str(item).split())
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _json_safe(value: Any) -> Any:
    """Make YAML values storable as JSON (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _strip_markup(text: str, *, mdx: bool) -> str:
    """Remove scripts, comments, ESM and components outside code fences; keep fences as is."""
    parts: list[str] = []
    prose: list[str] = []
    for line, fenced in classify_lines(text):
        if fenced:
            if prose:
                parts.append(_clean_prose("\n".join(prose), mdx=mdx))
                prose = []
            parts.append(line)
        else:
            prose.append(line)
    if prose:
        parts.append(_clean_prose("\n".join(prose), mdx=mdx))
    return "\n".join(parts)


def _clean_prose(text: str, *, mdx: bool) -> str:
    text = _drop_scripts(text)
    text = _drop_spans(text, "<!--", "-->")
    text = _drop_mdx_comments(text)
    if mdx:
        text = _drop_esm(text)
    return strip_components(text, mdx=mdx)


def _drop_esm(text: str) -> str:
    """Drop MDX import/export blocks, which run until the next blank line."""
    kept: list[str] = []
    in_esm = False
    for line in text.split("\n"):
        if not line.strip():
            in_esm = False
        elif _ESM_START.match(line):
            in_esm = True
        if not in_esm:
            kept.append(line)
    return "\n".join(kept)


# The three removers below scan forward once with str.find: regexes such as
# "<!--.*?-->" go quadratic on hostile input full of unclosed openers.
def _drop_spans(text: str, opener: str, closer: str) -> str:
    """Remove every opener...closer span; an unclosed opener stays (as text)."""
    out: list[str] = []
    pos = 0
    while (start := text.find(opener, pos)) >= 0:
        end = text.find(closer, start + len(opener))
        if end < 0:
            break
        out.append(text[pos:start])
        pos = end + len(closer)
    out.append(text[pos:])
    return "".join(out)


def _drop_scripts(text: str) -> str:
    """Remove <script> and <style> elements with their content (JSON-LD included)."""
    lower = text.lower()
    out: list[str] = []
    pos = 0
    while (match := _SCRIPT_OPEN.search(text, pos)) is not None:
        end = lower.find(f"</{match.group(1).lower()}", match.end())
        if end < 0:
            break
        close = lower.find(">", end)
        out.append(text[pos : match.start()])
        pos = len(text) if close < 0 else close + 1
    out.append(text[pos:])
    return "".join(out)


def _drop_mdx_comments(text: str) -> str:
    """Remove MDX comments {/* ... */}."""
    out: list[str] = []
    pos = 0
    while (match := _MDX_COMMENT_OPEN.search(text, pos)) is not None:
        close = _MDX_COMMENT_CLOSE.search(text, match.end())
        if close is None:
            break
        out.append(text[pos : match.start()])
        pos = close.end()
    out.append(text[pos:])
    return "".join(out)
