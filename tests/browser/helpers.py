"""Small steps the browser tests share: drive the widget and the console like a person would."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM

requires_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]

# Records, inside the widget's shadow root, every change of a bot message's text and the
# moment a visitor message is acknowledged (its "pending" class goes away), in order.
OBSERVE_JS = """
() => {
  const root = document.querySelector('#baton-widget').shadowRoot;
  window.__events = [];
  new MutationObserver((records) => {
    for (const r of records) {
      const t = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const was = r.oldValue || '';
      if (r.type === 'attributes') {
        if (t.matches('.msg.me') && was.includes('pending') && !t.classList.contains('pending'))
          window.__events.push('ack');
      } else if (t.closest && t.closest('.msg.bot')) window.__events.push('text');
    }
  }).observe(root, {subtree: true, childList: true, characterData: true,
                    attributes: true, attributeFilter: ['class'], attributeOldValue: true});
}
"""


def open_widget(page: Any) -> Any:
    """Open the chat panel from the bubble and wait for the greeting."""
    page.locator(".bubble").click()
    panel = page.get_by_role("dialog")
    panel.locator(".msg.bot").first.wait_for()
    return panel


def send(page: Any, text: str) -> str:
    """Send a message through the widget, wait for the whole reply and return its text."""
    bots = page.locator(".msg.bot")
    before = bots.count()
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        """(n) => {
          const root = document.querySelector('#baton-widget').shadowRoot;
          return root.querySelectorAll('.msg.bot').length > n
            && !root.querySelector('.msg.me.pending') && root.querySelector('.typing').hidden;
        }""",
        arg=before,
    )
    text_out: str = bots.nth(before).locator(".text").inner_text()
    return text_out


def stored(page: Any) -> dict[str, Any]:
    """Return the widget's saved state (conversation id, token, pending messages)."""
    state: dict[str, Any] = page.evaluate(
        """() => { for (let i = 0; i < localStorage.length; i++) {
             const k = localStorage.key(i);
             if (k.startsWith('baton:')) return JSON.parse(localStorage.getItem(k)); }
           return {}; }"""
    )
    return state


def sign_in(page: Any, base_url: str, key: str) -> None:
    """Sign in to the console with a staff key through the login form."""
    page.goto(base_url + "/console")
    page.get_by_label("Staff key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console#/**")


def shot(page: Any, folder: Path, name: str) -> None:
    """Save a screenshot of the page for a person to look at."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
