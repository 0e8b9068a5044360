"""Strip JSX/HTML tags from Markdown prose while keeping the words a reader would see."""

from __future__ import annotations

import html
import re

# HTML attributes whose value is text shown to readers (alt text, titles).
_READABLE_ATTRS = frozenset({"alt", "title", "label", "caption", "summary", "aria-label"})
# Component props that configure rather than say something. Other string props of a
# component (name="Growth" price="$49") are usually the very content of the card.
_TECHNICAL_PROPS = frozenset(
    {"href", "src", "srcset", "id", "class", "classname", "style", "key", "type", "variant",
     "size", "color", "icon", "default", "width", "poster", "height", "target",
     "rel", "lang", "slug", "to", "as", "ref", "cta", "theme", "layout", "align",
     "position", "language", "format", "loading", "tabindex"}
)  # fmt: skip
# A prop value reads as prose if it has a space, a digit, a currency sign or a capital.
_PROSE_VALUE = re.compile(r"\s|\d|[$€£¥]|^[A-Z]")
_LOCATION_VALUE = re.compile(r"^(/|\.{1,2}/|#|[a-z][a-z0-9+.-]*:)|\.[a-z0-9]{2,4}$", re.IGNORECASE)
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
_BRACE_SPECIAL = re.compile(r"[{}\"'`]")
_MD_SPECIAL = re.compile(r"[`<]")
_MDX_SPECIAL = re.compile(r"[`<{]")
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
    special = _MDX_SPECIAL if mdx else _MD_SPECIAL
    # Failed parses rescan up to _MAX_TAG characters; hostile text full of unclosed '<'
    # or '{' would make that quadratic, so failures draw on a budget and, once it is
    # spent, the remaining '<' and '{' are read as plain characters.
    budget = 4 * len(text) + 100_000
    i, n = 0, len(text)
    while i < n:
        found = special.search(text, i)
        if found is None:
            out.append(text[i:])
            break
        if found.start() > i:
            out.append(text[i : found.start()])
        i = found.start()
        ch = text[i]
        if ch == "`":
            end = _inline_code_end(text, i)
            out.append(text[i:end])
            i = end
            continue
        if budget > 0 and ch == "<":
            tag = _parse_tag(text, i)
            if tag is not None:
                out.append(_render_tag(tag, text, i, out))
                i = tag.end
                continue
            budget -= min(_MAX_TAG, n - i)
        if budget > 0 and ch == "{":
            expr_end = _balanced_end(text, i)
            if expr_end is not None:
                literal = _STRING_EXPR.match(text[i:expr_end])
                if literal:
                    out.append(literal.group(1) or literal.group(2) or "")
                i = expr_end
                continue
            budget -= min(_MAX_TAG, n - i)
        out.append(ch)
        i += 1
    return _unescape_entities("".join(out))


def _render_tag(tag: _Tag, text: str, start: int, out: list[str]) -> str:
    """Return what stands in for a tag: a heading marker, readable props or a break."""
    name = tag.name.lower()
    # Bounded searches: on one enormous line, unbounded ones would be quadratic.
    line_start = text.rfind("\n", max(0, start - _MAX_TAG), start) + 1
    at_line_start = line_start > 0 or start < _MAX_TAG
    at_line_start = at_line_start and not text[line_start:start].strip()
    heading = _HEADING_TAG.fullmatch(name)
    if heading and not tag.closing:
        prefix = "" if at_line_start else "\n\n"
        return f"{prefix}{'#' * int(heading.group(1))} "
    if heading or (name in _BLOCK_TAGS and tag.name.islower()):
        return "\n"
    words = [" ".join(w.split()) for w in _readable_props(tag) if w.strip()]
    if not words:
        return ""
    line_end = text.find("\n", tag.end, tag.end + _MAX_TAG)
    alone = at_line_start and not text[tag.end : line_end if line_end >= 0 else None].strip()
    if alone:  # a block component: its props read as a paragraph of their own
        return ", ".join(words) + "\n\n"
    if at_line_start and not tag.closing:  # <Step title="Connect">Each rep ...</Step>
        return ", ".join(words) + ": "
    spacer = "" if not out or out[-1][-1:].isspace() else " "
    return spacer + ", ".join(words) + " "


def _readable_props(tag: _Tag) -> list[str]:
    if not tag.name[:1].isupper():  # an HTML element: only its text-bearing attributes
        return [v for k, v in tag.props.items() if k.lower() in _READABLE_ATTRS]
    return [
        value
        for key, value in tag.props.items()
        if key.lower() not in _TECHNICAL_PROPS
        and not key.lower().startswith(("data-", "on"))
        and (key.lower() in _READABLE_ATTRS or _PROSE_VALUE.search(value))
        and not (" " not in value.strip() and _LOCATION_VALUE.search(value.strip()))
    ]


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
    while (found := _BRACE_SPECIAL.search(text, i, limit)) is not None:
        i = found.start()
        ch = text[i]
        if ch in "\"'`":
            end = text.find(ch, i + 1, limit)
            if end < 0:
                return None
            i = end + 1
            continue
        depth += 1 if ch == "{" else -1
        if depth == 0:
            return i + 1
        i += 1
    return None


def _inline_code_end(text: str, start: int) -> int:
    """Return the end of the inline code span opened at `start` (same paragraph only)."""
    ticks = _TICKS.match(text, start)
    run = ticks.end() - start if ticks else 1
    close = text.find("`" * run, start + run, start + _MAX_TAG)
    if close < 0 or "\n\n" in text[start:close]:
        return start + run
    return close + run


def _unescape_entities(text: str) -> str:
    """Decode entities such as &amp; but keep &lt;/&gt; escaped so no markup reappears."""

    def decode(match: re.Match[str]) -> str:
        char = html.unescape(match.group())
        return match.group() if char in ("<", ">") else char

    return _ENTITY.sub(decode, text)
