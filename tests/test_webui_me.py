"""User self-care: own profile only, voicemail PIN, language of the phone, own password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.models import AuditEntry, User
from centrex.platform.crypto import digest_a1, verify_password
from centrex.platform.db import db
from test_webui_operator import field_error
from webui_testing import USER_DUPONT, USER_MARTIN, login, post, text


@pytest.fixture
def alain(client, demo):
    login(client, USER_DUPONT)
    return client


def own(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def test_profile_shows_own_line_only(alain):
    page = text(alain.get("/me/"))
    assert "Alain Dupont" in page and "1001" in page and "021 555 01 02" in page
    assert "Claire Dumas" not in page and "Pierre Martin" not in page


def test_change_pin(alain):
    response = post(alain, "/me/pin", {"vm_pin": "246813", "vm_pin_confirm": "246813"})
    assert response.status_code == 302
    user = own(USER_DUPONT)
    assert verify_password(user.vm_pin_hash, "246813")
    assert user.vm_a1_hash == digest_a1("1001", "dupont.example", "246813")
    entry = (
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.object_type == "sip_user", AuditEntry.object_id == user.id)
            .order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )
    assert (entry.actor, entry.changes) == (USER_DUPONT, {"vm_pin": "***"})  # redacted, never the PIN


@pytest.mark.parametrize(
    "pin,confirm,field,message",
    [
        ("12", "12", "vm_pin", "Un code PIN compte 6 à 10 chiffres."),
        ("246813", "864209", "vm_pin_confirm", "Les deux codes PIN sont différents."),
        ("", "", "vm_pin", "Un code PIN compte 6 à 10 chiffres."),
    ],
)
def test_bad_pin_is_refused_next_to_the_field(alain, pin, confirm, field, message):
    before = own(USER_DUPONT).vm_pin_hash
    response = post(alain, "/me/pin", {"vm_pin": pin, "vm_pin_confirm": confirm})
    assert response.status_code == 422
    assert field_error(text(response), field) == message
    assert own(USER_DUPONT).vm_pin_hash == before


def test_language_and_mobile(alain):
    assert post(alain, "/me/", {"language": "de", "mobile": "+41799999999"}).status_code == 302
    user = own(USER_DUPONT)
    assert (user.language, user.mobile) == ("de", "+41799999999")
    bad = post(alain, "/me/", {"language": "xx", "mobile": "079"})
    assert bad.status_code == 422
    assert field_error(text(bad), "mobile") == "Ce n’est pas un numéro de téléphone (p. ex. 078 123 45 67)."


def test_same_extension_in_the_other_company_is_another_person(app, demo):
    pierre = app.test_client()
    login(pierre, USER_MARTIN)
    post(pierre, "/me/pin", {"vm_pin": "918273", "vm_pin_confirm": "918273"})
    assert verify_password(own(USER_MARTIN).vm_pin_hash, "918273")
    assert not verify_password(own(USER_DUPONT).vm_pin_hash, "918273")


def test_wrong_current_password(alain):
    response = post(
        alain,
        "/me/password",
        {
            "current_password": "nope",
            "new_password": "nouveau-secret-1",
            "confirm_password": "nouveau-secret-1",
        },
    )
    assert response.status_code == 422
    assert field_error(text(response), "current_password") == "Incorrect."
