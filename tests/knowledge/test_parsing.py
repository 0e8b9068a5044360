"""parse_document: every format, metadata, and a clear error for each kind of bad input."""

from __future__ import annotations

import codecs

import pytest

from knowledge.exceptions import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    IngestError,
    UndecodableDocument,
    UnsupportedFormat,
)
from knowledge.parsing import SUPPORTED_EXTENSIONS, ParsedDocument, parse_document
from tests.knowledge.files import PNG_BYTES, SLA_TEXT, ZIP_BYTES, make_pdf, truncate

LIMIT = 1_000_000


def parse(data: bytes | str, source: str = "docs/page", **kwargs: str) -> ParsedDocument:
    raw = data.encode() if isinstance(data, str) else data
    return parse_document(raw, source=source, max_bytes=LIMIT, **kwargs)


# --- Markdown and MDX ---------------------------------------------------------------

MARKDOWN = """---
title: Growth plan
tags: [pricing, " plans ", pricing]
updated: 2024-05-01
---
# Pricing

The Growth plan costs **$99** per month.

- Up to 10 seats
- SSO included
"""


def test_markdown_front_matter_becomes_title_tags_and_metadata() -> None:
    doc = parse(MARKDOWN, filename="growth.md")
    assert doc.title == "Growth plan"
    assert doc.content_type == "text/markdown"
    assert doc.metadata["tags"] == ["pricing", "plans"]
    assert doc.metadata["updated"] == "2024-05-01"  # JSON-safe, not a datetime.date
    assert "title: Growth plan" not in doc.text
    assert doc.text.startswith("# Pricing")
    assert "- SSO included" in doc.text


def test_markdown_tags_as_comma_string() -> None:
    doc = parse("---\ntags: pricing, security\n---\nBody text.", filename="a.md")
    assert doc.metadata["tags"] == ["pricing", "security"]


def test_markdown_title_falls_back_to_first_heading_then_file_name() -> None:
    assert parse("Intro.\n\n## Setup\n\n# Acme CRM\n\nText.", filename="a.md").title == "Acme CRM"
    assert parse("Just text, no heading.", filename="growth-plan.md").title == "Growth plan"


def test_bad_front_matter_yaml_is_corrupt_and_names_the_problem() -> None:
    with pytest.raises(CorruptDocument) as err:
        parse("---\ntitle: [unclosed\n---\nBody", source="kb/bad.md", filename="bad.md")
    assert err.value.source == "kb/bad.md"
    assert "front matter" in err.value.reason
    assert "YAML" in err.value.reason


def test_front_matter_that_is_not_a_mapping_is_corrupt() -> None:
    with pytest.raises(CorruptDocument, match="mapping"):
        parse("---\n- a\n- b\n---\nBody", filename="list.md")


MDX = """---
title: Security at Acme
tags: security
---
import { Callout } from '@/components/callout'
import Pricing from './pricing.mdx'
export const meta = {
  hero: true,
}

# Security

{/* editor note: check SOC 2 date */}

<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Organization", "name": "SchemaOnly"}
</script>

<Callout type="warning" title="Good to know">
  We are SOC 2 Type II certified. Ask <a href="mailto:x@acme.com">our team</a>.
</Callout>

<Image src="/soc2.png" alt="SOC 2 badge" width={120} />

Data is encrypted with {"AES-256"} at rest{props.footnote}.

```jsx
import x from 'y'
<Button onClick={() => go()}>Buy</Button>
```
"""


def test_mdx_strips_imports_components_json_ld_and_comments_but_keeps_text() -> None:
    doc = parse(MDX, filename="security.mdx")
    assert doc.title == "Security at Acme"
    assert doc.content_type == "text/markdown"
    assert doc.metadata["tags"] == ["security"]
    text = doc.text
    gone = ["@/components", "export const", "hero: true", "SchemaOnly", "editor note"]
    gone += ["<Callout", "</Callout>", "<Image", "props.footnote", "<a href", "mailto"]
    for fragment in gone:
        assert fragment not in text, fragment
    kept = ["Good to know", "We are SOC 2 Type II certified. Ask our team.", "SOC 2 badge"]
    kept += ["Data is encrypted with AES-256 at rest."]
    for fragment in kept:
        assert fragment in text, fragment
    # Code fences are content: kept verbatim, imports and JSX included.
    assert "```jsx\nimport x from 'y'\n<Button onClick={() => go()}>Buy</Button>\n```" in text


