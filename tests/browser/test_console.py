"""The journey to sales and the staff console in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Stack
from tests.browser.helpers import open_widget, requires_chromium, send, shot, sign_in, stored
from tests.conftest import ADMIN_KEY

pytestmark = requires_chromium

QUALIFYING_CHAT = [
    "How much does the Growth plan cost?",
    "We're a 40-person sales team and inbound leads sit unassigned for hours; "
    "we need round-robin routing.",
    "I'm the VP of Sales and I sign off on tools like this.",
    "We have about $30k a year approved for this.",
    "We want to be live within 6 weeks.",
]


def _ask(stack: Stack, text: str) -> None:
    """Open a conversation over the API and send one visitor message."""
    with stack.api(None) as api:
        conv = api.post("/v1/conversations", json={}).json()
        api.post(
            f"/v1/conversations/{conv['id']}/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {conv['visitor_token']}"},
        ).raise_for_status()


def _requested_handoff(stack: Stack, who: str) -> str:
    """Open a conversation over the API whose visitor asks for a demo; return the handoff id."""
    with stack.api(None) as api:
        conv = api.post("/v1/conversations", json={"metadata": {"url": "https://x.test/"}}).json()
        api.post(
            f"/v1/conversations/{conv['id']}/messages",
            json={"text": f"Can I book a demo? I'm {who}, {who.lower()}@initech.com"},
            headers={"Authorization": f"Bearer {conv['visitor_token']}"},
        ).raise_for_status()
    with stack.api(ADMIN_KEY) as api:
        items = api.get("/v1/handoffs", params={"conversation_id": conv["id"]}).json()["items"]
    assert len(items) == 1
    handoff_id: str = items[0]["id"]
    return handoff_id


def test_qualifying_chat_through_the_widget_reaches_sales(
    stack: Stack, context: Any, shots: Path
) -> None:
    page = context.new_page()
    page.goto(stack.baton.url + "/?utm_source=linkedin")
    open_widget(page)
    email_field = page.get_by_label("Your work e-mail, so the team can follow up")
    for text in QUALIFYING_CHAT:
        send(page, text)
    email_field.wait_for()  # the agent asked for contact details: an inline field is offered
    shot(page, shots, "widget-email-ask")
    email_field.fill("not an email")
    page.get_by_role("button", name="Share e-mail").click()
    assert "valid e-mail" in page.get_by_role("status").inner_text()
    email_field.fill("jane.doe@acme-corp.com")
    bots = page.locator(".msg.bot").count()
    page.get_by_role("button", name="Share e-mail").click()
    page.wait_for_function(
        """(n) => document.querySelector('#baton-widget').shadowRoot
                   .querySelectorAll('.msg.bot').length > n""",
        arg=bots,
    )
    assert email_field.is_hidden()
    shot(page, shots, "widget-qualified")

    conversation_id = stored(page)["id"]
    with stack.api(ADMIN_KEY) as api:
        items = api.get("/v1/handoffs", params={"conversation_id": conversation_id}).json()
    assert len(items["items"]) == 1
    handoff = items["items"][0]
    assert handoff["qualification"]["stage"] == "sql"
    assert handoff["contact"]["email"] == "jane.doe@acme-corp.com"
    assert handoff["page"]["utm"] == {"utm_source": "linkedin"}

    console = context.new_page()
    sign_in(console, stack.baton.url, stack.sales_key)
    row = console.locator(f"tr[data-id='{handoff['id']}']")
    row.wait_for()
    assert "jane.doe@acme-corp.com" in row.inner_text()
    row.get_by_role("link").click()
    console.get_by_role("heading", name="BANT").wait_for()
    body = console.locator("main").inner_text()
    assert "We have about $30k a year approved for this." in body  # evidence quote
    assert "USD 30,000" in body
    assert "within 42 days" in body
    assert "Pricing and plans" in body  # cited source
    assert "How much does the Growth plan cost?" in body  # transcript
    shot(console, shots, "console-handoff")


def test_rep_accepts_and_rejects_handoffs_in_the_console(
    stack: Stack, context: Any, shots: Path
) -> None:
    to_accept = _requested_handoff(stack, "Alice")
    to_reject = _requested_handoff(stack, "Bob")
    page = context.new_page()
    sign_in(page, stack.baton.url, stack.sales_key)
    nav = page.get_by_role("navigation", name="Console sections")
    assert nav.get_by_role("link").all_inner_texts() == ["Handoffs", "Insights"]
    page.locator(f"tr[data-id='{to_accept}']").wait_for()
    rows = page.locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")
    assert rows.index(to_reject) < rows.index(to_accept), "newest first"
    shot(page, shots, "console-inbox")

    page.locator(f"tr[data-id='{to_accept}'] a").click()
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted. It is yours.").wait_for()
    assert page.locator("#handoff-status").inner_text() == "accepted"
    page.get_by_role("button", name="Accept").click()  # again: the API's 409 is shown
    page.get_by_role("alert").wait_for()
    assert "accepted" in page.get_by_role("alert").inner_text()
    page.get_by_label("Deal amount").fill("18000")
    page.get_by_role("button", name="Won").click()
    page.get_by_text("Marked as won.").wait_for()

    page.goto(stack.baton.url + f"/console#/handoffs/{to_reject}")
    page.get_by_role("button", name="Reject").click()
    assert "Choose why" in page.locator("#reject-help").inner_text()
    page.get_by_label("Reason (required)").select_option("bad_timing")
    page.get_by_label("Note").fill("Budget frozen until Q3")
    page.get_by_role("button", name="Reject").click()
    page.get_by_text("Rejected; marketing will see the reason.").wait_for()
    shot(page, shots, "console-rejected")

    with stack.api(ADMIN_KEY) as api:
        won = api.get(f"/v1/handoffs/{to_accept}").json()
        rejected = api.get(f"/v1/handoffs/{to_reject}").json()
    assert won["status"] == "won"
    assert rejected["status"] == "rejected"

    page.goto(stack.baton.url + "/console#/handoffs?status=rejected")
    page.locator(f"tr[data-id='{to_reject}']").wait_for()
    assert page.locator(f"tr[data-id='{to_accept}']").count() == 0

    page.goto(stack.baton.url + "/console#/insights")
    chart = page.locator("#rejections-chart")
    chart.wait_for()
    assert chart.locator("rect[data-label='bad timing']").count() == 1
    # The two charts load from separate requests; wait for the funnel's own drawing.
    page.locator("#funnel-chart rect").first.wait_for()
    assert page.locator("#funnel-chart rect").count() == 5
    shot(page, shots, "console-insights")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/login")
    page.goto(stack.baton.url + "/console")
    assert page.url.endswith("/console/login")


def test_marketer_uploads_a_document_and_finds_it(
    stack: Stack, context: Any, shots: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "zephyr-connector.md"
    doc.write_text(
        "# Zephyr connector\n\nThe Zephyr connector syncs routed leads to Zephyr CRM every "
        "five minutes. It is included in the Scale plan.\n",
        encoding="utf-8",
    )
    page = context.new_page()
    sign_in(page, stack.baton.url, stack.marketer_key)
    nav = page.get_by_role("navigation", name="Console sections")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Knowledge",
        "Content gaps",
        "Qualification",
        "Insights",
    ]
    page.get_by_label("Markdown, MDX, HTML, text or PDF").set_input_files(str(doc))
    page.get_by_role("button", name="Upload").click()
    progress = page.locator("#upload-progress")
    progress.get_by_text("Indexed: Zephyr connector").wait_for()
    assert progress.locator("progress").get_attribute("value") == "100"
    page.locator("tr[data-source='zephyr-connector.md']").wait_for()

    page.get_by_label("Question").fill("Which plan includes the Zephyr connector?")
    page.get_by_role("button", name="Search").click()
    first = page.locator("#search-results li").first
    first.wait_for()
    assert "Zephyr connector" in first.inner_text()
    shot(page, shots, "console-knowledge")

    page.locator("tr[data-source='zephyr-connector.md']").get_by_role("button", name="Edit").click()
    page.get_by_role("heading", name="Edit: Zephyr connector").wait_for()
    text = page.get_by_label("Document text")
    assert "every five minutes" in text.input_value()
    text.fill(text.input_value().replace("five minutes", "two minutes"))
    page.get_by_role("button", name="Save and index").click()
    page.get_by_text("version 2").wait_for()

    page.goto(stack.baton.url + "/console#/settings")
    editor = page.get_by_label("Policy (JSON)")
    editor.wait_for()
    page.wait_for_function("() => document.getElementById('policy').value.length > 10")
    editor.fill('{"weights": {"budget": 1}}')
    page.get_by_role("button", name="Save new version").click()
    error = page.locator("#policy-error")
    page.wait_for_function("() => document.getElementById('policy-error').textContent !== ''")
    assert editor.get_attribute("aria-invalid") == "true"
    assert "weights.authority" in error.inner_text()
    shot(page, shots, "console-settings-error")
    page.get_by_role("button", name="Discard changes").click()
    page.get_by_role("button", name="Save new version").click()
    page.get_by_text("Saved as version 2.").wait_for()
    assert error.inner_text() == ""
