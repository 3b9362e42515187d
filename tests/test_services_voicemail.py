"""Voicemail boxes: shared boxes answered to mod_voicemail's directory lookups (fixtures 29, 30) with a
vm-a1-hash and never as a SIP user; PINs hashed on our side; the same box number in two companies."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.models import User, VoicemailBox
from centrex.platform.crypto import digest_a1, verify_password
from centrex.platform.db import db
from centrex.platform.errors import DomainError
from centrex.voicemail import boxes as voicemail
from xmlcurl_helpers import parse_document

pytestmark = pytest.mark.smoke
LOOKUP = "29-directory-voicemail-lookup-1002.http"
COUNT = "30-directory-message-count-after_vm_deposit.http"


def shared_box(demo, domain) -> VoicemailBox:
    return db.session.execute(select(VoicemailBox).where(VoicemailBox.tenant_id == demo[domain].id,
                                                         VoicemailBox.number == "8000")).scalar_one()


@pytest.mark.parametrize("capture", [LOOKUP, COUNT])
def test_shared_box_answers_voicemail_lookups_with_its_hash(demo, post_capture, capture):
    doc = parse_document(post_capture(capture, replace={"user=1002": "user=8000"}))
    user = doc.xpath("//domain[@name='dupont.example']//user[@id='8000']")
    assert len(user) == 1
    params = {p.get("name"): p.get("value") for p in user[0].xpath("params/param")}
    assert params == {"vm-a1-hash": digest_a1("8000", "dupont.example", "864209"), "vm-enabled": "true"}
    assert not doc.xpath("//param[@name='a1-hash' or @name='password' or @name='vm-password']")


def test_same_box_number_in_two_companies(demo, post_capture):
    dupont = parse_document(post_capture(LOOKUP, replace={"user=1002": "user=8000"}))
    martin = parse_document(post_capture(LOOKUP, replace={"user=1002": "user=8000",
                                                          "dupont.example": "martin.example"}))
    hash_of = "string(//user/params/param[@name='vm-a1-hash']/@value)"
    assert martin.xpath("string(//domain/@name)") == "martin.example"
    assert martin.xpath(hash_of) == digest_a1("8000", "martin.example", "135792") != dupont.xpath(hash_of)
    assert verify_password(shared_box(demo, "martin.example").pin_hash, "135792")
    assert shared_box(demo, "dupont.example").pin_hash.startswith("$argon2")


@pytest.mark.parametrize("capture", ["21-directory-sip_auth-register-1001-password.http",
                                     "26-directory-user_call-bridge_user_1002.http",
                                     "37-directory-user_exists-api-1001.http"])
def test_a_box_is_never_a_sip_user(demo, post_capture, capture):
    doc = parse_document(post_capture(capture, replace={"user=1001": "user=8000", "user=1002": "user=8000"}))
    assert doc.xpath("string(//result/@status)") == "not found"


def test_users_own_box_still_comes_from_the_user(demo, post_capture):
    doc = parse_document(post_capture(LOOKUP))
    sophie = db.session.execute(select(User).where(User.tenant_id == demo["dupont.example"].id,
                                                   User.extension == "1002")).scalar_one()
    assert doc.xpath("string(//user[@id='1002']/params/param[@name='vm-a1-hash']/@value)") == sophie.vm_a1_hash


def test_disabled_shared_box_is_not_found(demo, post_capture):
    tenant = demo["dupont.example"]
    voicemail.update_box(tenant, shared_box(demo, "dupont.example"), {"enabled": False})
    doc = parse_document(post_capture(LOOKUP, replace={"user=1002": "user=8000"}))
    assert doc.xpath("string(//result/@status)") == "not found"


def test_box_numbers_cannot_take_an_extension_or_room(demo):
    tenant = demo["dupont.example"]
    for number in ("1001", "3000", "8000"):
        with pytest.raises(DomainError) as info:
            voicemail.create_shared_box(tenant, {"number": number, "name": "x", "pin": "802417"})
        assert info.value.status == 409
    with pytest.raises(DomainError) as info:
        voicemail.create_shared_box(tenant, {"number": "8100", "name": "x"})
    assert "pin" in info.value.fields


def test_email_only_needs_the_recording_attached(demo):
    tenant = demo["dupont.example"]
    alain = db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == "1001")).scalar_one()
    box = voicemail.user_box(alain)
    with pytest.raises(DomainError):
        voicemail.update_box(tenant, box, {"email_mode": "notify", "keep_after_email": False})
    voicemail.update_box(tenant, box, {"email_mode": "attach", "keep_after_email": False})
    target = voicemail.notify_target("dupont.example", "1001")
    assert target.email_to == "alain.dupont@dupont.example" and target.attach and target.delete_after
    assert voicemail.notify_target("martin.example", "1001") is None  # Martin's 1001 asked for no e-mail


def test_other_companys_box_cannot_be_changed(demo):
    with pytest.raises(DomainError):
        voicemail.update_box(demo["martin.example"], shared_box(demo, "dupont.example"), {"name": "pirate"})


@pytest.mark.parametrize("number, pin, why", [
    ("8100", "4001", "4 digits: vm-a1-hash gives it back in under a second"),
    ("8100", "000000", "one digit repeated"), ("8100", "123456", "digits in a row"),
    ("8100", "987654", "digits in a row, down"), ("8100", "890123", "digits in a row, past 9"),
    ("8101", "810181", "the box's own number, repeated"),
])
def test_guessable_pins_are_refused_with_the_reason(demo, number, pin, why):
    """Audit finding 9: 4-digit PINs reversed from vm-a1-hash in under a second."""
    with pytest.raises(DomainError) as refused:
        voicemail.create_shared_box(demo["dupont.example"], {"number": number, "name": "x", "pin": pin})
    assert refused.value.fields.get("pin"), why
    assert db.session.execute(select(VoicemailBox).where(VoicemailBox.number == number)).first() is None


def test_the_operator_may_ask_for_longer_pins(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "VM_PIN_MIN_DIGITS", 8)
    with pytest.raises(DomainError) as refused:
        voicemail.create_shared_box(demo["dupont.example"], {"number": "8100", "name": "x", "pin": "802417"})
    assert refused.value.fields == {"pin": ["A PIN is 8 to 10 digits."]}


def test_a_users_pin_may_not_be_the_extension_repeated(demo):
    from centrex.directory.users import update_user

    alain = db.session.execute(select(User).where(User.tenant_id == demo["dupont.example"].id,
                                                  User.extension == "1001")).scalar_one()
    before = alain.vm_a1_hash
    with pytest.raises(DomainError) as refused:
        update_user(alain, {"vm_pin": "100110"})
    assert refused.value.fields == {"vm_pin": ["A PIN may not repeat the box's own number."]}
    assert alain.vm_a1_hash == before
