"""The optional services of a client's licence: the operator ticks what was sold; the client's admin
then sees only those pages, and creating anything else is refused with the reason, nothing written."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.models import ApiToken, AuditEntry, CallQueue, IvrMenu
from centrex.platform.db import db
from centrex.tenants.licences import features_of
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, OPERATOR, login, post, text

pytestmark = pytest.mark.smoke


def licence_form(max_calls: int, *features: str) -> dict:
    return {"max_calls": str(max_calls), "max_users": "", "features_shown": "1", "features": list(features)}


def test_new_clients_have_every_service_and_the_operator_takes_some_away(client, demo):
    martin = demo["martin.example"]
    assert features_of(martin.id) == {"queues", "ivr", "conferences", "fax", "api"}
    login(client, OPERATOR)
    page = text(client.get("/operator/licences"))
    assert 'name="features" value="queues" checked' in page and "Services inclus" in page
    response = post(client, f"/operator/licences/{martin.id}", licence_form(5, "ivr", "conferences", "fax"))
    assert response.status_code == 302
    assert features_of(martin.id) == {"ivr", "conferences", "fax"}
    assert features_of(demo["dupont.example"].id) == {"queues", "ivr", "conferences", "fax", "api"}
    audit = db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "tenant",
                                                        AuditEntry.object_id == martin.id)
                               .order_by(AuditEntry.id.desc())).scalars().first()
    assert audit.actor == OPERATOR
    assert (audit.changes["services_added"], audit.changes["services_removed"]) == ("", "api, queues")
    # a form without the checkboxes (e.g. an older page) leaves the services alone
    post(client, f"/operator/licences/{martin.id}", {"max_calls": "6", "max_users": ""})
    assert features_of(martin.id) == {"ivr", "conferences", "fax"}


def test_the_admin_cannot_use_a_service_the_licence_lacks(client, demo):
    martin, dupont = demo["martin.example"], demo["dupont.example"]
    login(client, OPERATOR)
    post(client, f"/operator/licences/{martin.id}", licence_form(5, "ivr", "conferences", "fax"))
    client.get("/logout")
    login(client, ADMIN_MARTIN)
    page = text(client.get(f"/t/{martin.id}/users"))
    assert f"/t/{martin.id}/queues" not in page and f"/t/{martin.id}/api" not in page
    assert f"/t/{martin.id}/menus" in page
    queues_before = db.session.execute(select(CallQueue.id).where(CallQueue.tenant_id == martin.id)).all()
    refused = post(client, f"/t/{martin.id}/queues/new", {"name": "Hotline", "extension": "2300",
                                                          "strategy": "ring-all"})
    assert refused.status_code == 403
    assert "La licence de Martin Sàrl n’inclut pas les files d’attente." in text(refused).replace("&#39;", "'")
    assert db.session.execute(select(CallQueue.id).where(CallQueue.tenant_id == martin.id)).all() == queues_before
    refused = post(client, f"/t/{martin.id}/api", {"name": "CRM", "scopes": ["users:read"]})
    assert refused.status_code == 403
    assert db.session.execute(select(ApiToken).where(ApiToken.tenant_id == martin.id)).first() is None
    menu = post(client, f"/t/{martin.id}/menus/new", {"name": "Accueil", "no_input_seconds": "60",
                                                      "timeout_seconds": "180", "max_failures": "3"})
    assert menu.status_code in (200, 302)
    assert db.session.execute(select(IvrMenu).where(IvrMenu.tenant_id == martin.id,
                                                    IvrMenu.name == "Accueil")).first() is not None
    client.get("/logout")
    login(client, ADMIN_DUPONT)  # the other company keeps everything it has
    assert f"/t/{dupont.id}/queues" in text(client.get(f"/t/{dupont.id}/users"))


def test_only_the_operator_changes_a_licence(client, demo):
    martin = demo["martin.example"]
    login(client, ADMIN_MARTIN)
    assert post(client, f"/operator/licences/{martin.id}", licence_form(5)).status_code == 403
    assert features_of(martin.id) == {"queues", "ivr", "conferences", "fax", "api"}


def test_taking_a_service_away_stops_what_already_exists(client, demo):
    """Audit finding 6: removing a service left its pages open by URL and its API keys working."""
    from api_testing import bearer, key_for

    dupont = demo["dupont.example"]
    key = key_for(dupont, ["users:read"])
    queue = db.session.execute(select(CallQueue).where(CallQueue.tenant_id == dupont.id)).scalars().first()
    db.session.commit()
    assert client.get("/api/v1/users", headers=bearer(key)).status_code == 200
    login(client, OPERATOR)
    post(client, f"/operator/licences/{dupont.id}", licence_form(10, "ivr", "conferences", "fax"))
    api = client.get("/api/v1/users", headers=bearer(key))
    assert api.status_code == 403
    assert "Dupont SA's licence does not include the API." in api.get_json()["error"]
    for url in (f"/t/{dupont.id}/queues", f"/t/{dupont.id}/queues/{queue.id}", f"/t/{dupont.id}/api"):
        page = client.get(url)
        assert page.status_code == 403, url
        assert "n’inclut pas" in text(page).replace("&#39;", "'")
    assert client.get(f"/t/{dupont.id}/menus").status_code == 200
