"""Webhooks: subscriptions through the API, events fanned out once, deliveries signed and sent to a real
HTTP receiver on loopback, retried with backoff when it fails, their history visible."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from api_testing import bearer, key_for, keys  # noqa: F401
from centrex.models import AuditEntry, WebhookDelivery, WebhookEvent
from centrex.platform import outbox
from centrex.platform.db import db
from centrex.webhooks import delivery as webhook_delivery, subscriptions as webhooks
from webhook_receiver import receiver  # noqa: F401

pytestmark = pytest.mark.smoke  # also run on SQLite, the embedded default


@pytest.fixture
def loopback_allowed(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)


def subscribe(client, key, url, events=("call.ringing",)):
    response = client.post("/api/v1/webhooks", json={"url": url, "events": list(events)}, headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def readme_verify():
    """The receiver-side check the README gives integrators, run as written."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    code = readme.split("## API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own README
    return namespace["verify"]


def check_signature(secret: str, received) -> dict:
    timestamp = received.headers["X-Centrex-Timestamp"]
    signature = received.headers["X-Centrex-Signature"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256).hexdigest()
    assert signature == f"t={timestamp},v1={expected}"
    assert abs(int(timestamp) - datetime.now(timezone.utc).timestamp()) < 60
    assert readme_verify()(secret, received.headers, received.body)
    assert not readme_verify()(secret + "x", received.headers, received.body)
    return json.loads(received.body)


def test_a_delivery_reaches_the_receiver_signed_and_is_retried_after_a_failure(
    client, keys, demo, receiver, loopback_allowed
):
    created = subscribe(client, keys["dupont"], receiver.url, ["call.ringing", "call.ended"])
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert (
        "secret"
        not in client.get(f"/api/v1/webhooks/{created['id']}", headers=bearer(keys["dupont"])).get_json()
    )

    dupont = demo["dupont.example"]
    event = webhooks.emit(
        dupont.id, "call.ringing", "leg-1", {"caller_number": "+41791234567", "extension": "1001"}
    )
    assert webhooks.emit(dupont.id, "call.ringing", "leg-1", {"again": True}) is None  # once per ref
    db.session.commit()

    receiver.statuses = [503]  # the CRM is down for the first try
    delivery = db.session.execute(
        select(WebhookDelivery).where(WebhookDelivery.event_id == event.id)
    ).scalar_one()
    assert webhook_delivery.deliver_due() == [(delivery.id, "waiting")]
    db.session.refresh(delivery)
    assert (delivery.attempts, delivery.last_status) == (1, 503)
    assert "HTTP 503" in delivery.last_error
    wait = delivery.next_attempt_at.replace(
        tzinfo=delivery.next_attempt_at.tzinfo or timezone.utc
    ) - datetime.now(timezone.utc)
    assert timedelta(seconds=20) < wait <= timedelta(seconds=30)  # WEBHOOK_RETRY_SECONDS, first backoff
    assert webhook_delivery.deliver_due() == []  # not due yet: nothing sent

    delivery.next_attempt_at = datetime.now(timezone.utc) - timedelta(seconds=1)  # the backoff has passed
    db.session.commit()
    outbox.run_once()  # the `flask outbox run` worker runs the webhook task
    db.session.refresh(delivery)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 2, 200)

    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.body == second.body  # the same bytes on every try
    for received in (first, second):
        assert received.path == "/hooks/centrex"
        assert received.headers["X-Centrex-Event"] == "call.ringing"
        assert received.headers["X-Centrex-Delivery"] == str(delivery.id)
        payload = check_signature(secret, received)
    assert payload == {
        "id": f"evt_{event.id}",
        "type": "call.ringing",
        "tenant": "dupont.example",
        "created_at": payload["created_at"],
        "data": {"caller_number": "+41791234567", "extension": "1001"},
    }

    history = client.get(
        f"/api/v1/webhooks/{created['id']}/deliveries", headers=bearer(keys["dupont"])
    ).get_json()
    assert history["total"] == 1
    item = history["items"][0]
    assert (item["state"], item["attempts"], item["event_type"]) == ("delivered", 2, "call.ringing")
    assert [t["status"] for t in item["tries"]] == [503, 200]