def test_mdx_component_props_that_read_as_prose_are_kept() -> None:
    source = (
        '<PlanCard name="Growth" price="$49" period="per seat / month" cta="Start free trial"'
        ' href="/signup" highlighted />\n\n'
        '<Steps>\n  <Step title="Connect calendars">Each rep connects once.</Step>\n</Steps>\n\n'
        '<Stat value="97%" label="match rate" />\n'
        '<Video src="https://cdn.acme.com/v2/demo.mp4" poster="/img/a.png" variant="wide" />\n'
        '<Quote author="Jonas Weber" role="VP Sales">Reps trust the system again.</Quote>\n'
    )
    text = parse(source, filename="plans.mdx").text
    assert "Growth, $49, per seat / month" in text
    assert "Connect calendars: Each rep connects once." in text
    assert "97%, match rate" in text
    assert "Jonas Weber, VP Sales: Reps trust the system again." in text
    for noise in ("Start free trial", "/signup", "cdn.acme", "/img", "wide", "highlighted"):
        assert noise not in text, noise


def test_markdown_html_blocks_and_scripts_are_stripped() -> None:
    source = (
        "# FAQ\n\n<details><summary>Is there a free trial?</summary>Yes, 14 days.</details>\n\n"
        '<script>alert("x")</script><img src=x onerror="alert(1)">\n\n'
        "Mail <sales@acme.com>; `<b>` stays code; 3 < 5 and AT&amp;T.\n"
    )
    doc = parse(source, filename="faq.md")
    assert "Is there a free trial?\nYes, 14 days." in doc.text
    assert "alert" not in doc.text and "onerror" not in doc.text
    assert "Mail <sales@acme.com>; `<b>` stays code; 3 < 5 and AT&T." in doc.text


# --- HTML ----------------------------------------------------------------------------

HTML_PAGE = """<!doctype html>
<html lang="en"><head><title>Acme Pricing</title>
<meta name="description" content="Plans and prices"><meta name="keywords" content="pricing, plans">
<style>body { color: red }</style><script>var tracking = 1;</script></head>
<body>
<header><nav><a href="/">Home</a><a href="/blog">Blog</a></nav></header>
<div class="cookie-banner">We use cookies. <button>Accept all</button></div>
<main>
  <h1>Pricing</h1>
  <p>Simple plans for   growing teams.</p>
  <h2>Growth plan</h2>
  <ul><li>Up to <b>10</b> seats</li><li>SSO included<ul><li>SAML</li></ul></li></ul>
  <table><thead><tr><th>Plan</th><th>Price</th></tr></thead>
  <tbody><tr><td>Starter</td><td>$29</td></tr><tr><td>Growth</td><td>$99</td></tr></tbody></table>
  <form><input name="email"><button>Subscribe</button></form>
</main>
<aside>Related: our blog</aside>
<footer>(c) 2024 Acme Inc. Privacy policy</footer>
</body></html>"""


def test_html_keeps_headings_lists_and_tables_and_drops_boilerplate() -> None:
    doc = parse(HTML_PAGE, filename="pricing.html")
    assert doc.title == "Acme Pricing"
    assert doc.content_type == "text/html"
    assert doc.metadata["description"] == "Plans and prices"
    assert doc.metadata["tags"] == ["pricing", "plans"]
    assert doc.metadata["language"] == "en"
    assert doc.text == (
        "# Pricing\n\nSimple plans for growing teams.\n\n## Growth plan\n\n"
        "- Up to 10 seats\n- SSO included\n  - SAML\n\n"
        "| Plan | Price |\n| --- | --- |\n| Starter | $29 |\n| Growth | $99 |"
    )


def test_html_boilerplate_detection_is_narrow() -> None:
    page = (
        "<html><body>"
        '<div id="cookieConsent">We use cookies.</div><div class="modal">Sign up now!</div>'
        '<ul class="social-links"><li>Twitter</li></ul>'
        '<section class="hero-banner">Route every lead in seconds.</section>'
        '<section class="market-share">Used by 40% of the Fortune 500.</section>'
        '<div class="google-ads-integration">Sync Google Ads leads.</div>'
        '<table><tr><th>SSO</th><td><span class="sr-only">Included</span></td></tr></table>'
        "</body></html>"
    )
    text = parse(page, filename="home.html").text
    assert text == (
        "Route every lead in seconds.\n\nUsed by 40% of the Fortune 500.\n\n"
        "Sync Google Ads leads.\n\n| SSO | Included |"
    )


def test_html_title_falls_back_to_h1() -> None:
    doc = parse("<html><body><h1>Integrations</h1><p>Slack and HubSpot.</p></body></html>")
    assert doc.title == "Integrations"
    assert doc.content_type == "text/html"  # sniffed from the bytes


