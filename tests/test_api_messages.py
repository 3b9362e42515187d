"""/api/v1: a user's conversations and messages, a private message sent in a user's name; another
company's users are 404s; the scopes are needed."""
from __future__ import annotations

from sqlalchemy import select

from api_testing import bearer, key_for, keys  # noqa: F401
from centrex.messaging import conversations as chat
from centrex.models import User
from centrex.platform.db import db


def _user(tenant, extension: str) -> User:
    return db.session.execute(select(User).filter_by(tenant_id=tenant.id, extension=extension)).scalar_one()


def test_send_in_a_users_name_then_read_both_sides(client, demo, keys):
    dupont = demo["dupont.example"]
    alain, sophie = _user(dupont, "1001"), _user(dupont, "1002")
    sent = client.post(f"/api/v1/users/{alain.id}/messages", json={"to_user_id": sophie.id, "body": "Rappel : devis"},
                       headers=bearer(keys["dupont"]))
    assert sent.status_code == 201, sent.get_json()
    message = sent.get_json()
    assert message["sender_user_id"] == alain.id and message["channel"] == "console"
    listed = client.get(f"/api/v1/users/{sophie.id}/conversations", headers=bearer(keys["dupont"])).get_json()
    assert [(c["kind"], c["title"], c["unread"]) for c in listed["items"]] == [("private", "Alain Dupont", 1)]
    read = client.get(f"/api/v1/users/{sophie.id}/messages",
                      query_string={"conversation_id": message["conversation_id"]},
                      headers=bearer(keys["dupont"])).get_json()
    assert [m["body"] for m in read["items"]] == ["Rappel : devis"] and read["next"] is None


def test_members_only_one_company_only_and_scopes(client, demo, keys):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    alain, sophie, luc = (_user(dupont, e) for e in ("1001", "1002", "1003"))
    conversation = chat.private_with(alain, sophie)
    chat.post(conversation, alain, "Entre nous")
    assert client.get(f"/api/v1/users/{luc.id}/messages", headers=bearer(keys["dupont"])).get_json()["items"] == []
    assert client.get(f"/api/v1/users/{luc.id}/messages", query_string={"conversation_id": conversation.id},
                      headers=bearer(keys["dupont"])).status_code == 404
    for url in (f"/api/v1/users/{alain.id}/messages", f"/api/v1/users/{alain.id}/conversations"):
        assert client.get(url, headers=bearer(keys["martin"])).status_code == 404
    refused = client.post(f"/api/v1/users/{_user(martin, '1001').id}/messages",
                          json={"to_user_id": alain.id, "body": "Bonjour"}, headers=bearer(keys["martin"]))
    assert refused.status_code == 422
    empty = client.post(f"/api/v1/users/{alain.id}/messages", json={"to_user_id": sophie.id, "body": ""},
                        headers=bearer(keys["dupont"]))
    assert empty.status_code == 422
    reader = key_for(dupont, ["users:read"], name="Annuaire")
    assert client.get(f"/api/v1/users/{alain.id}/messages", headers=bearer(reader)).status_code == 403
