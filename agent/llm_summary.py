"""The model-written handoff summary, kept only when every figure in it is true.

The caller holds a deterministic template summary; this returns None whenever the model
fails or writes an amount, a number of days or a currency that the qualification state
does not hold, so a rep never reads a number the visitor did not give.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from langchain_core.messages import SystemMessage

from agent.config import AgentSettings
from agent.llm import build_chat_model, invoke_within, message_text
from agent.prompts import load_prompt

log = logging.getLogger("baton.llm")

PROMPT_NAME = "handoff_summary"
_MAX_CHARS = 1500
_TRANSCRIPT_TURNS = 40

# A figure: an optional currency sign, digits with separators, an optional multiplier.
_FIGURE = re.compile(
    r"(?<![\w.])(?P<sign>[$€£¥₹])?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?:\s?(?P<mult>k|m|mm|bn|thousand|million|billion)\b)?",
    re.IGNORECASE,
)
_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
}
_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CURRENCY_WORDS = re.compile(
    r"\b(?P<code>USD|EUR|GBP|CAD|AUD|CHF|JPY|INR|SEK|NOK|DKK|NZD|SGD)\b"
    r"|\b(?P<word>dollars?|euros?|pounds?|sterling|francs?|yen|rupees?)\b",
    re.IGNORECASE,
)
_WORD_CODES = {
    "dollar": "USD",
    "euro": "EUR",
    "pound": "GBP",
    "sterling": "GBP",
    "franc": "CHF",
    "yen": "JPY",
    "rupee": "INR",
}
_PERIOD_WORDS = {
    "monthly": re.compile(r"\b(?:per|a|each|every)\s+month\b|\bmonthly\b|/\s?mo(?:nth)?\b", re.I),
    "annual": re.compile(
        r"\b(?:per|a|each|every)\s+year\b|\bannual(?:ly)?\b|\byearly\b|/\s?yr\b", re.I
    ),
}


class LLMSummarizer:
    """Writes the handoff summary with the configured model."""

    def __init__(self, settings: AgentSettings) -> None:
        self._settings = settings
        self._prompt = load_prompt(PROMPT_NAME)
        self.prompt_version = self._prompt.label
        self._llm = build_chat_model(settings)

    def summarize(self, payload: dict[str, Any]) -> str | None:
        """Return the model's summary of a handoff, or None to keep the template summary."""
        try:
            text = self._ask(payload)
        except Exception as exc:
            log.warning("model summary failed: %s: %s", type(exc).__name__, exc)
            return None
        qualification = payload.get("qualification") or {}
        problem = figure_problem(text, qualification, payload)
        if problem:
            log.warning("model summary refused: %s", problem)
            return None
        return text

    def messages(self, payload: dict[str, Any]) -> list[SystemMessage]:
        """Build the single instruction-and-data message of the summary call."""
        qualification = dict(payload.get("qualification") or {})
        contact = payload.get("contact") or qualification.pop("contact", None) or {}
        qualification.pop("contact", None)
        # The rep's note is about facts, not the internal scoring.
        for internal in ("score", "stage"):
            qualification.pop(internal, None)
        transcript = [
            {"role": t.get("role"), "text": t.get("text")}
            for t in (payload.get("transcript") or [])[-_TRANSCRIPT_TURNS:]
        ]
        sources = [
            {"title": s.get("title"), "source": s.get("source")}
            for s in payload.get("cited_sources") or []
        ]
        rendered = self._prompt.render(
            company=self._settings.company_name,
            qualification=_quote_json(qualification),
            contact=_quote_json(contact),
            sources=_quote_json(sources),
            transcript=_quote_json(transcript),
        )
        return [SystemMessage(rendered)]

    def _ask(self, payload: dict[str, Any]) -> str:
        message = invoke_within(
            self._llm, list(self.messages(payload)), self._settings.turn_timeout_s
        )
        text = " ".join(message_text(message).split())
        if not text:
            raise ValueError("empty summary")
        if len(text) > _MAX_CHARS:
            raise ValueError(f"summary of {len(text)} characters is too long")
        return text


def figure_problem(text: str, qualification: dict[str, Any], payload: dict[str, Any]) -> str | None:
    """Name the first figure, currency or period in `text` the qualification does not hold."""
    budget = qualification.get("budget") or {}
    timeline = qualification.get("timeline") or {}
    allowed = {
        float(v)
        for v in (budget.get("amount"), budget.get("amount_max"), timeline.get("within_days"))
        if v is not None
    }
    # Numbers that are part of a name (a phone, "Acme 360", "SOC 2 report") are not figures.
    incidental = _numbers_in(payload.get("contact") or qualification.get("contact") or {})
    incidental |= _numbers_in([s.get("title") for s in payload.get("cited_sources") or []])
    for m in _FIGURE.finditer(text):
        value = float(m.group("num").replace(",", "") + (m.group("frac") or ""))
        mult = (m.group("mult") or "").lower()
        scaled = value * _MULTIPLIERS.get(mult, 1.0)
        if scaled in allowed or (not mult and not m.group("sign") and value in incidental):
            continue
        return f"figure {m.group(0).strip()!r} is not in the qualification state"
    currency = budget.get("currency")
    for m in _CURRENCY_WORDS.finditer(text):
        code = (m.group("code") or "").upper() or _WORD_CODES[m.group("word").lower().rstrip("s")]
        if code != currency:
            return f"currency {m.group(0)!r} differs from the budget's {currency}"
    for m in _FIGURE.finditer(text):
        sign = m.group("sign")
        if sign and _SIGNS[sign] != currency:
            return f"currency {sign!r} differs from the budget's {currency}"
    period = budget.get("period")
    for name, pattern in _PERIOD_WORDS.items():
        if pattern.search(text) and period != name:
            return f"period {name!r} differs from the budget's {period}"
    return None


def _numbers_in(value: Any) -> set[float]:
    found = re.findall(r"\d+(?:\.\d+)?", json.dumps(value))
    return {float(n) for n in found}


def _quote_json(value: Any) -> str:
    # Escaping < and > keeps visitor text from forging the template's delimiters.
    text = json.dumps(value, ensure_ascii=False, indent=1, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")