HOSTILE_HTML = """<html><head><title>Win a <b>prize</b></title></head><body>
<p onclick="steal()" onmouseover="steal()">Real offer text.</p>
<img src="x" onerror="alert(document.cookie)">
<a href="javascript:alert(1)">Click here</a>
<script>document.write('<p>injected</p>')</script>
<iframe src="https://evil.example"></iframe>
<svg onload="alert(2)"><text>svg text</text></svg>
<p>Escaped markup: &lt;script&gt;alert(3)&lt;/script&gt; and &lt;img src=x onerror=y&gt;</p>
<div style="display:none">hidden spam</div><p hidden>also hidden</p>
</body></html>"""


def test_hostile_html_never_leaks_markup_or_script() -> None:
    doc = parse(HOSTILE_HTML, filename="x.html")
    assert "Real offer text." in doc.text
    assert "Click here" in doc.text
    leaks = ["<", ">", "onclick", "onerror", "steal", "javascript:", "injected", "evil"]
    leaks += ["svg text", "hidden spam", "also hidden", "alert(1)", "alert(2)"]
    for leak in leaks:
        assert leak not in doc.text, leak
    assert "<" not in doc.title


def test_html_with_only_boilerplate_is_empty() -> None:
    page = "<html><body><nav>Home Blog</nav><footer>(c) Acme</footer></body></html>"
    with pytest.raises(EmptyDocument, match="navigation"):
        parse(page, filename="nav.html")


def test_html_meta_charset_is_used_when_bytes_are_not_utf8() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Café crème</p></body></html>'
    doc = parse(page.encode("latin-1"), filename="menu.html")
    assert "Café crème" in doc.text


# --- Plain text ----------------------------------------------------------------------


def test_plain_text_is_normalised() -> None:
    raw = "Line one\r\nCafe\u0301 \u00a0costs\x07 $5.\u200b\r\n\r\n\r\n\r\nEnd\t \n"
    doc = parse(raw, filename="notes.txt")
    assert doc.content_type == "text/plain"
    assert doc.title == "Notes"
    assert doc.text == "Line one\nCafé  costs $5.\n\nEnd"


def test_plain_text_title_and_typewritten_headings_are_recognised() -> None:
    doc = parse(SLA_TEXT, filename="sla.txt")
    assert doc.title == "ACME SERVICE LEVEL AGREEMENT"
    assert "## 1. SCOPE\n\nThis agreement applies" in doc.text
    assert "## 2. SERVICE CREDITS\n\n" in doc.text
    assert "## Who is who\n\n" in doc.text
    # Indented column tables and runs of short lines are not headings.
    assert "## Monthly" not in doc.text
    assert "## Slack" not in doc.text and "## Salesforce" not in doc.text


def test_utf16_and_utf8_bom_are_accepted() -> None:
    text = "Ünïcödé pricing: €99 per month."
    for data in (
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        text.encode("utf-32"),
        codecs.BOM_UTF8 + text.encode(),
    ):
        assert parse(data, filename="p.txt").text == text


def test_unambiguous_legacy_encoding_is_detected() -> None:
    text = "Über unsere Preise: Größere Teams zahlen weniger pro Nutzer. Schöne Grüße aus München."
    assert parse(text.encode("cp1252"), filename="preise.txt").text == text


def test_ambiguous_latin1_is_refused_rather_than_guessed() -> None:
    # cp1250, cp1252 and cp1257 all read these bytes "plausibly" but differently
    # ("coûte" / "coűte" / "coūte"): refusing beats storing mojibake.
    text = "Résumé des tarifs : le plan Croissance coûte 99 euros par mois."
    with pytest.raises(UndecodableDocument, match="UTF-8") as err:
        parse(text.encode("latin-1"), source="kb/tarifs.txt", filename="tarifs.txt")
    assert err.value.source == "kb/tarifs.txt"
    # A declared charset makes the same bytes readable.
    declared = parse(text.encode("latin-1"), content_type="text/plain; charset=iso-8859-1")
    assert declared.text == text


def test_declared_charset_that_does_not_fit_is_undecodable() -> None:
    with pytest.raises(UndecodableDocument, match="utf-8"):
        parse(b"caf\xe9", content_type="text/plain; charset=utf-8")
    with pytest.raises(UndecodableDocument, match="unknown charset"):
        parse(b"cafe", content_type="text/plain; charset=klingon")


# --- PDF -----------------------------------------------------------------------------


def test_pdf_text_is_extracted_page_by_page() -> None:
    data = make_pdf(
        [["Acme Security Whitepaper", "We encrypt data (AES-256) at rest."], ["Page two: SSO."]],
        title="Security Whitepaper",
    )
    doc = parse(data, filename="whitepaper.pdf")
    assert doc.content_type == "application/pdf"
    assert doc.title == "Security Whitepaper"
    assert doc.metadata["pages"] == 2
    assert doc.text == (
        "Acme Security Whitepaper\nWe encrypt data (AES-256) at rest.\n\nPage two: SSO."
    )


