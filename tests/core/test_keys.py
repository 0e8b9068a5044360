"""Staff keys over real HTTP: creation, roles, revocation, and the 401/403 contract."""

from __future__ import annotations

from tests.conftest import LiveServer


def test_missing_and_wrong_keys_are_401(live_server: LiveServer) -> None:
    with live_server.client(key=None) as anon:
        r = anon.get("/v1/keys")
        assert r.status_code == 401
        assert "missing staff key" in r.json()["detail"]
    with live_server.client(key="bk_not-a-real-key") as wrong:
        assert wrong.get("/v1/keys").status_code == 401


def test_create_list_revoke_key(live_server: LiveServer) -> None:
    with live_server.client() as admin:
        r = admin.post("/v1/keys", json={"name": "Sam from sales", "role": "sales"})
        assert r.status_code == 201
        created = r.json()
        secret = created["key"]
        assert secret.startswith("bk_")
        listed = admin.get("/v1/keys").json()
        assert [k["id"] for k in listed] == [created["id"]]
        assert "key" not in listed[0] and "key_hash" not in listed[0]
        with live_server.client(key=secret) as sam:
            assert sam.get("/v1/me").json() == {"name": "Sam from sales", "role": "sales"}
            # A sales key may not administer keys.
            assert sam.get("/v1/keys").status_code == 403
            assert admin.delete(f"/v1/keys/{created['id']}").status_code == 204
            assert sam.get("/v1/me").status_code == 401
        assert admin.delete(f"/v1/keys/{created['id']}").status_code == 404


def test_bad_role_is_422(api) -> None:  # type: ignore[no-untyped-def]
    r = api.post("/v1/keys", json={"name": "x", "role": "superuser"})
    assert r.status_code == 422
    assert "role" in r.json()["detail"]
    r = api.post("/v1/keys", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
