"""The model's structured output for one turn, and how it becomes citations and facts.

The schema puts `answer` first so the answer text can be streamed while the rest of the
JSON is still being generated. Every fact carries the visitor's verbatim quote; a fact
is kept only when that quote is really in the visitor's message, and its figures are
re-read from the quote by the same parsers as the offline engine.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent import intent
from agent.extraction import (
    merge_budget,
    parse_authority,
    parse_budget,
    parse_contact,
    parse_timeline,
)
from agent.models import Citation, Facts
from core.qualification import (
    Authority,
    AuthorityStatus,
    Budget,
    BudgetStatus,
    Contact,
    Field_,
    Need,
    NeedStatus,
    Period,
    Qualification,
    Timeline,
    TimelineStatus,
)
from knowledge.models import SearchHit

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_QUOTE = "The visitor's exact words this comes from, copied from their latest message."


class _Strict(BaseModel):
    # Strict structured outputs need every property required and no extra ones.
    model_config = ConfigDict(extra="forbid")


class BudgetFact(_Strict):
    """Budget as the visitor stated it."""

    evidence: str = Field(description=_QUOTE)
    status: BudgetStatus
    amount: float | None
    amount_max: float | None
    currency: str | None
    period: Period | None


class AuthorityFact(_Strict):
    """Who decides, as the visitor stated it."""

    evidence: str = Field(description=_QUOTE)
    status: AuthorityStatus
    role: str | None


class NeedFact(_Strict):
    """The pain or use case the visitor stated."""

    evidence: str = Field(description=_QUOTE)
    status: NeedStatus
    summary: str | None


class TimelineFact(_Strict):
    """When the visitor wants to be live."""

    evidence: str = Field(description=_QUOTE)
    status: TimelineStatus
    within_days: int | None


class ContactFact(_Strict):
    """Contact details exactly as the visitor wrote them."""

    evidence: str = Field(description=_QUOTE)
    email: str | None
    name: str | None
    company: str | None
    phone: str | None


class TurnOutput(_Strict):
    """One turn's answer and the facts of the visitor's latest message."""

    answer: str = Field(description="The reply shown to the visitor.")
    outcome: Literal["answered", "gap", "smalltalk"]
    citations: list[int] = Field(description="Numbers of the passages the answer used.")
    budget: BudgetFact | None
    authority: AuthorityFact | None
    need: NeedFact | None
    timeline: TimelineFact | None
    contact: ContactFact | None
    wants_human: bool
    declined: list[Field_]


def response_format() -> dict[str, Any]:
    """Return the strict json_schema response format of TurnOutput."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "turn_output",
            "strict": True,
            "schema": _without_titles(TurnOutput.model_json_schema()),
        },
    }


def _without_titles(schema: Any) -> Any:
    # pydantic titles every property; they cost prompt tokens and tell the model nothing.
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema


def cite(numbers: list[int], passages: list[SearchHit]) -> list[Citation]:
    """Map passage numbers (1-based) to citations, dropping numbers no passage has."""
    citations: list[Citation] = []
    seen: set[str] = set()
    for n in numbers:
        if not 1 <= n <= len(passages):
            continue
        hit = passages[n - 1]
        if hit.document_id in seen:
            continue
        seen.add(hit.document_id)
        citations.append(Citation(document_id=hit.document_id, source=hit.source, title=hit.title))
    return citations


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    return " ".join(text.replace("\u201d", '"').casefold().split())


def quoted_in(evidence: str | None, message: str) -> bool:
    """Tell whether a quote really occurs in the message (case- and space-insensitive)."""
    quote = _norm((evidence or "").strip(" \t\n.,;:!?\"'"))
    return len(quote) >= 2 and quote in _norm(message)


