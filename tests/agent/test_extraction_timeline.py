"""Timeline extraction: phrases and dates turned into days from today, and "no timeline"."""

from __future__ import annotations

from datetime import date

import pytest

from agent.extraction import ASAP_DAYS, extract, parse_timeline
from agent.models import Facts
from core.qualification import Qualification

TODAY = date(2026, 1, 10)  # a Saturday in Q1


def _facts(text: str, asked: str | None = None, current: Qualification | None = None) -> Facts:
    return extract(text, message_id="m1", current=current or Qualification(), today=TODAY,
                   asked=asked)  # fmt: skip


# (text, within_days)
STATED = [
    ("We want to go live this week", 7),
    ("we need it in 6 weeks", 42),
    ("we're planning to roll out next quarter", (date(2026, 4, 1) - TODAY).days),
    ("We need it by the start of next month", (date(2026, 2, 1) - TODAY).days),
    ("We have to launch by March 15", (date(2026, 3, 15) - TODAY).days),
    ("we need this asap", ASAP_DAYS),
    ("As soon as possible please", ASAP_DAYS),
    ("within 30 days", 30),
    ("by the end of the year", (date(2026, 12, 31) - TODAY).days),
    ("we're aiming for Q3", (date(2026, 7, 1) - TODAY).days),
    ("We want it live by Q1", (date(2026, 3, 31) - TODAY).days),
    ("no rush, maybe in 6 months", 180),
    ("in 2-3 months", 90),
    ("within a couple of weeks", 14),
    ("we want to go live by mid-March", (date(2026, 3, 15) - TODAY).days),
    ("by end of March", (date(2026, 3, 31) - TODAY).days),
    ("before June 2027", (date(2027, 6, 1) - TODAY).days),
    ("we'd like to launch next month", (date(2026, 2, 28) - TODAY).days),
    ("we need it tomorrow", 1),
    ("in the next 90 days", 90),
    ("we plan to buy next year", (date(2027, 1, 1) - TODAY).days),
    ("we need it live by 3/15", (date(2026, 3, 15) - TODAY).days),
    ("within a year", 365),
    ("we want to decide in about three weeks", 21),
    ("hoping to have it running by end of next quarter", (date(2026, 6, 30) - TODAY).days),
    ("im looking to start in 2 wks", 14),
    ("we'd like it before the summer", (date(2026, 6, 21) - TODAY).days),
    ("by fall 2027", (date(2027, 9, 22) - TODAY).days),
]


@pytest.mark.parametrize(("text", "days"), STATED)
def test_stated_timelines(text: str, days: int) -> None:
    t = _facts(text).qualification.timeline
    assert (t.status, t.within_days) == ("stated", days)
    assert t.evidence and t.evidence in text


@pytest.mark.parametrize(
    "text", ["no timeline", "No timeframe yet", "there's no deadline", "no rush", "not urgent"]
)
def test_no_timeline(text: str) -> None:
    t = _facts(text).qualification.timeline
    assert (t.status, t.within_days) == ("none", None)


NOT_TIMELINES = [
    "I saw your ad this week",
    "we've had this problem for 6 months",
    "we launched 6 months ago",
    "we need 24/7 support",
    "we were founded in March 2019",
    "Our Q3 numbers were great",
    "does the Q2 release include SSO?",
    "when can I start a trial?",
    "we have 12 months of data",
    "our summer campaign did well",
]


@pytest.mark.parametrize("text", NOT_TIMELINES)
def test_phrases_that_are_not_timelines(text: str) -> None:
    facts = _facts(text)
    assert facts.qualification.timeline.status == "unknown"
    assert "timeline" not in facts.changed


@pytest.mark.parametrize(
    ("text", "status", "days"),
    [
        ("Q1", "stated", (date(2026, 3, 31) - TODAY).days),
        ("q2", "stated", (date(2026, 4, 1) - TODAY).days),
        ("asap", "stated", ASAP_DAYS),
        ("6 weeks", "stated", 42),
        ("next month", "stated", (date(2026, 2, 28) - TODAY).days),
        ("this week", "stated", 7),
        ("soon", "stated", 30),
        ("not sure yet", "none", None),
        ("no idea yet", "none", None),
        ("we don't have one", "unknown", None),
    ],
)
def test_terse_answers_to_a_timeline_question(text: str, status: str, days: int | None) -> None:
    t = _facts(text, asked="timeline").qualification.timeline
    assert (t.status, t.within_days) == (status, days)


def test_terse_answers_need_the_question() -> None:
    assert _facts("6 weeks").qualification.timeline.status == "unknown"
    assert _facts("I saw it this week").qualification.timeline.status == "unknown"


@pytest.mark.parametrize(
    ("text", "days"),
    [("next week ideally", 14), ("this week", 7), ("asap, ideally this week", 7)],
)
def test_a_clause_that_is_only_a_date_is_a_timeline(text: str, days: int) -> None:
    assert _facts(text).qualification.timeline.within_days == days


def test_saying_there_is_no_timeline_beats_a_passing_date() -> None:
    t = _facts("there's no timeline, this is for next year's planning").qualification.timeline
    assert (t.status, t.within_days) == ("none", None)
    t = _facts("hmm, we won't start before next summer").qualification.timeline
    assert (t.status, t.within_days) == ("stated", (date(2027, 6, 21) - TODAY).days)


def test_a_later_timeline_corrects_the_earlier_one() -> None:
    first = _facts("we want to launch in 6 weeks")
    facts = extract("sorry, it's more like 3 months", message_id="m2",
                    current=first.qualification, today=TODAY, asked="timeline")  # fmt: skip
    t = facts.qualification.timeline
    assert (t.within_days, t.message_id) == (90, "m2")


def test_a_past_quarter_means_next_year() -> None:
    later = date(2026, 8, 1)
    t = extract("we want it live by Q2", message_id="m1", current=Qualification(), today=later)
    assert t.qualification.timeline.within_days == (date(2027, 4, 1) - later).days


def test_parse_timeline_normalises_model_quotes() -> None:
    t = parse_timeline("in 6 weeks", TODAY)
    assert t is not None and (t.status, t.within_days) == ("stated", 42)
    none = parse_timeline("no timeline", TODAY)
    assert none is not None and none.status == "none"
    assert parse_timeline("we like blue", TODAY) is None
