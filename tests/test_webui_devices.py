"""Phones in the client menu: transfer type, re-provision after a factory reset (the seed's red button),
the phone's admin password on demand, the network map."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from centrex.models import AuditEntry, Device
from centrex.phones.devices import add_device, provisioning_token
from centrex.platform.db import db
from webui_testing import ADMIN_DUPONT, post, text


@pytest.fixture
def phone(demo):
    dupont = demo["dupont.example"]
    device = add_device(
        dupont, {"mac": "805ec0010203", "vendor": "yealink", "model": "T54W", "user_id": None}
    )
    db.session.commit()
    return device


def test_transfer_type_is_saved(admin, phone):
    response = post(
        admin,
        f"/t/{phone.tenant_id}/devices/{phone.id}",
        {"model": "T54W", "label": "Accueil", "user_id": "", "transfer_mode": "blind"},
    )
    assert response.status_code == 302
    assert db.session.get(Device, phone.id).transfer_mode == "blind"
    page = text(admin.get(f"/t/{phone.tenant_id}/devices/{phone.id}"))
    assert "Type de transfert" in page and "Transfert aveugle" in page
    bad = post(admin, f"/t/{phone.tenant_id}/devices/{phone.id}", {"model": "T54W", "transfer_mode": "magic"})
    assert bad.status_code == 422 and db.session.get(Device, phone.id).transfer_mode == "blind"


def test_reprovision_renews_credentials_and_says_when_the_phone_cannot_be_told(admin, phone):
    """No FreeSWITCH connection is wired in the tests' app: the new credentials are kept (committed before
    the switch is asked) and the person is told to restart the phone by hand."""
    old_token = provisioning_token(phone)
    response = post(admin, f"/t/{phone.tenant_id}/devices/{phone.id}/reprovision")
    assert response.status_code == 302
    device = db.session.get(Device, phone.id)
    assert provisioning_token(device) != old_token
    assert device.bootstrap_until is not None
    until = (
        device.bootstrap_until
        if device.bootstrap_until.tzinfo
        else device.bootstrap_until.replace(tzinfo=timezone.utc)
    )
    assert until > datetime.now(timezone.utc)
    page = text(admin.get(response.headers["Location"]))
    assert "prêt à être réapprovisionné" in page
    assert "Ce téléphone n’a pas d’utilisateur" in page
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "reprovision")).scalar_one()
    assert (entry.actor, entry.object_id, entry.source_ip) == (ADMIN_DUPONT, phone.id, "127.0.0.1")


def test_admin_password_shown_on_demand_and_audited(admin, phone):
    response = post(admin, f"/t/{phone.tenant_id}/devices/{phone.id}/admin-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    from centrex.directory.users import secret_box

    password = secret_box().decrypt(db.session.get(Device, phone.id).admin_password_enc)
    assert password in text(response)
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "reveal_admin_password")
    ).scalar_one()
    assert entry.actor == ADMIN_DUPONT and password not in str(entry.changes)


def test_network_map_lists_addresses(admin, phone):
    device = db.session.get(Device, phone.id)
    device.last_ip, device.last_seen_at = "192.0.2.41", datetime.now(timezone.utc)
    device.last_user_agent = "Yealink SIP-T54W 96.86.0.100"
    db.session.commit()
    page = text(admin.get(f"/t/{phone.tenant_id}/network"))
    assert "192.0.2.41" in page and "Yealink SIP-T54W 96.86.0.100" in page
