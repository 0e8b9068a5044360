"""Insights over real HTTP, from rows the agent and sales would have written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from agent.models import ContentGap, Conversation, Message, QualificationEvent
from core.auth import create_key
from core.db import session_scope
from handoff import service as handoff_service
from tests.conftest import LiveServer
from tests.handoff.conftest import make_handoff

DAY1 = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=8)


def _conversation(
    live_server: LiveServer, at: datetime, stages: list[str], cited: list[str]
) -> str:
    conversation = Conversation(
        visitor_token_hash="0" * 64,
        created_at=at,
        updated_at=at,
        stage=stages[-1] if stages else "unqualified",
    )
    with session_scope(live_server.services.engine) as session:
        session.add(conversation)
        session.flush()
        for i, doc in enumerate(cited):
            session.add(
                Message(
                    conversation_id=conversation.id,
                    seq=i,
                    role="assistant",
                    text="answer",
                    created_at=at,
                    citations=[{"document_id": doc, "source": f"{doc}.md", "title": doc.title()}],
                )
            )
        before = "unqualified"
        for i, stage in enumerate(stages):
            session.add(
                QualificationEvent(
                    conversation_id=conversation.id,
                    field="stage",
                    before={"stage": before},
                    after={"stage": stage, "score": 50},
                    created_at=at + timedelta(minutes=i + 1),
                )
            )
            before = stage
    return conversation.id


def _seed(live_server: LiveServer) -> None:
    engine = live_server.services.engine
    _conversation(live_server, DAY1, [], ["faq"])
    _conversation(live_server, DAY1, ["mql"], ["pricing"])
    won = _conversation(live_server, DAY1, ["mql", "sql"], ["pricing", "security"])
    rejected = _conversation(live_server, DAY1 + timedelta(days=1), ["mql", "sql"], ["faq"])
    first = make_handoff(engine, conversation_id=won, now=DAY1 + timedelta(hours=1))
    second = make_handoff(engine, conversation_id=rejected, now=DAY1 + timedelta(days=1, hours=1))
    later = DAY1 + timedelta(days=1, hours=2)
    handoff_service.change_status(engine, first.id, action="accept", by="rep", now=later)
    handoff_service.change_status(engine, first.id, action="won", by="rep", now=later, amount=9000)
    handoff_service.change_status(
        engine,
        second.id,
        action="reject",
        by="rep",
        now=later,
        reject_reason="no_budget",
        note="Only has 2k",
    )


def test_funnel_by_day_and_week(live_server: LiveServer) -> None:
    _seed(live_server)
    _row, marketer = create_key(live_server.services.engine, name="m", role="marketer")
    with live_server.client(marketer) as client:
        since = (DAY1 - timedelta(days=1)).isoformat()
        daily = client.get("/v1/insights/funnel", params={"bucket": "day", "since": since})
        assert daily.status_code == 200
        body = daily.json()
        assert body["totals"] == {
            "conversations": 4,
            "mql": 3,
            "sql": 2,
            "handoffs": 2,
            "accepted": 1,
            "won": 1,
        }
        by_day = {b["start"]: b for b in body["buckets"]}
        first = by_day[DAY1.date().isoformat()]
        second = by_day[(DAY1 + timedelta(days=1)).date().isoformat()]
        assert (first["conversations"], first["mql"], first["sql"], first["handoffs"]) == (
            3,
            2,
            1,
            1,
        )
        assert (second["conversations"], second["sql"], second["accepted"], second["won"]) == (
            1,
            1,
            1,
            1,
        )
        weekly = client.get("/v1/insights/funnel", params={"bucket": "week", "since": since})
        assert sum(b["won"] for b in weekly.json()["buckets"]) == 1
        assert all(
            datetime.fromisoformat(b["start"]).weekday() == 0 for b in weekly.json()["buckets"]
        )
        assert client.get("/v1/insights/funnel", params={"bucket": "month"}).status_code == 422


def test_rejections_and_attribution(live_server: LiveServer, api: httpx.Client) -> None:
    _seed(live_server)
    since = {"since": (DAY1 - timedelta(days=1)).isoformat()}
    rejections = api.get("/v1/insights/rejections", params=since).json()
    assert rejections["total"] == 1
    [reason] = rejections["reasons"]
    assert (reason["reason"], reason["count"], reason["notes"][0]["note"]) == (
        "no_budget",
        1,
        "Only has 2k",
    )
    documents = api.get("/v1/insights/attribution", params=since).json()["documents"]
    ranked = [
        (d["document_id"], d["cited_conversations"], d["sql_conversations"], d["won_conversations"])
        for d in documents
    ]
    assert ranked == [("pricing", 2, 1, 1), ("security", 1, 1, 1), ("faq", 2, 1, 0)]


def test_content_gaps_grouped_by_similarity(live_server: LiveServer, api: httpx.Client) -> None:
    conversation = _conversation(live_server, DAY1, [], [])
    questions = [
        "Do you support SAML single sign-on?",
        "Can I log in with SAML?",
        "Do you support SAML SSO?",
        "Is there a Shopify integration?",
        "Does it work with Shopify?",
        "What is the weather in Paris?",
    ]
    with session_scope(live_server.services.engine) as session:
        for i, question in enumerate(questions):
            message = Message(
                conversation_id=conversation,
                seq=100 + i,
                role="visitor",
                text=question,
                created_at=DAY1,
            )
            session.add(message)
            session.flush()
            session.add(
                ContentGap(
                    conversation_id=conversation,
                    message_id=message.id,
                    question=question,
                    created_at=DAY1 + timedelta(minutes=i),
                )
            )
    response = api.get(
        "/v1/insights/content-gaps", params={"since": (DAY1 - timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 200
    groups = response.json()["groups"]
    assert [g["count"] for g in groups] == [3, 2, 1]
    assert all("SAML" in q for q in groups[0]["examples"])
    assert all("Shopify" in q for q in groups[1]["examples"])
    assert response.json()["total"] == 6
