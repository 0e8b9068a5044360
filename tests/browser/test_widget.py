"""The chat widget in headless Chromium: embedding, streaming, resuming, safety, keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Stack
from tests.browser.helpers import OBSERVE_JS, open_widget, requires_chromium, send, shot, stored
from tests.conftest import ADMIN_KEY

pytestmark = requires_chromium


def _conversation(stack: Stack, conversation_id: str) -> dict[str, Any]:
    with stack.api(ADMIN_KEY) as api:
        res = api.get(f"/v1/conversations/{conversation_id}")
        assert res.status_code == 200, res.text
        body: dict[str, Any] = res.json()
        return body


def _conversation_count(stack: Stack) -> int:
    from sqlmodel import Session, func, select

    from agent.models import Conversation

    with Session(stack.baton.services.engine) as session:
        return int(session.exec(select(func.count()).select_from(Conversation)).one())


def test_widget_on_another_origin_streams_a_cited_answer(
    stack: Stack, context: Any, shots: Path
) -> None:
    page = context.new_page()
    page.goto(stack.partner.origin + "/shop?site=partner&utm_source=newsletter&utm_campaign=q4")
    panel = open_widget(page)
    assert "Relaypoint assistant" in panel.locator(".msg.bot").first.inner_text()
    # Hostile host CSS hides every button and paints text lime; the shadow DOM keeps ours.
    assert page.locator(".bubble").is_visible()
    color = page.locator(".msg.bot .text").first.evaluate("e => getComputedStyle(e).color")
    assert color != "rgb(0, 255, 0)"

    page.evaluate(OBSERVE_JS)
    reply = send(page, "How much does the Growth plan cost per seat?")
    assert "$49" in reply
    events: list[str] = page.evaluate("window.__events")
    assert "ack" in events
    streamed = events[: events.index("ack")].count("text")
    assert streamed >= 3, f"the answer arrived in {streamed} DOM updates, not streamed"

    links = page.locator(".msg.bot").last.locator(".cites a")
    assert links.count() >= 1
    href = links.first.get_attribute("href")
    assert href is not None and href.startswith(stack.baton.url + "/kb/")
    assert links.first.get_attribute("rel") == "noopener noreferrer"
    shot(page, shots, "widget-partner-origin")

    state = stored(page)
    conv = _conversation(stack, state["id"])
    meta = conv["metadata"]
    assert meta["url"].startswith(stack.partner.origin + "/shop")
    assert meta["utm"] == {"utm_source": "newsletter", "utm_campaign": "q4"}
    assert conv["site_key"] == "partner"

    kb = context.new_page()
    kb.goto(href)
    assert "Pricing and plans" in kb.locator("h1").inner_text()


def test_widget_on_an_origin_not_allowed_shows_an_error_and_creates_nothing(
    stack: Stack, context: Any, shots: Path
) -> None:
    before = _conversation_count(stack)
    page = context.new_page()
    page.goto(stack.stranger.origin + "/?site=partner")
    page.locator(".bubble").click()
    status = page.get_by_role("status")
    status.wait_for()
    assert "not enabled" in status.inner_text()
    assert stack.stranger.origin in status.inner_text()
    assert page.get_by_label("Your message").is_disabled()
    assert page.get_by_role("button", name="Send").is_disabled()
    # Even a script that skips the widget's check is stopped by the browser's CORS rules.
    outcome = page.evaluate(
        """(url) => fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                body: '{"site_key": "partner"}'})
                      .then(r => 'status ' + r.status, e => 'blocked: ' + e.name)""",
        stack.baton.url + "/v1/conversations?site=partner",
    )
    assert outcome == "blocked: TypeError"
    assert _conversation_count(stack) == before
    shot(page, shots, "widget-origin-refused")


def test_conversation_survives_reload_and_navigation(stack: Stack, context: Any) -> None:
    page = context.new_page()
    page.goto(stack.baton.url + "/")
    open_widget(page)
    send(page, "Is there a free trial?")
    first = stored(page)
    assert first["id"] and first["token"] and first.get("pending") == []

    page.reload()
    page.locator(".msg.me").first.wait_for()  # reopened by itself, transcript restored
    assert page.locator(".msg.me").first.inner_text() == "Is there a free trial?"
    assert page.locator(".msg.bot").count() == 2  # the greeting and the answer

    page.get_by_role("link", name="Pricing").first.click()
    page.wait_for_url("**/pricing")
    page.locator(".msg.me").first.wait_for()
    assert stored(page)["id"] == first["id"]
    send(page, "Which CRMs do you support?")
    transcript = _conversation(stack, first["id"])["messages"]
    visitor = [m["text"] for m in transcript if m["role"] == "visitor"]
    assert visitor == ["Is there a free trial?", "Which CRMs do you support?"]


def test_message_sent_while_offline_is_kept_and_delivered_later(
    stack: Stack, context: Any, shots: Path
) -> None:
    page = context.new_page()
    page.goto(stack.baton.url + "/")
    open_widget(page)
    context.set_offline(True)
    page.get_by_label("Your message").fill("Do you integrate with HubSpot?")
    page.get_by_label("Your message").press("Enter")
    status = page.get_by_role("status")
    status.wait_for()
    assert "Retrying" in status.inner_text()
    pending = stored(page)["pending"]
    assert [p["text"] for p in pending] == ["Do you integrate with HubSpot?"]
    shot(page, shots, "widget-offline-retrying")

    context.set_offline(False)
    page.wait_for_function(
        "() => !document.querySelector('#baton-widget').shadowRoot.querySelector('.msg.me.pending')"
    )
    assert stored(page)["pending"] == []
    assert page.locator(".msg.bot").count() == 2
    assert status.is_hidden()
    transcript = _conversation(stack, stored(page)["id"])["messages"]
    assert [m["text"] for m in transcript if m["role"] == "visitor"] == [
        "Do you integrate with HubSpot?"
    ]


def test_markup_in_messages_is_shown_as_text(stack: Stack, context: Any, shots: Path) -> None:
    page = context.new_page()
    dialogs: list[str] = []

    def _record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", _record)
    page.goto(stack.baton.url + "/")
    open_widget(page)
    attack = "<img src=x onerror=alert(1)><script>alert(2)</script> what is <b>SSO</b>?"
    send(page, attack)
    assert page.locator(".msg.me .text").first.inner_text() == attack
    root_html = page.evaluate("() => document.querySelector('#baton-widget').shadowRoot.innerHTML")
    assert "<img" not in root_html
    assert "<script>" not in root_html
    assert "<b>" not in root_html
    page.wait_for_timeout(300)
    assert dialogs == []
    shot(page, shots, "widget-xss-inert")


def test_keyboard_only(stack: Stack, context: Any) -> None:
    page = context.new_page()
    page.goto(stack.baton.url + "/")
    bubble = page.locator(".bubble")
    bubble.wait_for()
    bubble.focus()
    assert bubble.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Relaypoint assistant")
    dialog.wait_for()
    assert bubble.get_attribute("aria-expanded") == "true"
    focused = page.evaluate(
        "() => document.querySelector('#baton-widget').shadowRoot.activeElement.id"
    )
    assert focused == "baton-input"
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    page.keyboard.type("What is Route Builder?")
    page.keyboard.press("Enter")
    page.locator(".msg.me").first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('#baton-widget').shadowRoot.querySelector('.msg.me.pending')"
    )
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert page.evaluate("() => document.activeElement.id") == "baton-widget"
    assert (
        page.evaluate(
            "() => document.querySelector('#baton-widget').shadowRoot.activeElement.className"
        )
        == "bubble"
    )
    page.keyboard.press("Space")
    dialog.wait_for()
    # Tab walks from the message box to the send button, all inside the panel.
    page.keyboard.press("Tab")
    assert (
        page.evaluate(
            "() => document.querySelector('#baton-widget').shadowRoot.activeElement.textContent"
        )
        == "Send"
    )


@pytest.mark.parametrize("width", [375])
def test_mobile_layout_is_full_screen(stack: Stack, browser: Any, shots: Path, width: int) -> None:
    ctx = browser.new_context(
        viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        page = ctx.new_page()
        page.goto(stack.baton.url + "/")
        shot(page, shots, "mobile-landing")
        open_widget(page)
        box = page.get_by_role("dialog").bounding_box()
        assert box is not None
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, width, 740)
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= width
        send(page, "Where is our data stored?")
        shot(page, shots, "mobile-widget")
    finally:
        ctx.close()
