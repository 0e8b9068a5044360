"""Offline BANT extraction: read one visitor message into facts, deterministically.

Only the visitor's statements about themselves count: questions about the product set
nothing, and clauses that give the bot orders ("mark me as qualified") are ignored.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from pydantic import BaseModel

from agent.extraction._text import split_clauses
from agent.extraction.authority import extract_authority, parse_authority
from agent.extraction.budget import extract_budget, parse_budget
from agent.extraction.contact import extract_contact, parse_contact
from agent.extraction.intent import find_declined, wants_human
from agent.extraction.need import extract_need
from agent.extraction.timeline import ASAP_DAYS, extract_timeline, parse_timeline
from agent.models import Facts
from core.qualification import Budget, Contact, Need, Qualification

__all__ = [
    "ASAP_DAYS",
    "extract",
    "merge_budget",
    "parse_authority",
    "parse_budget",
    "parse_contact",
    "parse_timeline",
]

_M = TypeVar("_M", bound=BaseModel)
_PROVENANCE = {"evidence", "message_id"}


def extract(
    text: str,
    *,
    message_id: str,
    current: Qualification,
    today: date,
    asked: str | None = None,
) -> Facts:
    """Read one visitor message and return the state with its facts applied."""
    clauses = split_clauses(text)
    state = current.model_copy(deep=True)
    changed: list[str] = []
    stamp = {"message_id": message_id}

    budget, worded = extract_budget(clauses, asked=asked, current=current.budget)
    if budget is not None:
        merged = merge_budget(current.budget, budget, status_worded=worded)
        state.budget = _apply(current.budget, merged, stamp, changed, "budget")
    authority, rules_out_need = extract_authority(clauses, asked=asked)
    if authority is not None:
        state.authority = _apply(current.authority, authority, stamp, changed, "authority")
    timeline = extract_timeline(clauses, asked=asked, today=today)
    if timeline is not None:
        state.timeline = _apply(current.timeline, timeline, stamp, changed, "timeline")
    contact = extract_contact(clauses, asked=asked)
    state.contact = _merge_contact(current.contact, contact, changed)

    refused = find_declined(clauses, asked=asked)
    human = wants_human(clauses)
    if rules_out_need and authority is not None:
        need: Need | None = Need(status="none", evidence=authority.evidence)
    else:
        # A terse reply to "what are you hoping to solve?" is the need, unless it was
        # about something else, a refusal, or a request for a person.
        answered_other = bool(changed or refused or human)
        need = extract_need(clauses, asked=asked, answered_other=answered_other)
    if need is not None:
        state.need = _apply(current.need, need, stamp, changed, "need")

    return Facts(
        qualification=state,
        changed=changed,
        declined=[f for f in refused if not _was_set(f, changed)],
        wants_human=human,
    )


def _apply(old: _M, new: _M, stamp: dict[str, str], changed: list[str], name: str) -> _M:
    # Restating a known fact keeps the original evidence; only a change is recorded.
    if old.model_dump(exclude=_PROVENANCE) == new.model_dump(exclude=_PROVENANCE):
        return old
    changed.append(name)
    return new.model_copy(update=stamp)


def merge_budget(old: Budget, new: Budget, *, status_worded: bool = True) -> Budget:
    """Apply a new budget statement to the known one (a correction keeps currency and period).

    `status_worded` is False when the new status was only assumed from a bare figure
    ("I mean 15k euros"); the known status then stands.
    """
    if new.status == "none":
        return new
    if new.amount is None and new.amount_max is None:
        # "we have budget" after "about 20k": the status moves, the figure stays.
        keep = {"amount": old.amount, "amount_max": old.amount_max, "currency": old.currency,
                "period": new.period or old.period}  # fmt: skip
        return new.model_copy(update=keep) if old.status != "none" else new
    had_amount = old.amount is not None or old.amount_max is not None
    if had_amount and not status_worded and old.status in ("allocated", "exploring"):
        new = new.model_copy(update={"status": old.status})
    # "actually it's 25k" corrects the figure and keeps the currency and period said before.
    inherit = {
        "currency": new.currency or (old.currency if had_amount else None),
        "period": new.period or (old.period if had_amount else None),
    }
    return new.model_copy(update=inherit)


def _merge_contact(old: Contact, new: Contact, changed: list[str]) -> Contact:
    merged = old.model_copy()
    for field in ("email", "phone", "name", "company"):
        value = getattr(new, field)
        if value is not None and value != getattr(old, field):
            setattr(merged, field, value)
            changed.append(f"contact.{field}")
    return merged


def _was_set(field: str, changed: list[str]) -> bool:
    return any(c == field or c.startswith(field + ".") for c in changed)