def test_compressed_pdf_without_title_uses_file_name() -> None:
    doc = parse(make_pdf([["Flate stream text."]], compress=True), filename="case-study.pdf")
    assert doc.title == "Case study"
    assert doc.text == "Flate stream text."


def test_pdf_is_recognised_by_signature_whatever_the_declared_type() -> None:
    data = make_pdf([["Signed PDF."]])
    doc = parse(data, content_type="application/octet-stream")
    assert doc.content_type == "application/pdf"


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_truncated_pdf_is_corrupt(fraction: float) -> None:
    data = truncate(make_pdf([["Some text that will be cut off."]]), fraction)
    with pytest.raises(CorruptDocument, match="damaged or truncated") as err:
        parse(data, source="kb/cut.pdf", filename="cut.pdf")
    assert err.value.source == "kb/cut.pdf"


def test_encrypted_pdf_is_corrupt_with_a_reason() -> None:
    with pytest.raises(CorruptDocument, match="encrypted"):
        parse(make_pdf([["Secret pricing."]], encrypt=True), filename="locked.pdf")


def test_pdf_without_text_layer_is_empty() -> None:
    with pytest.raises(EmptyDocument, match="text layer"):
        parse(make_pdf([[]]), filename="scan.pdf")


def test_file_named_pdf_that_is_not_a_pdf_is_corrupt() -> None:
    with pytest.raises(CorruptDocument, match="%PDF-"):
        parse("just text", filename="fake.pdf")


# --- Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG_BYTES, "PNG"),
        (ZIP_BYTES, "ZIP"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "executable"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"Hello\x00world, a text with a NUL byte", "NUL"),
    ],
)
def test_binary_data_is_unsupported(data: bytes, kind: str) -> None:
    with pytest.raises(UnsupportedFormat, match=kind) as err:
        parse(data, source="kb/upload.md", filename="upload.md")
    assert err.value.source == "kb/upload.md"
    assert err.value.status_code == 415


def test_text_that_starts_like_a_weak_signature_is_still_text() -> None:
    assert parse("BMW fleet pricing.", filename="bmw.txt").text == "BMW fleet pricing."
    assert parse("MZ-5 series overview.", filename="mz.md").text == "MZ-5 series overview."


def test_unknown_extension_and_content_type_are_unsupported() -> None:
    with pytest.raises(UnsupportedFormat, match=r"'\.csv' files are not supported"):
        parse("a,b\n1,2", filename="data.csv")
    with pytest.raises(UnsupportedFormat, match="application/json"):
        parse('{"a": 1}', content_type="application/json")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", "\ufeff  \n".encode()])
def test_empty_and_whitespace_only_are_empty(data: bytes) -> None:
    with pytest.raises(EmptyDocument) as err:
        parse(data, source="kb/blank.md", filename="blank.md")
    assert err.value.source == "kb/blank.md"


def test_invisible_characters_only_is_empty() -> None:
    with pytest.raises(EmptyDocument):
        parse("\u200b\u200b\x07\n", filename="zw.txt")


def test_over_the_limit_names_size_and_limit() -> None:
    with pytest.raises(DocumentTooLarge) as err:
        parse_document(b"x" * 2048, source="kb/big.txt", max_bytes=1024)
    assert err.value.status_code == 413
    assert "2.0 KB (2048 bytes)" in err.value.reason
    assert "limit is 1.0 KB (1024 bytes)" in err.value.reason
    assert parse_document(b"x" * 1024, source="kb/ok.txt", max_bytes=1024).text == "x" * 1024


def test_errors_name_the_source_in_their_message() -> None:
    with pytest.raises(IngestError, match=r"^kb/pic\.png: this is a PNG image"):
        parse(PNG_BYTES, source="kb/pic.png")


# --- Detection -------------------------------------------------------------------------


def test_type_detection_order() -> None:
    md_as_text = parse("# Heading\n\nBody.", filename="a.md", content_type="text/plain")
    assert md_as_text.content_type == "text/plain"  # declared type wins over extension
    assert parse("# Heading\n\nBody.", filename="a.md").content_type == "text/markdown"
    assert parse("<p>Hi</p>", filename="a.htm").content_type == "text/html"
    assert parse("Plain words.", source="https://acme.com/docs/v1.2").content_type == "text/plain"
    assert parse("# Title\n\nBody.", source="https://acme.com/faq").content_type == "text/markdown"
    assert parse("x", source="kb/a.mdx").content_type == "text/markdown"
    assert parse("<!DOCTYPE html><p>Hi</p>").content_type == "text/html"
    assert parse("x", content_type="text/x-markdown; charset=utf-8").content_type == "text/markdown"


def test_supported_extensions() -> None:
    assert {".md", ".mdx", ".markdown", ".html", ".htm", ".txt", ".pdf"} == SUPPORTED_EXTENSIONS
