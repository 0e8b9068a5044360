"""Read HTML: drop boilerplate and hostile markup, write the content as Markdown-style text."""

from __future__ import annotations

import re
import warnings
from typing import Any

import bs4
from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

# Whole subtrees that never hold the page's content.
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "input", "button", "select", "textarea", "nav", "aside", "dialog", "menu",
    "link", "meta", "head", "video", "audio", "map",
)  # fmt: skip
_DROP_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"}
)
# Class/id tokens of cookie banners, pop-ups and sharing widgets. Whole tokens only and
# kept narrow on purpose: "banner" or "ads" inside a token would also hit hero sections
# and pages about ad integrations. Screen-reader-only text is kept: it often says
# "Included" where the page shows a check mark.
_BOILERPLATE_TOKEN = re.compile(
    r"cookies?|consent|gdpr|popup|modal|breadcrumbs?|skip-?link|"
    r"(?:cookie|consent|gdpr)[-_]?\w+|\w+[-_](?:cookie|consent|gdpr)(?:[-_]\w+)?|"
    r"newsletter(?:[-_](?:signup|form|popup|banner))?|"
    r"(?:social|share)(?:[-_](?:share|links|icons|buttons|bar))?|"
    r"advert(?:isement)?|ad[-_](?:banner|slot|container)",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CONTAINER_TAGS = frozenset(
    {"html", "body", "main", "article", "section", "div", "header", "footer", "p",
     "blockquote", "figure", "figcaption", "address", "dl", "dt", "dd", "details",
     "summary", "center", "hgroup", "caption", "fieldset", "legend", "li", "td", "th"}
)  # fmt: skip
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Deeper nesting than this is read as flat text: hostile pages nest thousands of
# elements to exhaust the recursion limit.
_MAX_DEPTH = 150
_MAX_LIST_DEPTH = 8
_TAG_SHAPED = re.compile(r"</?[A-Za-z!][^<>]*>")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)


