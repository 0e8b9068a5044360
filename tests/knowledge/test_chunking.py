"""chunk_document: chunks follow headings, keep lists and tables whole, and stay bounded."""

from __future__ import annotations

import re

from knowledge.chunking import MAX_CHUNK_CHARS, ChunkDraft, chunk_document, split_sentences
from knowledge.parsing import ParsedDocument, parse_document
from tests.knowledge.files import SLA_TEXT, make_pdf


def doc(text: str, title: str = "Pricing", content_type: str = "text/markdown") -> ParsedDocument:
    return ParsedDocument(title=title, text=text, content_type=content_type, metadata={})


def body(chunk: ChunkDraft) -> str:
    """The chunk text after its heading path line."""
    head, _, rest = chunk.text.partition("\n\n")
    assert head == " > ".join(chunk.heading_path)
    return rest


def assert_well_formed(chunks: list[ChunkDraft]) -> None:
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert body(chunk).strip(), "empty chunk"
        assert len(body(chunk)) <= MAX_CHUNK_CHARS
        assert len(chunk.text) <= MAX_CHUNK_CHARS + len(" > ".join(chunk.heading_path)) + 2


PRICING = """# Pricing

Acme has three plans. Every plan includes unlimited contacts.

## Starter plan

Starter is for small teams.

## Growth plan

Growth adds automation.

| Plan | Seats | Price |
| --- | --- | --- |
| Growth | 10 | $99 |
| Growth+ | 25 | $199 |

### What is included

- SSO with SAML
- Audit logs
- Priority support

## Enterprise

Talk to sales.
"""


def test_chunks_follow_headings_with_their_path() -> None:
    chunks = chunk_document(doc(PRICING))
    assert_well_formed(chunks)
    assert [c.heading_path for c in chunks] == [
        ["Pricing"],
        ["Pricing", "Starter plan"],
        ["Pricing", "Growth plan"],
        ["Pricing", "Growth plan", "What is included"],
        ["Pricing", "Enterprise"],
    ]
    growth = chunks[2]
    assert growth.text.startswith("Pricing > Growth plan\n\nGrowth adds automation.")
    assert "| Growth | 10 | $99 |\n| Growth+ | 25 | $199 |" in growth.text
    included = chunks[3].text
    assert included == (
        "Pricing > Growth plan > What is included\n\n- SSO with SAML\n- Audit logs\n"
        "- Priority support"
    )


def test_title_leads_the_path_when_it_differs_from_the_h1() -> None:
    chunks = chunk_document(doc("# Plans\n\nIntro.\n\n## Growth\n\nDetails.", title="Acme"))
    assert [c.heading_path for c in chunks] == [["Acme", "Plans"], ["Acme", "Plans", "Growth"]]


def test_document_without_headings_uses_its_title() -> None:
    chunks = chunk_document(doc("One paragraph.\n\nAnother paragraph.", title="Notes"))
    assert len(chunks) == 1
    assert chunks[0].heading_path == ["Notes"]
    assert chunks[0].text == "Notes\n\nOne paragraph.\n\nAnother paragraph."


def test_sibling_and_deeper_headings_reset_the_path() -> None:
    text = "## A\n\na\n\n### A1\n\na1\n\n#### A1x\n\nx\n\n## B\n\nb\n\n### B1\n\nb1"
    paths = [c.heading_path for c in chunk_document(doc(text, title="T"))]
    assert paths == [["T", "A"], ["T", "A", "A1"], ["T", "A", "A1", "A1x"], ["T", "B"],
                     ["T", "B", "B1"]]  # fmt: skip


def test_headings_inside_code_fences_are_not_headings() -> None:
    text = "## Install\n\n```bash\n# install the CLI\npip install acme\n```\n\nDone."
    chunks = chunk_document(doc(text))
    assert len(chunks) == 1
    assert "```bash\n# install the CLI\npip install acme\n```" in chunks[0].text


def test_heading_markup_is_removed_from_the_path() -> None:
    chunks = chunk_document(doc("## The **Growth** plan with [SSO](/sso)\n\nText."))
    assert chunks[0].heading_path == ["Pricing", "The Growth plan with SSO"]


def test_setext_headings_and_rules() -> None:
    chunks = chunk_document(doc("Security\n========\n\nWe encrypt.\n\n---\n\nFAQ\n---\n\nAsk us."))
    assert [c.heading_path for c in chunks] == [["Pricing", "Security"],
                                                ["Pricing", "Security", "FAQ"]]  # fmt: skip
    assert body(chunks[0]) == "We encrypt."


def test_headings_only_document_still_yields_a_chunk() -> None:
    chunks = chunk_document(doc("# Pricing\n\n## Coming soon"))
    assert len(chunks) == 1
    assert "Coming soon" in chunks[0].text


def sentences(count: int, topic: str = "plan") -> str:
    return " ".join(f"Sentence {i} explains the {topic} in plain words." for i in range(count))


def test_long_paragraph_splits_on_sentences_into_even_chunks() -> None:
    chunks = chunk_document(doc(f"## Growth plan\n\n{sentences(80)}"))
    assert_well_formed(chunks)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert chunk.heading_path == ["Pricing", "Growth plan"]
        assert re.fullmatch(r"(Sentence \d+ explains the plan in plain words\. ?)+", body(chunk))
        assert len(body(chunk)) >= 600  # no tiny tail
    joined = " ".join(body(c) for c in chunks)
    assert joined == sentences(80)


