"""A client's menu through the Flask test client: users (create, edit, numbers, phones, caller ID, call
class, call limit, SIP password), numbers and their destinations, phones by MAC, the client's history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from centrex.directory.users import reveal_secret
from centrex.models import Account, AuditEntry, Device, Number, User
from centrex.platform.crypto import digest_a1, verify_password
from centrex.platform.db import db
from centrex.routing.numbers import assign_number
from test_webui_operator import field_error
from webui_testing import ADMIN_DUPONT, post, text

USER_FORM = {
    "extension": "1006",
    "name": "Emma Blanc",
    "email": "emma.blanc@dupont.example",
    "language": "",
    "mobile": "",
    "vm_pin": "135792",
    "max_calls": "3",
    "caller_id_mode": "main",
    "call_class": "international",
    "enabled": "on",
}


FREE = "+41215550120"  # a pool number the operator gives Dupont SA for these tests (not routed yet)


@pytest.fixture
def dupont(dupont):
    """Dupont SA (conftest) with the FREE pool number, committed."""
    assign_number(db.session.execute(select(Number).where(Number.e164 == FREE)).scalar_one(), dupont)
    db.session.commit()
    return dupont


def number(e164: str) -> Number:
    return db.session.execute(select(Number).where(Number.e164 == e164)).scalar_one()


def user(tenant, extension: str) -> User:
    return db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == extension)
    ).scalar_one()


def test_users_list_shows_numbers(admin, dupont):
    page = text(admin.get(f"/t/{dupont.id}/users"))
    assert "Claire Dumas" in page and "021 555 01 01" in page


def test_create_user_with_number_phone_and_login(admin, dupont):
    phone = post(
        admin,
        f"/t/{dupont.id}/devices/new",
        {"mac": "80-5E-C0-AA-BB-CC", "vendor": "yealink", "model": "T54W", "label": "DECT"},
    )
    assert phone.status_code == 302
    device = db.session.execute(select(Device).where(Device.mac == "805ec0aabbcc")).scalar_one()
    sales = number(FREE)
    response = post(
        admin,
        f"/t/{dupont.id}/users/new",
        {
            **USER_FORM,
            "numbers": str(sales.id),
            "devices": str(device.id),
            "login_email": "emma.blanc@dupont.example",
            "login_password": "mot-de-passe-emma",
        },
    )
    assert response.status_code == 302
    emma = user(dupont, "1006")
    assert (emma.name, emma.max_calls, emma.caller_id_mode, emma.call_class) == (
        "Emma Blanc",
        3,
        "main",
        "international",
    )
    assert verify_password(emma.vm_pin_hash, "135792")
    assert emma.sip_a1_hash == digest_a1("1006", "dupont.example", reveal_secret(emma))
    assert (number(FREE).dest_type, number(FREE).dest_id) == ("user", emma.id)
    assert db.session.get(Device, device.id).user_id == emma.id
    login_row = db.session.execute(select(Account).where(Account.user_id == emma.id)).scalar_one()
    assert (login_row.role, login_row.email) == ("user", "emma.blanc@dupont.example")
    entries = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.tenant_id == dupont.id, AuditEntry.actor == ADMIN_DUPONT)
        )
        .scalars()
        .all()
    )
    assert {(e.object_type, e.action) for e in entries} >= {
        ("sip_user", "create"),
        ("did_number", "update"),
        ("device", "create"),
        ("device", "update"),
        ("account", "create"),
    }
    assert all(e.source_ip == "127.0.0.1" for e in entries)
    assert not any("1357" in str(e.changes) or "mot-de-passe-emma" in str(e.changes) for e in entries)


def test_validation_errors_next_to_fields_in_french_and_nothing_saved(admin, dupont):
    before = db.session.execute(select(func.count(User.id))).scalar_one()
    response = post(
        admin,
        f"/t/{dupont.id}/users/new",
        {**USER_FORM, "extension": "1001", "email": "pas-un-email", "max_calls": "99", "vm_pin": "12"},
    )
    assert response.status_code in (409, 422)
    page = text(response)
    assert field_error(page, "email") == "Ce n’est pas une adresse e-mail valable."
    assert field_error(page, "max_calls") == "Doit être compris entre 1 et 50."
    assert field_error(page, "vm_pin") == "Un code PIN compte 6 à 10 chiffres."
    assert db.session.execute(select(func.count(User.id))).scalar_one() == before
    taken = post(admin, f"/t/{dupont.id}/users/new", {**USER_FORM, "extension": "1001"})
    assert taken.status_code == 409
    assert field_error(text(taken), "extension") == "Déjà utilisé."


def test_a_failing_part_rolls_back_the_whole_user(admin, dupont):
    """The user row is flushed before the console login fails: the request must leave no half row."""
    response = post(
        admin,
        f"/t/{dupont.id}/users/new",
        {**USER_FORM, "login_email": "admin@dupont.example", "login_password": "mot-de-passe-long"},
    )
    assert response.status_code == 409
    assert field_error(text(response), "login_email") == "Déjà utilisé."
    assert (
        db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1006")).first()
        is None
    )


def test_edit_user_moves_numbers_and_keeps_the_rest(admin, dupont):
    alain = user(dupont, "1001")
    sales = number(FREE)
    response = post(
        admin,
        f"/t/{dupont.id}/users/{alain.id}",
        {
            "extension": "1001",
            "name": "Alain Dupont",
            "email": "alain.dupont@dupont.example",
            "language": "en",
            "mobile": "+41791234567",
            "max_calls": "4",
            "caller_id_mode": "main",
            "call_class": "mobile",
            "enabled": "on",
            "allow_premium": "on",
            "numbers": str(sales.id),
        },
    )
    assert response.status_code == 302
    alain = user(dupont, "1001")
    assert (alain.language, alain.max_calls, alain.caller_id_mode, alain.call_class, alain.allow_premium) == (
        "en",
        4,
        "main",
        "mobile",
        True,
    )
    assert number(FREE).dest_id == alain.id
    assert number("+41215550102").dest_type is None  # unticked: released
    assert verify_password(alain.vm_pin_hash, "400066")  # PIN left empty: unchanged


def test_changing_the_extension_needs_a_new_pin(admin, dupont):
    alain = user(dupont, "1001")
    form = {
        "extension": "1101",
        "name": "Alain Dupont",
        "max_calls": "2",
        "caller_id_mode": "direct",
        "call_class": "national",
        "enabled": "on",
        "numbers": str(number("+41215550102").id),
    }
    response = post(admin, f"/t/{dupont.id}/users/{alain.id}", form)
    assert response.status_code == 422
    assert field_error(text(response), "vm_pin") == "Obligatoire quand le numéro interne change."
    assert user(dupont, "1001").extension == "1001"
    assert post(admin, f"/t/{dupont.id}/users/{alain.id}", {**form, "vm_pin": "864209"}).status_code == 302
    alain = db.session.get(User, alain.id)
    assert alain.extension == "1101" and alain.vm_a1_hash == digest_a1("1101", "dupont.example", "864209")


def test_reset_sip_password_is_shown_once(admin, dupont):
    alain = user(dupont, "1001")
    old = alain.sip_a1_hash
    response = post(admin, f"/t/{dupont.id}/users/{alain.id}/secret")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    alain = db.session.get(User, alain.id)
    secret = reveal_secret(alain)
    assert secret in text(response) and alain.sip_a1_hash != old
    assert secret not in str(response.headers)  # never in a cookie or a redirect
    assert secret not in text(admin.get(f"/t/{dupont.id}/users/{alain.id}"))


def test_numbers_and_where_they_point(admin, dupont):
    page = text(admin.get(f"/t/{dupont.id}/numbers"))
    assert "021 555 01 01" in page and "Claire Dumas" in page and "non acheminé" in page
    assert "Plage horaire · Heures d’ouverture" in page or "Plage horaire · Heures d&#39;ouverture" in page
    fax = number("+41215550190")
    response = post(
        admin,
        f"/t/{dupont.id}/numbers/{fax.id}",
        {"label": "Fax", "dest_type": "external", "dest_value": "+41791234567"},
    )
    assert response.status_code == 302
    assert (number("+41215550190").dest_type, number("+41215550190").dest_value) == (
        "external",
        "+41791234567",
    )
    luc = user(dupont, "1003")
    post(
        admin,
        f"/t/{dupont.id}/numbers/{fax.id}",
        {"label": "Fax", "dest_type": "user", "dest_id_user": str(luc.id)},
    )
    assert number("+41215550190").dest_id == luc.id
    missing = post(admin, f"/t/{dupont.id}/numbers/{fax.id}", {"dest_type": "external", "dest_value": ""})
    assert missing.status_code == 422
    assert "Une destination externe a besoin d’un numéro." in text(missing)


def test_a_number_already_used_is_not_taken_by_a_user_form(admin, dupont):
    """The form offers free numbers only; a number used meanwhile (or a forged id) is refused."""
    alain, fax = user(dupont, "1001"), number("+41215550190")
    before = (fax.dest_type, fax.dest_id)
    response = post(
        admin,
        f"/t/{dupont.id}/users/{alain.id}",
        {
            "extension": "1001",
            "name": "Alain Dupont",
            "max_calls": "2",
            "caller_id_mode": "direct",
            "call_class": "national",
            "enabled": "on",
            "numbers": [str(fax.id), str(number("+41215550102").id)],
        },
    )
    assert response.status_code == 409
    assert field_error(text(response), "numbers") == "Déjà utilisé."
    assert (number("+41215550190").dest_type, number("+41215550190").dest_id) == before


def test_a_number_cannot_point_at_another_company(admin, demo, dupont):
    stranger = user(demo["martin.example"], "1001")
    fax = number(FREE)
    response = post(
        admin, f"/t/{dupont.id}/numbers/{fax.id}", {"dest_type": "user", "dest_id_user": str(stranger.id)}
    )
    assert response.status_code == 422
    assert field_error(text(response), "dest_id_user") == "Inconnu."
    assert number(FREE).dest_type is None


def test_phones_add_edit_remove(admin, dupont):
    bad = post(admin, f"/t/{dupont.id}/devices/new", {"mac": "12:34", "vendor": "yealink", "model": "T54W"})
    assert bad.status_code == 422
    assert field_error(text(bad), "mac") == "Une adresse MAC compte 12 chiffres hexadécimaux."
    post(admin, f"/t/{dupont.id}/devices/new", {"mac": "0004.13AB.CDEF", "vendor": "snom", "model": "D785"})
    device = db.session.execute(select(Device).where(Device.mac == "000413abcdef")).scalar_one()
    sophie = user(dupont, "1002")
    post(
        admin,
        f"/t/{dupont.id}/devices/{device.id}",
        {"vendor": "snom", "model": "D785", "label": "Vente", "user_id": str(sophie.id)},
    )
    assert db.session.get(Device, device.id).user_id == sophie.id
    assert "Sophie Martin" in text(admin.get(f"/t/{dupont.id}/devices"))
    assert post(admin, f"/t/{dupont.id}/devices/{device.id}/delete").status_code == 302
    assert db.session.get(Device, device.id) is None


def test_client_history_shows_only_this_client(admin, demo, dupont):
    from sqlalchemy import select

    from centrex.directory.users import update_user
    from centrex.models import User
    from centrex.platform.db import db

    def rename(name, new_name):
        update_user(db.session.execute(select(User).where(User.name == name)).scalar_one(), {"name": new_name})

    rename("Claire Dumas", "Claire Dumas-Roux")    # Dupont SA: the newest change of its history
    rename("Nadia Keller", "Nadia Keller-Favre")    # Martin Sàrl, at the same moment
    db.session.commit()
    page = text(admin.get(f"/t/{dupont.id}/history"))
    assert "Claire Dumas-Roux" in page and "Nadia Keller" not in page


def test_users_search(admin, dupont):
    page = text(admin.get(f"/t/{dupont.id}/users?q=favre"))
    assert "Luc Favre" in page and "Claire Dumas" not in page
    assert "Julie Bernard" in text(admin.get(f"/t/{dupont.id}/users?q=1004"))
    assert "Rien ne correspond" in text(admin.get(f"/t/{dupont.id}/users?q=zzz"))
