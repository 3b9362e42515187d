"""A PATCH changes what it names and nothing else (issue 22, point 1): the document gives its PATCH bodies no
default (a generated client would send them), and a one-field PATCH leaves every other field as it was, on
users, forwarding rules, ring groups and webhook subscriptions set away from their creation defaults."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import ForwardRule, RingGroup, User
from centrex.platform.db import db

pytestmark = pytest.mark.smoke


def _defaults_in(spec: dict, name: str) -> dict:
    return {
        field: value["default"]
        for field, value in spec["components"]["schemas"][name].get("properties", {}).items()
        if "default" in value
    }


def test_no_patch_body_in_the_document_has_a_default(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    bodies = {
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for operations in spec["paths"].values()
        for method, operation in operations.items()
        if method == "patch"
    }
    assert {"UserPatch", "ForwardRulePatch", "RingGroupPatch", "WebhookSubscriptionPatch"} <= bodies
    assert {name: _defaults_in(spec, name) for name in bodies} == {name: {} for name in bodies}
    assert _defaults_in(spec, "User")["max_calls"] == 2  # creation keeps its documented defaults


def _one_field_patch(client, key, url: str, away: dict, change: dict) -> None:
    """Set the object away from its defaults, PATCH one field, and compare the whole object."""
    assert client.patch(url, json=away, headers=bearer(key)).status_code == 200
    before = client.get(url, headers=bearer(key)).get_json()
    answer = client.patch(url, json=change, headers=bearer(key))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {**before, **change}
    assert client.get(url, headers=bearer(key)).get_json() == {**before, **change}


def test_a_one_field_patch_changes_one_field(client, demo, keys):
    tenant = demo["dupont.example"]
    key = keys["dupont"]
    alain = db.session.execute(select(User).filter_by(tenant_id=tenant.id, extension="1001")).scalar_one()
    _one_field_patch(
        client,
        key,
        f"/api/v1/users/{alain.id}",
        {"call_class": "international", "max_calls": 5, "allow_premium": True, "enabled": False},
        {"name": "Alain Dupont-Roux"},
    )
    rule = db.session.execute(select(ForwardRule).filter_by(tenant_id=tenant.id)).scalars().first()
    _one_field_patch(
        client,
        key,
        f"/api/v1/forwarding-rules/{rule.id}",
        {"enabled": False, "ring_seconds": 45},
        {"dest": {"type": "external", "id": None, "value": "+41325551188"}},
    )
    group = db.session.execute(select(RingGroup).filter_by(tenant_id=tenant.id)).scalars().first()
    _one_field_patch(
        client,
        key,
        f"/api/v1/ring-groups/{group.id}",
        {"strategy": "sequential", "ring_seconds": 20},
        {"name": "Support niveau 2"},
    )
    created = client.post(
        "/api/v1/webhooks",
        json={"url": "https://crm.example.com/hooks", "events": ["call.ended"]},
        headers=bearer(key),
    ).get_json()
    _one_field_patch(
        client, key, f"/api/v1/webhooks/{created['id']}", {"active": False}, {"description": "CRM"}
    )