def test_events_nobody_wants_are_not_stored_and_tenants_get_only_their_own(
    client, keys, demo, receiver, loopback_allowed
):
    subscribe(client, keys["martin"], receiver.url, ["fax.received"])
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    assert (
        webhooks.emit(dupont.id, "fax.received", "fax-1", {"pages": 1}) is None
    )  # Dupont has no subscription
    assert webhooks.emit(martin.id, "call.ringing", "leg-2", {}) is None  # Martin did not ask for this one
    event = webhooks.emit(martin.id, "fax.received", "fax-2", {"pages": 2})
    db.session.commit()
    webhook_delivery.deliver_due()
    assert [json.loads(r.body)["id"] for r in receiver.received] == [f"evt_{event.id}"]
    assert db.session.execute(select(WebhookEvent.tenant_id)).scalars().all() == [martin.id]


def test_private_addresses_are_refused_unless_the_operator_allows_them(client, keys, demo, receiver, app,
                                                                        monkeypatch):
    refused = client.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["call.ringing"]},
                          headers=bearer(keys["dupont"]))
    assert refused.status_code == 422  # at creation
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    subscribe(client, keys["dupont"], receiver.url)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)  # and again at delivery
    webhooks.emit(demo["dupont.example"].id, "call.ringing", "leg-3", {})
    db.session.commit()
    assert [state for _, state in webhook_delivery.deliver_due()] == ["waiting"]
    delivery = db.session.execute(select(WebhookDelivery)).scalar_one()
    assert "private or reserved address" in delivery.last_error
    assert receiver.received == []


def test_a_delivery_fails_for_good_after_its_last_try(
    client, keys, demo, receiver, loopback_allowed, monkeypatch, app
):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 2)
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SECONDS", 0)
    created = subscribe(client, keys["dupont"], receiver.url)
    webhooks.emit(demo["dupont.example"].id, "call.ringing", "leg-4", {})
    db.session.commit()
    receiver.statuses = [500, 500]
    assert [state for _, state in webhook_delivery.deliver_due()] == ["waiting", "failed"]
    assert len(receiver.received) == 2
    delivery_id = client.get(
        f"/api/v1/webhooks/{created['id']}/deliveries", headers=bearer(keys["dupont"])
    ).get_json()["items"][0]["id"]
    again = client.post(
        f"/api/v1/webhooks/{created['id']}/deliveries/{delivery_id}/retry", headers=bearer(keys["dupont"])
    )
    assert again.status_code == 200 and again.get_json()["state"] == "waiting"
    assert [state for _, state in webhook_delivery.deliver_due()] == ["delivered"]
    assert (
        db.session.execute(select(AuditEntry.actor).where(AuditEntry.action == "redeliver")).scalar_one()
        == "api:CRM"
    )


def test_subscriptions_are_validated_and_secrets_rotate(client, keys):
    key = keys["dupont"]
    bad = client.post(
        "/api/v1/webhooks",
        json={"url": "ftp://crm.example.com/x", "events": ["call.nope"]},
        headers=bearer(key),
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"url", "events"}
    created = subscribe(client, key, "https://crm.example.com/hooks")
    rotated = client.post(f"/api/v1/webhooks/{created['id']}/secret", headers=bearer(key)).get_json()[
        "secret"
    ]
    assert rotated != created["secret"] and rotated.startswith("whsec_")
    changed = client.patch(
        f"/api/v1/webhooks/{created['id']}",
        json={"active": False, "events": ["call.ended"]},
        headers=bearer(key),
    ).get_json()
    assert (changed["active"], changed["events"]) == (False, ["call.ended"])
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=bearer(key)).status_code == 204
