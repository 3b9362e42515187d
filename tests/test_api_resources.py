"""Edges of the resources that once answered 500: partial destinations, ids and numbers beyond the
database's integers; and the audit trail of a change made with a key."""

from __future__ import annotations

from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import AuditEntry, RingGroup
from centrex.platform.db import db


def test_a_partial_destination_is_refused_per_field(client, demo, keys):
    group = (
        db.session.execute(select(RingGroup).where(RingGroup.tenant_id == demo["dupont.example"].id))
        .scalars()
        .first()
    )
    answer = client.patch(
        f"/api/v1/ring-groups/{group.id}", json={"no_answer": {}}, headers=bearer(keys["dupont"])
    )
    assert answer.status_code == 422
    assert answer.get_json()["fields"] == {"no_answer": {"type": ["Missing data for required field."]}}


def test_ids_and_numbers_beyond_the_database_integers_are_4xx(client, keys):
    key = keys["dupont"]
    assert client.get("/api/v1/users/99999999999", headers=bearer(key)).status_code == 404
    created = client.post(
        "/api/v1/devices",
        json={"mac": "001565aabbcc", "vendor": "yealink", "model": "T54W", "user_id": 99999999999},
        headers=bearer(key),
    )
    assert created.status_code == 422
    assert (
        client.post(
            "/api/v1/webhooks", data="[1, 2", headers={**bearer(key), "Content-Type": "application/json"}
        ).status_code
        == 400
    )


def test_a_change_is_audited_as_the_key_with_the_callers_address(client, demo, keys):
    answer = client.patch(
        "/api/v1/users/"
        + str(
            db.session.execute(
                select(AuditEntry.object_id).where(
                    AuditEntry.object_type == "sip_user", AuditEntry.tenant_id == demo["dupont.example"].id
                )
            )
            .scalars()
            .first()
        ),
        json={"name": "Claire Dumas-Favre"},
        headers=bearer(keys["dupont"]),
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert answer.status_code == 200
    entry = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
    assert (entry.actor, entry.source_ip, entry.action, entry.changes) == (
        "api:CRM",
        "192.0.2.7",
        "update",
        {"name": "Claire Dumas-Favre"},
    )


def test_bodies_over_1_mb_are_refused(client, keys):
    answer = client.post(
        "/api/v1/webhooks",
        data=b'{"url": "' + b"x" * 1_100_000 + b'"}',
        headers={**bearer(keys["dupont"]), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413 and answer.get_json()["error"] == "The body is larger than 1 MB."  # was 400

