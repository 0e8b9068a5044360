"""The dialogue policy: one question at a time, never a known or declined field."""

from __future__ import annotations

from agent.dialogue import DialogueState, FollowUp, compose_follow_up, next_field
from core.qualification import Authority, Budget, Contact, Need, Qualification, Timeline


def follow(
    q: Qualification,
    state: DialogueState | None = None,
    *,
    outcome: str = "answered",
    newly_declined: list[str] | None = None,
    handoff_due: bool = False,
    wants_human_now: bool = False,
) -> FollowUp:
    """Compose a follow-up with defaults for what a test does not care about."""
    return compose_follow_up(
        state or DialogueState(conversation_id="c-1"),
        q,
        outcome=outcome,
        newly_declined=newly_declined or [],
        handoff_due=handoff_due,
        wants_human_now=wants_human_now,
    )


NEED = Need(status="identified", summary="automate lead routing")


def test_fields_are_asked_need_timeline_authority_budget() -> None:
    q = Qualification()
    assert follow(q).asked == "need"
    q.need = NEED
    assert follow(q).asked == "timeline"
    q.timeline = Timeline(status="stated", within_days=30)
    assert follow(q).asked == "authority"
    q.authority = Authority(status="influencer")
    assert follow(q).asked == "budget"
    q.budget = Budget(status="allocated", amount=10000)
    assert follow(q).asked == "contact"
    q.contact = Contact(email="a@b.example")
    result = follow(q)
    assert result.asked is None and result.text is None


def test_question_uses_what_the_visitor_said() -> None:
    q = Qualification(need=NEED)
    texts = {follow(q, DialogueState(conversation_id=f"c-{i}")).text for i in range(30)}
    assert any("automate lead routing" in (t or "") for t in texts)
    assert len(texts) > 1  # several phrasings across conversations


def test_phrasing_is_deterministic_per_conversation() -> None:
    q = Qualification(need=NEED)
    state = DialogueState(conversation_id="c-42")
    assert follow(q, state).text == follow(q, state).text


def test_declined_fields_are_never_asked() -> None:
    state = DialogueState(conversation_id="c-1", declined=["budget", "timeline"])
    q = Qualification(need=NEED, authority=Authority(status="decision_maker"))
    assert follow(q, state).asked == "contact"
    acknowledged = follow(Qualification(need=NEED), newly_declined=["timeline"])
    assert acknowledged.asked == "authority"
    assert acknowledged.text is not None and acknowledged.text.startswith("No problem")


def test_same_field_is_not_asked_two_turns_in_a_row() -> None:
    state = DialogueState(conversation_id="c-1", asked=["need"], last_asked="need")
    assert follow(Qualification(), state).asked == "timeline"


def test_a_field_is_asked_at_most_twice() -> None:
    state = DialogueState(conversation_id="c-1", asked=["need", "timeline", "need"])
    assert next_field(state, Qualification(), set()) == "timeline"
    state = DialogueState(conversation_id="c-1", asked=["need", "need"], last_asked="timeline")
    assert next_field(state, Qualification(), set()) == "authority"


def test_gap_offers_the_team_instead_of_a_question() -> None:
    result = follow(Qualification(), outcome="gap")
    assert result.text is None and result.asked == "human"


def test_disqualified_visitor_is_not_qualified_further() -> None:
    q = Qualification(stage="disqualified", authority=Authority(status="no_authority"))
    assert follow(q).asked is None


def test_handoff_asks_for_an_email_then_confirms_once() -> None:
    q = Qualification(need=NEED, stage="sql")
    ask = follow(q, handoff_due=True)
    assert ask.asked == "contact" and ask.text is not None and "e-mail" in ask.text
    q.contact = Contact(email="dana@acme.example")
    confirm = follow(q, handoff_due=True)
    assert confirm.handoff_confirmed and confirm.text is not None
    assert "dana@acme.example" in confirm.text
    state = DialogueState(conversation_id="c-1", handoff_confirmed=True, handoff_announced=True)
    again = follow(q, state, handoff_due=True)
    assert again.text is None or "dana@acme.example" not in again.text


def test_scores_and_stages_never_reach_the_visitor() -> None:
    q = Qualification(need=NEED, stage="sql", score=90)
    for i in range(20):
        text = follow(q, DialogueState(conversation_id=f"c-{i}"), handoff_due=True).text or ""
        assert "sql" not in text.lower() and "90" not in text and "score" not in text.lower()


def test_acknowledgement_says_back_the_visitors_own_facts() -> None:
    from datetime import date

    from agent.dialogue import acknowledge
    from agent.extraction import extract
    from core.qualification import Qualification

    facts = extract(
        "we have $12k a year set aside",
        message_id="m1",
        current=Qualification(),
        today=date(2026, 11, 23),
    )
    assert acknowledge(facts) == "Got it: a budget of USD 12,000 a year."
    facts = extract(
        "we'd want it live in 6 weeks",
        message_id="m2",
        current=Qualification(),
        today=date(2026, 11, 23),
    )
    assert acknowledge(facts) == "Noted: you'd like something in place within 42 days."


def test_page_titles_are_not_used_as_topics() -> None:
    from agent.dialogue import topic_of

    assert topic_of("Relaypoint product overview", "Relaypoint") is None
    assert topic_of("Frequently asked questions", "Relaypoint") is None
    assert topic_of("Lead routing", "Relaypoint") == "lead routing"


def test_contact_details_are_acknowledged_without_a_second_thanks() -> None:
    from datetime import date

    from agent.dialogue import acknowledge
    from agent.extraction import extract
    from core.qualification import Qualification

    facts = extract(
        "My e-mail is jane.doe@acme-corp.com",
        message_id="m3",
        current=Qualification(),
        today=date(2026, 11, 23),
    )
    assert facts.changed and "Thanks" not in acknowledge(facts)
