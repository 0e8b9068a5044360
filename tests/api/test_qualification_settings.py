"""The qualification settings API over real HTTP: read, validated writes, versions, roles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent.policy import DEFAULT_POLICY
from api.app import Services
from core.config import CoreSettings
from tests.conftest import ADMIN_KEY, LiveServer

URL = "/v1/settings/qualification"


def _policy(**changes: Any) -> dict[str, Any]:
    body = DEFAULT_POLICY.model_dump()
    for path, value in changes.items():
        node = body
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    return body


def _key(api: httpx.Client, role: str) -> str:
    r = api.post("/v1/keys", json={"name": f"Mia ({role})", "role": role})
    assert r.status_code == 201
    key: str = r.json()["key"]
    return key


def test_get_returns_the_default_policy_as_version_1(api: httpx.Client) -> None:
    r = api.get(URL)
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 1
    assert body["author"] == "system"
    assert body["policy"] == DEFAULT_POLICY.model_dump(mode="json")
    assert body["updated_at"]


def test_a_marketer_changes_the_policy_and_each_change_is_a_version(
    live_server: LiveServer, api: httpx.Client
) -> None:
    with live_server.client(_key(api, "marketer")) as mia:
        r = mia.put(URL, json=_policy(weights__need=40, weights__contact=0))
        assert r.status_code == 200, r.text
        assert (r.json()["version"], r.json()["author"]) == (2, "Mia (marketer)")
        assert r.json()["policy"]["weights"]["need"] == 40
        r = mia.put(URL, json=_policy(rules__sql__max_days=60))
        assert r.json()["version"] == 3
        active = mia.get(URL).json()
        assert active["version"] == 3
        assert active["policy"]["rules"]["sql"]["max_days"] == 60
        assert active["policy"]["weights"]["need"] == 30
        history = mia.get(URL + "/history").json()
        assert [(v["version"], v["author"]) for v in history] == [
            (3, "Mia (marketer)"),
            (2, "Mia (marketer)"),
            (1, "system"),
        ]
        assert history[1]["policy"]["weights"]["need"] == 40


def test_the_active_policy_scores_new_turns(live_server: LiveServer, api: httpx.Client) -> None:
    from agent.policy import load_active_policy

    api.put(URL, json=_policy(rules__mql__contact_qualifies=False))
    version, policy = load_active_policy(live_server.services.engine)
    assert version == 2
    assert policy.rules.mql.contact_qualifies is False


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (_policy(weights__need=20), "body.weights", "weights must sum to 100, got 90"),
        (_policy(weights__budget=120), "body.weights.budget", "less than or equal to 100"),
        (_policy(points__authority={"decision_maker": 100, "ceo": 50}), "body.points.authority",
         "ceo"),
        (_policy(rules__sql__max_days=365), "body.rules",
         "sql.max_days (365) must not exceed mql.max_days (180)"),
        (_policy(rules__sql__budget=["none"]), "body.rules",
         "sql.budget requires ['none'], which disqualify.budget rejects"),
        ({**_policy(), "bonus": 5}, "body.bonus", "Extra inputs are not permitted"),
        ({"weights": {}}, "body.points", "Field required"),
    ],
)  # fmt: skip
def test_invalid_policies_are_422_naming_the_field(
    api: httpx.Client, body: dict[str, Any], field: str, reason: str
) -> None:
    r = api.put(URL, json=body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert field in detail and reason in detail
    assert api.get(URL).json()["version"] == 1  # nothing was stored


def test_bad_json_is_422(api: httpx.Client) -> None:
    r = api.put(URL, content=b"{weights:", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert api.get(URL + "/history").json()[0]["version"] == 1


def test_roles(live_server: LiveServer, api: httpx.Client) -> None:
    with live_server.client(key=None) as anon:
        assert anon.get(URL).status_code == 401
        assert anon.put(URL, json=_policy()).status_code == 401
    with live_server.client(_key(api, "sales")) as sam:
        assert sam.get(URL).status_code == 200
        assert sam.get(URL + "/history").status_code == 200
        r = sam.put(URL, json=_policy())
        assert r.status_code == 403
        assert "marketer" in r.json()["detail"]
    assert api.put(URL, json=_policy()).status_code == 200  # admin may


@pytest.fixture
def server_on(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A live server on the parametrised database (SQLite, then PostgreSQL)."""
    settings = CoreSettings(data_dir=tmp_path / "data", admin_key=ADMIN_KEY,
                            database_url=database_url)  # fmt: skip
    services = Services(settings)
    server = LiveServer(services).start()
    try:
        yield server
    finally:
        server.stop()
        services.engine.dispose()  # close pooled connections before the database is dropped


def test_versions_persist_on_each_database(server_on: LiveServer) -> None:
    with server_on.client() as admin:
        assert admin.get(URL).json()["version"] == 1
        for n in range(2, 5):
            r = admin.put(URL, json=_policy(rules__mql__max_days=100 + n))
            assert r.json()["version"] == n
        history = admin.get(URL + "/history").json()
        assert [v["version"] for v in history] == [4, 3, 2, 1]
        assert admin.get(URL).json()["policy"]["rules"]["mql"]["max_days"] == 104


def test_a_broken_policy_file_is_a_clear_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "policy.yaml"
    broken.write_text("weights: {budget: 50}\n")
    monkeypatch.setenv("BATON_QUALIFICATION_FILE", str(broken))
    services = Services(CoreSettings(data_dir=tmp_path / "data", admin_key=ADMIN_KEY))
    server = LiveServer(services).start()
    try:
        with server.client() as admin:
            r = admin.get(URL)
            assert r.status_code == 503
            assert "policy.yaml" in r.json()["detail"]
            assert "weights" in r.json()["detail"]
    finally:
        server.stop()
        services.engine.dispose()