def declared_charset(data: bytes) -> str | None:
    """Return the charset an HTML page declares in a <meta> tag near its start."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def parse_html(text: str) -> tuple[str, str, dict[str, Any]]:
    """Return (title or "", Markdown-style text, metadata) for an HTML page."""
    with warnings.catch_warnings():
        # bs4 warns about inputs that look like URLs or XML; we parse them as HTML anyway.
        warnings.simplefilter("ignore", bs4.MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", bs4.XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    metadata = _read_meta(soup)
    title = _text_of(soup.title) if soup.title else ""
    _drop_boilerplate(soup)
    root = _content_root(soup)
    if not title:
        h1 = root.find("h1")
        title = _text_of(h1) if isinstance(h1, Tag) else ""
    writer = _Writer()
    writer.walk(root, 0)
    writer.flush()
    return title, "\n\n".join(writer.blocks), metadata


def _read_meta(soup: BeautifulSoup) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for meta in soup.find_all("meta"):
        name = str(meta.get("name") or meta.get("property") or "").lower()
        content = " ".join(str(meta.get("content") or "").split())
        if not content:
            continue
        if name in ("description", "og:description") and "description" not in metadata:
            metadata["description"] = content
        elif name == "keywords":
            metadata["tags"] = [t.strip() for t in content.split(",") if t.strip()]
    html_tag = soup.find("html")
    if isinstance(html_tag, Tag) and html_tag.get("lang"):
        metadata["language"] = str(html_tag.get("lang"))
    return metadata


def _drop_boilerplate(soup: BeautifulSoup) -> None:
    # Mark first, then extract: removing while iterating would revisit detached subtrees.
    doomed: list[Tag] = list(soup.find_all(_DROP_TAGS))
    for tag in soup.find_all(True):
        if tag.name in ("header", "footer"):
            # A page's header/footer is chrome; an article's own header holds its title.
            if tag.find_parent(["article", "main", "section"]) is None:
                doomed.append(tag)
            continue
        tokens = [*tag.get_attribute_list("class"), str(tag.get("id") or "")]
        if (
            str(tag.get("role") or "").lower() in _DROP_ROLES
            or tag.has_attr("hidden")
            or str(tag.get("aria-hidden") or "").lower() == "true"
            or _HIDDEN_STYLE.search(str(tag.get("style") or ""))
            or any(_BOILERPLATE_TOKEN.fullmatch(str(token)) for token in tokens if token)
        ):
            doomed.append(tag)
    for tag in doomed:
        tag.extract()


def _content_root(soup: BeautifulSoup) -> Tag:
    main = soup.find("main") or soup.select_one('[role="main"]')
    if isinstance(main, Tag):
        return main
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


def _clean(text: str) -> str:
    """Collapse whitespace and remove tag-shaped text so no markup survives as text."""
    return " ".join(_TAG_SHAPED.sub(" ", text).split())


def _text_of(node: Tag | None, skip: tuple[str, ...] = ()) -> str:
    if node is None:
        return ""
    pieces: list[str] = []
    _collect(node, pieces, skip, 0)
    return _clean("".join(pieces))


def _collect(node: Tag, pieces: list[str], skip: tuple[str, ...], depth: int) -> None:
    if depth > _MAX_DEPTH:
        pieces.append(f" {node.get_text(' ')} ")
        return
    for child in node.children:
        if isinstance(child, PreformattedString):
            continue
        if isinstance(child, NavigableString):
            pieces.append(str(child))
        elif isinstance(child, Tag) and child.name not in skip:
            spaced = child.name in _CONTAINER_TAGS or child.name in ("br", "tr", "ul", "ol")
            if spaced:
                pieces.append(" ")
            _collect(child, pieces, skip, depth + 1)
            if spaced:
                pieces.append(" ")


class _Writer:
    """Walk the content tree and emit Markdown-style blocks."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._inline: list[str] = []

    def flush(self) -> None:
        text = _clean("".join(self._inline))
        self._inline = []
        if text:
            self.blocks.append(text)

    def walk(self, node: Tag, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self._inline.append(f" {node.get_text(' ')} ")
            return
        for child in node.children:
            if isinstance(child, PreformattedString):
                continue
            if isinstance(child, NavigableString):
                self._inline.append(str(child))
            elif isinstance(child, Tag):
                self._visit(child, depth + 1)

    def _visit(self, tag: Tag, depth: int) -> None:
        name = tag.name
        if name in _HEADINGS:
            self._block(f"{'#' * _HEADINGS[name]} {_text_of(tag)}", bool(_text_of(tag)))
        elif name in ("ul", "ol"):
            self.flush()
            lines = self._list_lines(tag, 0)
            if lines:
                self.blocks.append("\n".join(lines))
        elif name == "table":
            self._block("\n".join(self._table_lines(tag)), True)
        elif name == "pre":
            code = _TAG_SHAPED.sub("", tag.get_text()).strip("\n")
            self._block(f"```\n{code}\n```", bool(code.strip()))
        elif name == "br":
            self._inline.append("\n")
        elif name in ("hr", "img"):
            self.flush()
        elif name in _CONTAINER_TAGS:
            self.flush()
            self.walk(tag, depth)
            self.flush()
        else:
            self.walk(tag, depth)

    def _block(self, text: str, keep: bool) -> None:
        self.flush()
        if keep and text.strip():
            self.blocks.append(text)

    def _list_lines(self, tag: Tag, depth: int) -> list[str]:
        lines: list[str] = []
        ordered = tag.name == "ol"
        for number, item in enumerate(tag.find_all("li", recursive=False), start=1):
            nest = depth < _MAX_LIST_DEPTH
            text = _text_of(item, skip=("ul", "ol") if nest else ())
            if text:
                marker = f"{number}." if ordered else "-"
                lines.append(f"{'  ' * depth}{marker} {text}")
            for sub in item.find_all(["ul", "ol"], recursive=False) if nest else []:
                lines.extend(self._list_lines(sub, depth + 1))
        return lines

    def _table_lines(self, table: Tag) -> list[str]:
        lines: list[str] = []
        caption = table.find("caption")
        if isinstance(caption, Tag) and _text_of(caption):
            lines.append(_text_of(caption))
        rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
        for index, row in enumerate(rows):
            cells = row.find_all(["th", "td"], recursive=False)
            texts = [_text_of(cell).replace("|", "\\|") for cell in cells]
            if not any(texts):
                continue
            lines.append("| " + " | ".join(texts) + " |")
            is_header = all(cell.name == "th" for cell in cells) or row.find_parent("thead")
            if index == 0 and is_header:
                lines.append("| " + " | ".join("---" for _ in texts) + " |")
        return lines