def test_small_blocks_of_a_section_are_packed_together() -> None:
    paragraphs = "\n\n".join(sentences(3, f"topic {i}") for i in range(12))
    chunks = chunk_document(doc(f"## FAQ\n\n{paragraphs}"))
    assert_well_formed(chunks)
    assert 2 <= len(chunks) <= 4
    assert all(body(c).count("\n\n") >= 1 for c in chunks)  # paragraphs share chunks


def test_long_list_splits_between_items() -> None:
    items = "\n".join(f"- Integration {i} syncs contacts and deals both ways." for i in range(60))
    chunks = chunk_document(doc(f"## Integrations\n\n{items}"))
    assert_well_formed(chunks)
    assert len(chunks) >= 2
    for chunk in chunks:
        for line in body(chunk).split("\n"):
            assert re.fullmatch(r"- Integration \d+ syncs contacts and deals both ways\.", line)


def test_long_table_splits_between_rows_and_repeats_the_header() -> None:
    rows = "\n".join(f"| Feature {i} | Included in Growth | Yes |" for i in range(70))
    table = f"| Feature | Plan | Available |\n| --- | --- | --- |\n{rows}"
    chunks = chunk_document(doc(f"## Compare plans\n\n{table}"))
    assert_well_formed(chunks)
    assert len(chunks) >= 2
    seen = []
    for chunk in chunks:
        lines = body(chunk).split("\n")
        assert lines[:2] == ["| Feature | Plan | Available |", "| --- | --- | --- |"]
        seen += lines[2:]
    assert seen == rows.split("\n")


def test_long_code_block_splits_between_lines_and_stays_fenced() -> None:
    code = "\n".join(f"print('line {i} of the example script')" for i in range(80))
    chunks = chunk_document(doc(f"## Example\n\n```python\n{code}\n```"))
    assert_well_formed(chunks)
    assert len(chunks) >= 2
    for chunk in chunks:
        assert body(chunk).startswith("```python\n") and body(chunk).endswith("\n```")


def test_text_without_any_break_is_cut_on_words_and_bounded() -> None:
    words = " ".join(f"word{i}" for i in range(900))
    giant_token = "x" * 3000
    chunks = chunk_document(doc(f"{words}\n\n{giant_token}"))
    assert_well_formed(chunks)
    assert " ".join(body(c) for c in chunks).replace(" ", "") == (words + giant_token).replace(
        " ", ""
    )


def test_sentence_splitting() -> None:
    assert split_sentences("It works. Really well! Does it? Yes, e.g. here. 価格です。次") == [
        "It works.", "Really well!", "Does it?", "Yes, e.g. here.", "価格です。", "次",
    ]  # fmt: skip


def test_parsed_html_and_pdf_chunk_end_to_end() -> None:
    page = (
        "<html><head><title>Acme Pricing</title></head><body><nav>Home</nav><main>"
        "<h1>Pricing</h1><p>Simple plans.</p><h2>Growth plan</h2>"
        "<ul><li>10 seats</li><li>SSO</li></ul></main></body></html>"
    )
    html_doc = parse_document(page.encode(), source="p.html", max_bytes=10_000)
    chunks = chunk_document(html_doc)
    assert chunks[-1].heading_path == ["Acme Pricing", "Pricing", "Growth plan"]
    assert chunks[-1].text.endswith("- 10 seats\n- SSO")

    pdf = make_pdf([["Acme case study", "Revenue grew 40% in a year."], ["Thank you."]])
    pdf_chunks = chunk_document(parse_document(pdf, source="kb/globex.pdf", max_bytes=10_000))
    assert [c.heading_path for c in pdf_chunks] == [["Globex"]]
    assert "Revenue grew 40% in a year." in pdf_chunks[0].text


def test_plain_text_sections_keep_tables_and_lists_with_their_heading() -> None:
    chunks = chunk_document(parse_document(SLA_TEXT.encode(), source="sla.txt", max_bytes=10_000))
    assert_well_formed(chunks)
    by_path = {" > ".join(c.heading_path): body(c) for c in chunks}
    credits = by_path["ACME SERVICE LEVEL AGREEMENT > 2. SERVICE CREDITS"]
    assert credits == (
        "If we miss the commitment, you receive a credit:\n\n"
        "Monthly uptime                   Credit\n"
        "below 99.9% but at least 99.0%   10%\n"
        "below 99.0%                      25%"
    )
    who = by_path["ACME SERVICE LEVEL AGREEMENT > Who is who"]
    assert who.startswith("- You are the data controller.\n- Acme is the processor.")
    assert "Slack" in who and "Salesforce" in who and "Zapier" in who


def test_list_right_after_a_paragraph_line_stays_a_list() -> None:
    text = "## Browsers\n\nSupported browsers:\n* Chrome\n* Firefox\n  (two latest versions)"
    chunks = chunk_document(doc(text))
    assert body(chunks[0]) == (
        "Supported browsers:\n\n* Chrome\n* Firefox\n  (two latest versions)"
    )


def test_headings_without_text_under_them_are_not_lost() -> None:
    chunks = chunk_document(doc("## Slack\n\n## HubSpot\n\nSyncs deals.\n\n## Zapier"))
    assert [body(c) for c in chunks] == ["Slack", "Syncs deals.", "Zapier"]
    assert chunks[1].heading_path == ["Pricing", "HubSpot"]
