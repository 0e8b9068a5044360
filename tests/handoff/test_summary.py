"""The template summary and next step: readable, and every figure matches the state."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from typing import Any

from core.qualification import Qualification
from handoff.models import TranscriptEntry
from handoff.summary import (
    build_summary,
    format_amount,
    recommend_next_step,
    state_figures,
    unmatched_figures,
)
from tests.handoff.conftest import SQL_STATE

AT = datetime(2026, 3, 2, tzinfo=UTC)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")


def _entry(role: str, text: str) -> TranscriptEntry:
    return TranscriptEntry(role=role, text=text, at=AT)


def _random_state(rng: random.Random) -> Qualification:
    amount = rng.choice([None, rng.randint(1, 500) * 100, rng.randint(1, 99999) + 0.5])
    state: dict[str, Any] = {
        "budget": {
            "status": rng.choice(["unknown", "none", "exploring", "allocated"]),
            "amount": amount,
            "amount_max": (amount * rng.choice([1, 2, 3]))
            if amount and rng.random() < 0.5
            else None,
            "currency": rng.choice([None, "EUR", "USD", "GBP"]),
            "period": rng.choice([None, "one_time", "monthly", "annual"]),
        },
        "authority": {
            "status": rng.choice(["unknown", "decision_maker", "influencer", "no_authority"]),
            "role": rng.choice([None, "CTO", "Head of Sales"]),
        },
        "need": {
            "status": rng.choice(["unknown", "identified", "none"]),
            "summary": rng.choice([None, "faster onboarding", "a chat agent"]),
        },
        "timeline": {
            "status": rng.choice(["unknown", "stated", "none"]),
            "within_days": rng.choice([None, rng.randint(1, 400)]),
        },
        "contact": {
            "name": rng.choice([None, "Ana Lima"]),
            "company": rng.choice([None, "Globex"]),
            "email": rng.choice([None, "ana@globex.test"]),
        },
        "score": rng.randint(0, 100),
        "stage": rng.choice(["unqualified", "mql", "sql", "disqualified"]),
    }
    return Qualification.model_validate(state)


def test_every_figure_matches_the_state_over_many_states() -> None:
    rng = random.Random(7)
    transcript = [
        _entry("visitor", "Is there SSO? It looks expensive next to HubSpot."),
        _entry("assistant", "Yes. Our team will reach out by e-mail."),
    ]
    for _ in range(500):
        q = _random_state(rng)
        reason = rng.choice(["qualified", "requested"])
        text = build_summary(q, transcript, reason) + " " + recommend_next_step(q, reason)
        allowed = {format_amount(v) for v in state_figures(q)}
        found = set(_NUMBER.findall(text.replace(q.contact.email or "@", "")))
        assert found <= allowed, (found - allowed, text)
        assert unmatched_figures(text, q) == []
        if q.budget.amount is not None and q.budget.status != "none":
            assert format_amount(q.budget.amount) in text
        if q.timeline.status == "stated" and q.timeline.within_days is not None:
            assert f"{q.timeline.within_days} days" in text


def test_summary_reads_like_a_brief() -> None:
    q = Qualification.model_validate(SQL_STATE)
    transcript = [
        _entry("visitor", "Do you integrate with SAP?"),
        _entry("visitor", "We need GDPR compliance; the alternative we looked at was cheaper."),
        _entry("assistant", "Noted. The team will follow up by e-mail shortly."),
    ]
    text = build_summary(q, transcript, "qualified")
    assert text.startswith("Dana Smith (Head of Operations, Acme), decision maker.")
    assert "Needs: automate invoice approvals." in text
    assert "EUR 20,000 to 30,000 per year (allocated)" in text
    assert "within 42 days" in text
    assert "“Do you integrate with SAP?”" in text
    assert "Concerns raised: price, security, competitor." in text
    assert "follow up by e-mail (dana@acme.test)" in text
    assert recommend_next_step(q, "qualified") == (
        "Book a demo call this week: decision maker, budget allocated, live in 42 days"
    )


def test_anonymous_request_without_contact() -> None:
    q = Qualification()
    text = build_summary(q, [_entry("visitor", "Can I talk to a human?")], "requested")
    assert text.startswith("Anonymous visitor.")
    assert "Asked to talk to sales." in text
    assert "Wait for contact details" in recommend_next_step(q, "requested")


def test_unmatched_figures_catches_invented_numbers() -> None:
    q = Qualification.model_validate(SQL_STATE)
    assert unmatched_figures("Budget EUR 20k-30k, live in 6 weeks, score 85.", q) == []
    assert unmatched_figures("Budget EUR 25,000 for 99 seats.", q) == ["25,000", "99"]
    assert unmatched_figures("They asked “can you handle 500 users?”", q) == []
    said = "Can you handle 500 users?"
    assert unmatched_figures("Asked whether 500 users work.", q, said) == []
    assert unmatched_figures("Asked whether 600 users work.", q, said) == ["600"]
