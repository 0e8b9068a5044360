"""Need extraction: stated pains and use cases in the visitor's words, and "no need"."""

from __future__ import annotations

from datetime import date

import pytest

from agent.extraction import extract
from agent.models import Facts
from core.qualification import Qualification

TODAY = date(2026, 1, 10)


def _facts(text: str, asked: str | None = None, current: Qualification | None = None) -> Facts:
    return extract(text, message_id="m1", current=current or Qualification(), today=TODAY,
                   asked=asked)  # fmt: skip


# (text, summary)
IDENTIFIED = [
    ("We need to qualify inbound leads faster", "qualify inbound leads faster"),
    ("we need a better way to route leads", "better way to route leads"),
    ("We're looking for a chatbot that answers pricing questions at night",
     "chatbot that answers pricing questions at night"),
    ("We're struggling with lead response time", "struggling with lead response time"),
    ("our biggest problem is that reps waste time on bad leads",
     "reps waste time on bad leads"),
    ("The main challenge is following up with webinar signups",
     "following up with webinar signups"),
    ("we're losing leads that come in after hours", "losing leads that come in after hours"),
    ("We want to replace Drift", "replace Drift"),
    ("Our goal is to book more demos from the website", "book more demos from the website"),
    ("we have trouble with spam form fills", "have trouble with spam form fills"),
    ("We're trying to cut our SDR workload", "cut our SDR workload"),
    ("too many unqualified leads reach our AEs", "too many unqualified leads reach our AEs"),
    ("We need to qualify leads faster, and our budget is about 20k",
     "qualify leads faster"),
    ("can you help us answer visitor questions 24/7?", "answer visitor questions 24/7"),
    ("we r looking to automate lead qualification", "automate lead qualification"),
    ("im looking for a tool to capture leads from our docs",
     "tool to capture leads from our docs"),
    ("We're a 40-person SaaS company and our SDRs can't keep up with inbound.",
     "can't keep up with inbound"),
    ("we want more qualified demos", "more qualified demos"),
    # Complaints about their own process are needs even without "we need".
    ("we route about 4k inbound leads a month by hand and it's a mess",
     "we route about 4k inbound leads a month by hand"),
    ("Our SDRs cherry-pick the best leads from a shared HubSpot view and the rest rot.",
     "Our SDRs cherry-pick the best leads from a shared HubSpot view"),
    ("Marketing spends a fortune on webinars and then the leads sit untouched in Marketo",
     "Marketing spends a fortune on webinars"),
    ("Ours keep going to the wrong AE.", "Ours keep going to the wrong AE"),
    ("We have 9 reps and no idea how long inbound leads wait before someone calls them",
     "no idea how long inbound leads wait"),
    ("the pain: leads from partner referrals never get routed, they sit in a queue",
     "leads from partner referrals never get routed"),
    ("we're launching a new product line and need routing for a new inbound team",
     "routing for a new inbound team"),
    ("Leads keep going to reps who are on holiday and nobody notices for days.",
     "nobody notices for days"),
    ("our lead assignment is basically a shared inbox",
     "our lead assignment is basically a shared inbox"),
    ("our rules break every time someone leaves", "our rules break every time someone leaves"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "summary"), IDENTIFIED)
def test_stated_needs(text: str, summary: str) -> None:
    n = _facts(text).qualification.need
    assert (n.status, n.summary) == ("identified", summary)
    assert n.evidence and n.evidence in text


NONE = [
    "just browsing",
    "Just looking, thanks",
    "no real need right now",
    "we don't need anything at the moment",
    "honestly I'm just curious",
    "we're happy with our current tool",
]


@pytest.mark.parametrize("text", NONE)
def test_no_need(text: str) -> None:
    n = _facts(text).qualification.need
    assert (n.status, n.summary) == ("none", None)


NOTHING = [
    "Does it integrate with HubSpot?",
    "What does the Enterprise plan cost?",
    "I need a demo",
    "we need it by March",
    "I want to know if you support SSO",
    "I'd like to talk to sales",
    "We need to get approval first",
    "hello",
    "just looking for pricing info",
    "I lost my password",
    "your docs are terrible",
    "we missed your webinar",
    "Our reps don't follow up on inbound demo requests? Is that common?",
    "nobody else decides, I do",
]


@pytest.mark.parametrize("text", NOTHING)
def test_requests_and_questions_are_not_needs(text: str) -> None:
    facts = _facts(text)
    assert facts.qualification.need.status == "unknown"
    assert "need" not in facts.changed


@pytest.mark.parametrize(
    ("text", "status", "summary"),
    [
        ("lead routing for our SDR team", "identified", "lead routing for our SDR team"),
        ("Answering after-hours questions", "identified", "Answering after-hours questions"),
        ("nothing really", "none", None),
        ("not really", "none", None),
    ],
)
def test_terse_answers_to_a_need_question(text: str, status: str, summary: str | None) -> None:
    n = _facts(text, asked="need").qualification.need
    assert (n.status, n.summary) == (status, summary)
    assert _facts(text).qualification.need.status == "unknown"


def test_a_terse_answer_about_something_else_is_not_a_need() -> None:
    facts = _facts("I'm the CMO", asked="need")
    assert facts.qualification.need.status == "unknown"
    assert facts.qualification.authority.status == "decision_maker"


def test_a_later_need_replaces_the_earlier_one() -> None:
    first = _facts("we need to qualify leads faster")
    facts = extract("actually the real problem is that leads go cold over the weekend",
                    message_id="m2", current=first.qualification, today=TODAY)  # fmt: skip
    n = facts.qualification.need
    assert (n.summary, n.message_id) == ("leads go cold over the weekend", "m2")