def _stated(evidence: str | None, message: str) -> bool:
    """Tell whether a quote is the visitor's own statement: in the message, not in an order."""
    if not quoted_in(evidence, message):
        return False
    quote = _norm(evidence or "")
    for sentence in _SENTENCE.split(message):
        # An order aimed at the bot ("set my budget to 1M") is not a fact about the visitor.
        text = _norm(sentence)
        overlaps = text and (text in quote or quote.strip(" .,;:!?\"'") in text)
        if overlaps and intent.classify(sentence) == "injection":
            return False
    return True


def to_facts(
    out: TurnOutput,
    *,
    message: str,
    message_id: str,
    current: Qualification,
    today: date,
) -> Facts:
    """Turn the model's extraction into Facts merged over the current state, as extract() does."""
    found: dict[str, Budget | Authority | Need | Timeline] = {}
    if out.budget and _stated(out.budget.evidence, message):
        found["budget"] = merge_budget(current.budget, _budget(out.budget))
    if out.authority and _stated(out.authority.evidence, message):
        found["authority"] = parse_authority(out.authority.evidence) or Authority(
            status=out.authority.status, role=out.authority.role
        )
    if out.need and _stated(out.need.evidence, message):
        found["need"] = Need(status=out.need.status, summary=out.need.summary)
    if out.timeline and _stated(out.timeline.evidence, message):
        found["timeline"] = _timeline(out.timeline, today)
    state = current.model_copy(deep=True)
    changed: list[str] = []
    for name, new in found.items():
        old = getattr(current, name)
        # Restating a known fact keeps the original evidence; only a change is recorded.
        if new.status == "unknown" or _same(old, new):
            continue
        evidence = getattr(out, name).evidence.strip()
        setattr(
            state, name, new.model_copy(update={"evidence": evidence, "message_id": message_id})
        )
        changed.append(name)
    if out.contact and _stated(out.contact.evidence, message):
        contact = _contact(out.contact, message)
        for key in ("email", "phone", "name", "company"):
            value = getattr(contact, key)
            if value is not None and value != getattr(current.contact, key):
                setattr(state.contact, key, value)
                changed.append(f"contact.{key}")
    declined = [f for f in dict.fromkeys(out.declined) if f not in changed]
    return Facts(
        qualification=state,
        changed=changed,
        declined=declined,
        wants_human=out.wants_human,
    )


def _same(old: BaseModel, new: BaseModel) -> bool:
    provenance = {"evidence", "message_id"}
    return old.model_dump(exclude=provenance) == new.model_dump(exclude=provenance)


def _budget(fact: BudgetFact) -> Budget:
    # Figures come from the offline parser when it reads the quote; the model's reading
    # only fills what the parser could not (a currency said elsewhere, a spelled-out sum).
    currency = (fact.currency or "").strip().upper()
    model = Budget(
        status=fact.status,
        amount=fact.amount,
        amount_max=fact.amount_max,
        currency=currency if re.fullmatch(r"[A-Z]{3}", currency) else None,
        period=fact.period,
    )
    parsed = parse_budget(fact.evidence)
    if parsed is None:
        return model
    if parsed.status != "none":
        parsed = parsed.model_copy(
            update={
                "currency": parsed.currency or model.currency,
                "period": parsed.period or model.period,
            }
        )
    return parsed


def _timeline(fact: TimelineFact, today: date) -> Timeline:
    parsed = parse_timeline(fact.evidence, today)
    if parsed is not None:
        return parsed
    days = fact.within_days if fact.within_days is None or fact.within_days >= 0 else None
    return Timeline(status=fact.status, within_days=days)


def _contact(fact: ContactFact, message: str) -> Contact:
    # E-mail and phone come from the parsers (validated, normalised); a name or company
    # is kept only when the visitor actually wrote it.
    parsed = parse_contact(message)
    return Contact(
        email=parsed.email if fact.email else None,
        phone=parsed.phone if fact.phone else None,
        name=fact.name if fact.name and quoted_in(fact.name, message) else None,
        company=fact.company if fact.company and quoted_in(fact.company, message) else None,
    )
