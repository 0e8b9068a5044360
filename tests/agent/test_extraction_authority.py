"""Authority extraction: titles, decision phrases, non-buyers, and terse answers."""

from __future__ import annotations

from datetime import date

import pytest

from agent.extraction import extract, parse_authority
from agent.models import Facts
from core.qualification import Qualification

TODAY = date(2026, 1, 10)


def _facts(text: str, asked: str | None = None) -> Facts:
    return extract(text, message_id="m1", current=Qualification(), today=TODAY, asked=asked)


# (text, status, role)
CASES = [
    ("I'm the CMO", "decision_maker", "CMO"),
    ("im the ceo", "decision_maker", "CEO"),
    ("VP of Sales here", "decision_maker", "VP of Sales"),
    ("I'm VP Marketing at Acme", "decision_maker", "VP Marketing"),
    ("I'm the founder", "decision_maker", "founder"),
    ("I'm a co-founder of a small agency", "decision_maker", "co-founder"),
    ("I am head of RevOps", "decision_maker", "head of RevOps"),
    ("I'm the Head of Growth at Initech", "decision_maker", "Head of Growth"),
    ("I'm Dana, CMO at Acme", "decision_maker", "CMO"),
    ("I'm the owner of the business", "decision_maker", "owner"),
    ("As the marketing director I want better leads", "decision_maker", "marketing director"),
    ("I sign off on all tooling", "decision_maker", None),
    ("I make the final decision", "decision_maker", None),
    ("it's my call", "decision_maker", None),
    ("I'm the decision maker", "decision_maker", None),
    ("I run marketing at a 20 person startup", "decision_maker", None),
    ("I'm in charge of demand gen", "decision_maker", None),
    ("Tom Baker, CEO, Baker & Sons", "decision_maker", "CEO"),
    ("My boss asked me to look into chatbots", "influencer", None),
    ("I'm the VP of Sales, I sign off on tools like this", "decision_maker", "VP of Sales"),
    ("I am the CRO, so this is my decision.", "decision_maker", "CRO"),
    ("I'm head of sales, it's my budget", "decision_maker", "head of sales"),
    (
        "I'm the Director of Marketing Operations and I hold the budget",
        "decision_maker",
        "Director of Marketing Operations",
    ),
    (
        "I'm a sales ops analyst and will present them to my director, who decides",
        "influencer",
        "sales ops analyst",
    ),
    ("it's not my call", "influencer", None),
    ("I work at a competing lead routing company", "no_authority", "competitor"),
    ("just doing some competitive research", "no_authority", "competitor"),
    ("my manager decides", "influencer", None),
    ("My boss has the final say", "influencer", None),
    ("I'll recommend to our CTO", "influencer", None),
    ("I'll recommend it to the board", "influencer", None),
    ("I'm evaluating for my team", "influencer", None),
    ("I need approval from finance", "influencer", None),
    ("I'm not the decision maker", "influencer", None),
    ("I'm a marketing manager, our VP signs off", "influencer", "marketing manager"),
    ("I'm a sales ops analyst", "influencer", "sales ops analyst"),
    ("I'm an intern", "no_authority", "intern"),
    ("I'm a marketing intern here", "no_authority", "intern"),
    ("I'm a student writing a thesis on chatbots", "no_authority", "student"),
    ("I'm looking for a job", "no_authority", "job seeker"),
    ("are you hiring?", "no_authority", "job seeker"),
    ("I work at a competitor", "no_authority", "competitor"),
    ("we sell lead gen services", "no_authority", "vendor"),
    ("We'd love to partner with you", "no_authority", "vendor"),
    ("I'd like to pitch you our SEO services", "no_authority", "vendor"),
]


@pytest.mark.parametrize(("text", "status", "role"), CASES)
def test_authority_statements(text: str, status: str, role: str | None) -> None:
    a = _facts(text).qualification.authority
    assert (a.status, a.role) == (status, role)
    assert a.evidence and a.evidence in text


@pytest.mark.parametrize(
    "text",
    [
        "I'm a student writing a thesis on chatbots",
        "I'm looking for a job",
        "I work at a competitor",
        "we sell lead gen services",
        "We'd love to partner with you",
    ],
)
def test_non_buyers_have_no_need(text: str) -> None:
    q = _facts(text).qualification
    assert q.need.status == "none"
    assert q.need.evidence == q.authority.evidence


def test_an_intern_may_still_have_a_need() -> None:
    q = _facts("I'm an intern. We need to route leads to the right rep.").qualification
    assert q.authority.status == "no_authority"
    assert (q.need.status, q.need.summary) == ("identified", "route leads to the right rep")


NOT_AUTHORITY = [
    "I'm the admin of our CRM",
    "lead routing is our biggest headache",
    "who signs off on purchases at your company?",
    "does the CEO dashboard show pipeline?",
    "our CEO's assistant asked me to look",
    "I'm interested in the product",
    "Ask your manager whether it fits",
    "not me, our COO",
    "Thanks, CEO tips were useful",
]


@pytest.mark.parametrize("text", NOT_AUTHORITY)
def test_phrases_that_say_nothing_about_authority(text: str) -> None:
    facts = _facts(text)
    assert facts.qualification.authority.status == "unknown"
    assert "authority" not in facts.changed


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("me", "decision_maker"),
        ("I do", "decision_maker"),
        ("Myself", "decision_maker"),
        ("that's me", "decision_maker"),
        ("me and my cofounder", "decision_maker"),
        ("me + our CFO", "decision_maker"),
        ("my boss", "influencer"),
        ("the CFO", "influencer"),
        ("not me, our COO", "influencer"),
        ("a committee", "influencer"),
    ],
)
def test_terse_answers_to_an_authority_question(text: str, status: str) -> None:
    assert _facts(text, asked="authority").qualification.authority.status == status
    # Without the question, "me" or "my boss" is no statement about authority.
    assert _facts(text).qualification.authority.status == "unknown"


def test_a_later_statement_corrects_authority() -> None:
    first = extract("I'm the CMO", message_id="m1", current=Qualification(), today=TODAY)
    facts = extract("well, to be honest my CEO decides", message_id="m2",
                    current=first.qualification, today=TODAY)  # fmt: skip
    a = facts.qualification.authority
    assert (a.status, a.message_id) == ("influencer", "m2")


def test_parse_authority_normalises_model_quotes() -> None:
    a = parse_authority("VP of Sales")
    assert a is not None and (a.status, a.role) == ("decision_maker", "VP of Sales")
    b = parse_authority("my manager decides")
    assert b is not None and b.status == "influencer"
    assert parse_authority("we sell shoes online") is None
