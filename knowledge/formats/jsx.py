"""Strip JSX/HTML tags from Markdown prose while keeping the words a reader would see."""

from __future__ import annotations

import html
import re

# String props whose value is text shown to readers (image alt text, card titles).
_READABLE_PROPS = frozenset(
    {"alt", "title", "label", "caption", "summary", "heading", "subtitle", "description",
     "question", "answer", "text", "quote", "author", "cta"}
)  # fmt: skip
# HTML tags that end a line of text when stripped, so words do not run together.
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "hr", "li", "ul", "ol", "tr", "table", "section", "article",
     "details", "summary", "blockquote", "figure", "figcaption", "dl", "dt", "dd"}
)  # fmt: skip
_HEADING_TAG = re.compile(r"h([1-6])")
_NAME = re.compile(r"[A-Za-z][\w.:-]*")
_ATTR_NAME = re.compile(r"[^\s=/>\"'{}<]+")
_UNQUOTED = re.compile(r"[^\s>\"'`=<]+")
_STRING_EXPR = re.compile(r"""\{\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\}\Z""")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_TICKS = re.compile(r"`+")
_MAX_TAG = 4000  # longer "tags" are prose with a stray '<'


class _Tag:
    def __init__(self, name: str, closing: bool, props: dict[str, str], end: int) -> None:
        self.name = name
        self.closing = closing
        self.props = props
        self.end = end


def strip_components(text: str, *, mdx: bool) -> str:
    """Replace tags with their readable props, drop MDX expressions, keep inline code."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "`":
            end = _inline_code_end(text, i)
            out.append(text[i:end])
            i = end
            continue
        if ch == "<":
            tag = _parse_tag(text, i)
            if tag is not None:
                out.append(_render_tag(tag, text, i, out))
                i = tag.end
                continue
        if ch == "{" and mdx:
            expr_end = _balanced_end(text, i)
            if expr_end is not None:
                literal = _STRING_EXPR.match(text[i:expr_end])
                if literal:
                    out.append(literal.group(1) or literal.group(2) or "")
                i = expr_end
                continue
        out.append(ch)
        i += 1
    return _unescape_entities("".join(out))


def _render_tag(tag: _Tag, text: str, start: int, out: list[str]) -> str:
    """Return what stands in for a tag: a heading marker, readable props or a break."""
    name = tag.name.lower()
    line_start = text.rfind("\n", 0, start) + 1
    at_line_start = not text[line_start:start].strip()
    heading = _HEADING_TAG.fullmatch(name)
    if heading and not tag.closing:
        prefix = "" if at_line_start else "\n\n"
        return f"{prefix}{'#' * int(heading.group(1))} "
    if heading or (name in _BLOCK_TAGS and tag.name.islower()):
        return "\n"
    words = [value for key, value in tag.props.items() if key.lower() in _READABLE_PROPS]
    words = [" ".join(w.split()) for w in words if w.strip()]
    if not words:
        return ""
    line_end = text.find("\n", tag.end)
    alone = at_line_start and not text[tag.end : line_end if line_end >= 0 else None].strip()
    if alone:  # a block component: its props read as a paragraph of their own
        return "\n\n".join(words) + "\n"
    spacer = "" if not out or out[-1][-1:].isspace() else " "
    return spacer + " ".join(words) + " "


def _parse_tag(text: str, start: int) -> _Tag | None:
    """Parse a JSX/HTML tag at `start`; None when the '<' is just a character."""
    limit = min(len(text), start + _MAX_TAG)
    j = start + 1
    closing = text.startswith("/", j)
    if closing:
        j += 1
    if text.startswith(">", j):  # fragment <> or </>
        return _Tag("", closing, {}, j + 1)
    name = _NAME.match(text, j)
    if name is None:
        return None
    j = name.end()
    if j < limit and not (text[j].isspace() or text[j] in "/>"):
        return None  # an e-mail autolink <sales@acme.com>, not a tag
    props: dict[str, str] = {}
    while j < limit:
        while j < limit and text[j].isspace():
            j += 1
        if text.startswith("/>", j):
            return _Tag(name.group(), closing, props, j + 2)
        if text.startswith(">", j):
            return _Tag(name.group(), closing, props, j + 1)
        if text.startswith("{", j):  # spread props {...rest}
            end = _balanced_end(text, j)
            if end is None:
                return None
            j = end
            continue
        attr = _ATTR_NAME.match(text, j)
        if attr is None:
            return None
        j = attr.end()
        k = j
        while k < limit and text[k].isspace():
            k += 1
        if not text.startswith("=", k):
            continue
        k += 1
        while k < limit and text[k].isspace():
            k += 1
        parsed = _parse_value(text, k)
        if parsed is None:
            return None
        value, j = parsed
        if value is not None:
            props[attr.group()] = html.unescape(value)
    return None


def _parse_value(text: str, start: int) -> tuple[str | None, int] | None:
    """Parse an attribute value; return (string value or None for code, end)."""
    if start >= len(text):
        return None
    quote = text[start]
    if quote in "\"'":
        end = text.find(quote, start + 1)
        return None if end < 0 else (text[start + 1 : end], end + 1)
    if quote == "{":
        expr_end = _balanced_end(text, start)
        if expr_end is None:
            return None
        literal = _STRING_EXPR.match(text[start:expr_end])
        return ((literal.group(1) or literal.group(2)) if literal else None), expr_end
    unquoted = _UNQUOTED.match(text, start)
    return None if unquoted is None else (unquoted.group(), unquoted.end())


def _balanced_end(text: str, start: int) -> int | None:
    """Return the index after the brace matching text[start] ('{'), skipping JS strings."""
    depth = 0
    i, limit = start, min(len(text), start + _MAX_TAG)
    while i < limit:
        ch = text[i]
        if ch in "\"'`":
            end = text.find(ch, i + 1)
            if end < 0:
                return None
            i = end + 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _inline_code_end(text: str, start: int) -> int:
    """Return the end of the inline code span opened at `start` (same paragraph only)."""
    ticks = _TICKS.match(text, start)
    run = ticks.end() - start if ticks else 1
    close = text.find("`" * run, start + run)
    paragraph_end = text.find("\n\n", start)
    if close < 0 or (0 <= paragraph_end < close):
        return start + run
    return close + run


def _unescape_entities(text: str) -> str:
    """Decode entities such as &amp; but keep &lt;/&gt; escaped so no markup reappears."""

    def decode(match: re.Match[str]) -> str:
        char = html.unescape(match.group())
        return match.group() if char in ("<", ">") else char

    return _ENTITY.sub(decode, text)
