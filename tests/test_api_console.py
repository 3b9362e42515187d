"""The console's API pages: an admin creates a key (shown once, stored hashed), the key works, revoking it
stops it; webhooks are subscribed there and their deliveries listed. CSRF and roles as everywhere."""

from __future__ import annotations

import re

from sqlalchemy import select

from api_testing import bearer
from centrex.models import ApiToken, AuditEntry, WebhookSubscription
from centrex.platform.db import db
from centrex.webhooks import subscriptions as webhooks
from webui_testing import ADMIN_DUPONT, USER_DUPONT, login, post, text

KEY_RE = re.compile(r'id="new-key">(cxk_[A-Za-z0-9_-]+)<')


def test_an_admin_creates_a_key_that_is_shown_once_and_stored_hashed(client, demo):
    dupont = demo["dupont.example"]
    login(client, ADMIN_DUPONT)
    page = post(client, f"/t/{dupont.id}/api", {"name": "Salesforce", "scopes": ["users:read", "cdr:read"]})
    assert page.status_code == 201
    key = KEY_RE.search(text(page)).group(1)
    token = db.session.execute(select(ApiToken).where(ApiToken.tenant_id == dupont.id)).scalar_one()
    assert (token.name, token.scopes, token.created_by) == (
        "Salesforce",
        ["cdr:read", "users:read"],
        ADMIN_DUPONT,
    )
    secret = key.removeprefix(f"cxk_{token.prefix}_")  # the secret itself may contain "_"
    assert len(secret) >= 40
    stored = " ".join(str(getattr(token, c.key)) for c in ApiToken.__table__.columns)
    assert secret not in stored and len(token.secret_hash) == 64
    assert key not in text(client.get(f"/t/{dupont.id}/api"))  # never shown again
    audit = db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "api_token")).scalar_one()
    assert audit.actor == ADMIN_DUPONT and secret not in str(audit.changes)

    api = client.application.test_client()
    assert api.get("/api/v1/users", headers=bearer(key)).status_code == 200
    assert api.get("/api/v1/numbers", headers=bearer(key)).status_code == 403  # not one of its rights
    assert post(client, f"/t/{dupont.id}/api/tokens/{token.id}/revoke").status_code == 302
    refused = api.get("/api/v1/users", headers=bearer(key))
    assert refused.status_code == 401 and refused.get_json()["error"] == "Unknown or revoked API key."


def test_key_form_errors_are_shown_next_to_the_fields_in_french(client, demo):
    login(client, ADMIN_DUPONT)
    page = post(client, f"/t/{demo['dupont.example'].id}/api", {"name": "", "scopes": ["nope"]})
    assert page.status_code == 422
    assert "field-error" in text(page)
    assert db.session.execute(select(ApiToken)).first() is None


def test_webhooks_are_subscribed_in_the_console_and_their_deliveries_listed(client, demo):
    dupont = demo["dupont.example"]
    login(client, ADMIN_DUPONT)
    page = post(
        client,
        f"/t/{dupont.id}/api/webhooks",
        {"url": "https://crm.example.com/hooks", "events": ["call.ringing", "fax.received"]},
    )
    assert page.status_code == 201 and "whsec_" in text(page)
    subscription = db.session.execute(select(WebhookSubscription)).scalar_one()
    assert subscription.events == ["call.ringing", "fax.received"]
    assert "whsec_" not in subscription.secret_enc
    webhooks.emit(dupont.id, "fax.received", "fax-9", {"pages": 3})
    db.session.commit()
    history = text(client.get(f"/t/{dupont.id}/api/webhooks/{subscription.id}"))
    assert "fax.received" in history and "whsec_" not in history
    assert (
        post(
            client, f"/t/{dupont.id}/api/webhooks/{subscription.id}/change", {"action": "toggle"}
        ).status_code
        == 302
    )
    assert db.session.get(WebhookSubscription, subscription.id).active is False


def test_without_csrf_token_or_as_a_user_nothing_is_created(client, demo):
    dupont = demo["dupont.example"]
    login(client, ADMIN_DUPONT)
    refused = client.post(f"/t/{dupont.id}/api", data={"name": "x", "scopes": ["users:read"]})
    assert refused.status_code == 400
    user = client.application.test_client()
    login(user, USER_DUPONT)
    assert post(user, f"/t/{dupont.id}/api", {"name": "x", "scopes": ["users:read"]}).status_code == 403
    assert db.session.execute(select(ApiToken)).first() is None


def test_the_api_ignores_the_console_session(client, demo):
    """A logged-in browser cannot use the API with its cookie (so a forged cross-site request cannot
    either): only a key opens it, which is why the API needs no CSRF token."""
    login(client, ADMIN_DUPONT)
    assert client.get("/api/v1/users").status_code == 401
    refused = client.post("/api/v1/users", json={"extension": "1077", "name": "Forgée"})
    assert refused.status_code == 401
    assert db.session.execute(select(AuditEntry).where(AuditEntry.actor.like("api:%"))).first() is None
