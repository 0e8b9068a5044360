"""The sales API over real HTTP: inbox filters, cursor pages, verdicts, clear 4xx answers."""

from __future__ import annotations

import copy
from datetime import timedelta

import httpx

from core.auth import create_key
from tests.conftest import LiveServer
from tests.handoff.conftest import SQL_STATE, START, make_handoff


def _seed(live_server: LiveServer, count: int = 5) -> list[str]:
    ids = []
    for i in range(count):
        state = copy.deepcopy(SQL_STATE)
        state["stage"] = "sql" if i % 2 == 0 else "mql"
        reason = "qualified" if i % 2 == 0 else "requested"
        row = make_handoff(
            live_server.services.engine,
            state=state,
            reason=reason,
            now=START + timedelta(minutes=i),
        )
        ids.append(row.id)
    return ids


def test_sales_reads_the_inbox_newest_first_with_cursor_pages(live_server: LiveServer) -> None:
    ids = _seed(live_server, 5)
    _row, key = create_key(live_server.services.engine, name="rep", role="sales")
    with live_server.client(key) as sales:
        first = sales.get("/v1/handoffs", params={"limit": 2}).json()
        assert [h["id"] for h in first["items"]] == [ids[4], ids[3]]
        second = sales.get("/v1/handoffs", params={"limit": 2, "cursor": first["next_cursor"]})
        third = sales.get(
            "/v1/handoffs", params={"limit": 2, "cursor": second.json()["next_cursor"]}
        ).json()
        assert [h["id"] for h in second.json()["items"]] == [ids[2], ids[1]]
        assert [h["id"] for h in third["items"]] == [ids[0]] and third["next_cursor"] is None
        requested = sales.get("/v1/handoffs", params={"reason": "requested"}).json()["items"]
        assert {h["id"] for h in requested} == {ids[1], ids[3]}
        sql = sales.get("/v1/handoffs", params={"stage": "sql"}).json()["items"]
        assert {h["id"] for h in sql} == {ids[0], ids[2], ids[4]}
        recent = sales.get(
            "/v1/handoffs", params={"since": (START + timedelta(minutes=3)).isoformat()}
        ).json()
        assert [h["id"] for h in recent["items"]] == [ids[4], ids[3]]
        one = sales.get(f"/v1/handoffs/{ids[0]}").json()
        assert set(one) >= {
            "id",
            "conversation_id",
            "created_at",
            "updated_at",
            "reason",
            "status",
            "summary",
            "qualification",
            "contact",
            "transcript",
            "cited_sources",
            "page",
            "recommended_next_step",
            "assigned_to",
        }
        assert one["qualification"]["budget"]["evidence"] == "20-30k EUR a year"
        assert one["contact"]["email"] == "dana@acme.test"
        assert one["transcript"][0]["role"] == "visitor"
        assert one["cited_sources"] == [
            {"document_id": "doc1", "source": "integrations.md", "title": "Integrations"}
        ]
        assert one["page"]["utm"] == {"source": "ads"}
        by_conversation = sales.get(
            "/v1/handoffs", params={"conversation_id": one["conversation_id"]}
        )
        assert [h["id"] for h in by_conversation.json()["items"]] == [ids[0]]


def test_accept_reject_outcome_and_conflicts(live_server: LiveServer, api: httpx.Client) -> None:
    first, second = _seed(live_server, 2)
    missing = api.post(f"/v1/handoffs/{second}/reject", json={"note": "no reason given"})
    assert missing.status_code == 422 and "reason" in missing.json()["detail"]
    bad = api.post(f"/v1/handoffs/{second}/reject", json={"reason": "meh"})
    assert bad.status_code == 422
    rejected = api.post(
        f"/v1/handoffs/{second}/reject", json={"reason": "no_budget", "note": "only 2k"}
    )
    assert rejected.status_code == 200
    assert rejected.json()["rejection"] == {"reason": "no_budget", "note": "only 2k"}
    early = api.post(f"/v1/handoffs/{first}/outcome", json={"result": "won", "amount": 1})
    assert early.status_code == 409
    assert "pending" in early.json()["detail"] and "accepted" in early.json()["detail"]
    assert api.post(f"/v1/handoffs/{first}/accept").json()["status"] == "accepted"
    again = api.post(f"/v1/handoffs/{first}/accept")
    assert again.status_code == 409 and "accepted" in again.json()["detail"]
    won = api.post(f"/v1/handoffs/{first}/outcome", json={"result": "won", "amount": 24000})
    assert won.json()["status"] == "won"
    assert won.json()["outcome"] == {"result": "won", "amount": 24000}
    statuses = api.get("/v1/handoffs", params={"status": "won"}).json()["items"]
    assert [h["id"] for h in statuses] == [first]


def test_clear_errors(live_server: LiveServer, api: httpx.Client) -> None:
    assert api.get("/v1/handoffs/ho_missing").status_code == 404
    assert "not found" in api.get("/v1/handoffs/ho_missing").json()["detail"]
    assert api.post("/v1/handoffs/ho_missing/accept").status_code == 404
    cursor = api.get("/v1/handoffs", params={"cursor": "not-a-cursor"})
    assert cursor.status_code == 422 and "cursor" in cursor.json()["detail"]
    assert api.get("/v1/handoffs", params={"status": "maybe"}).status_code == 422
    assert api.get("/v1/handoffs", params={"limit": 0}).status_code == 422
    _row, marketer = create_key(live_server.services.engine, name="m", role="marketer")
    with live_server.client(marketer) as client:
        assert client.get("/v1/handoffs").status_code == 403
    with live_server.client(None) as anonymous:
        assert anonymous.get("/v1/handoffs").status_code == 401
