"""Click-to-call: the destination is checked against the user's call permissions (the routing engine's
dialing rules) before anything rings; then the originate goes to FreeSWITCH and the call's progress is
readable by its id, by its own company only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api_testing import bearer, key_for
from centrex.models import ApiCall, User
from centrex.platform import ports
from centrex.platform.db import db


@pytest.fixture
def dupont_key(demo, app, monkeypatch):
    monkeypatch.setitem(app.config, "CLICK_TO_CALL_INLINE", True)
    return key_for(demo["dupont.example"], ["calls:write", "calls:read"])


def set_call_class(tenant, extension, call_class, premium=False):
    user = db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == extension)
    ).scalar_one()
    user.call_class, user.allow_premium = call_class, premium
    db.session.flush()


@pytest.mark.parametrize(
    "to,status,field_message",
    [
        ("1002", 202, None),  # a colleague
        ("2001", 202, None),  # the support group's short number
        ("021 555 01 10", 202, None),  # the company's own sales number, dialled nationally
        ("+41 21 312 34 56", 202, None),  # national, allowed for call class "national"
        ("+33 1 42 68 53 00", 403, "Needs the call class international."),
        ("+41 79 123 45 67", 403, "Needs the call class mobile."),
        ("0900 123 456", 403, "Premium-rate numbers are not allowed for this user."),
        ("112", 422, "Emergency numbers must be dialled from the phone."),
        ("1001", 422, "This is the caller's own extension."),
        ("0000", 422, "Not a number that can be dialled."),
    ],
)
def test_the_destination_must_fit_the_users_call_permissions(
    client, demo, dupont_key, to, status, field_message
):
    set_call_class(demo["dupont.example"], "1001", "national")
    answer = client.post("/api/v1/calls", json={"from_user": "1001", "to": to}, headers=bearer(dupont_key))
    assert answer.status_code == status, answer.get_json()
    if field_message:
        assert answer.get_json()["fields"] == {"to": [field_message]}
        assert db.session.execute(select(ApiCall)).first() is None
    else:
        assert answer.get_json()["from_user"] == "1001"


def test_an_international_user_may_call_abroad_and_unknown_users_are_refused(client, demo, dupont_key):
    set_call_class(demo["dupont.example"], "1003", "international")
    ok = client.post(
        "/api/v1/calls", json={"from_user": "1003", "to": "+33142685300"}, headers=bearer(dupont_key)
    )
    assert ok.status_code == 202 and ok.get_json()["to"] == "+33142685300"
    unknown = client.post(
        "/api/v1/calls", json={"from_user": "1099", "to": "1002"}, headers=bearer(dupont_key)
    )
    assert unknown.status_code == 422 and unknown.get_json()["fields"] == {
        "from_user": ["Unknown extension."]
    }


def test_without_freeswitch_the_call_fails_with_a_reason_not_a_5xx(client, demo, dupont_key, monkeypatch):
    monkeypatch.setattr(ports, "_switch", None)  # no switch configured: the port says so
    placed = client.post(
        "/api/v1/calls", json={"from_user": "1001", "to": "1002"}, headers=bearer(dupont_key)
    )
    assert placed.status_code == 202
    shown = client.get(f"/api/v1/calls/{placed.get_json()['id']}", headers=bearer(dupont_key)).get_json()
    assert shown["progress"] == "failed" and "FreeSWITCH" in shown["reason"]
    martin = key_for(demo["martin.example"], ["calls:read"])
    assert client.get(f"/api/v1/calls/{placed.get_json()['id']}", headers=bearer(martin)).status_code == 404
