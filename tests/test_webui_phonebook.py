"""Phonebooks: the company's in the client menu, each employee's own in self-care; nobody removes
someone else's contacts."""

from __future__ import annotations

from sqlalchemy import select

from centrex.models import PhonebookEntry, User
from centrex.phones.phonebooks import add_entry, company_phonebook, personal_phonebook
from centrex.platform.db import db
from test_webui_operator import field_error
from webui_testing import ADMIN_DUPONT, USER_DUPONT, login, post, text


def employee(tenant, extension):
    return db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == extension)
    ).scalar_one()


def test_admin_keeps_the_company_phonebook(client, dupont):
    login(client, ADMIN_DUPONT)
    response = post(client, f"/t/{dupont.id}/phonebook", {"name": "Garage Favre", "number": "+41215557788"})
    assert response.status_code == 302
    assert ("Garage Favre", "+41215557788") in company_phonebook(dupont.id)
    page = text(client.get(f"/t/{dupont.id}/phonebook"))
    assert "Garage Favre" in page and "Claire Dumas" in page  # colleagues are listed with the contacts
    bad = post(client, f"/t/{dupont.id}/phonebook", {"name": "", "number": "abc"})
    assert bad.status_code == 422
    assert field_error(text(bad), "number") == "Ce n’est pas un numéro de téléphone (p. ex. 078 123 45 67)."
    entry = db.session.execute(
        select(PhonebookEntry).where(PhonebookEntry.name == "Garage Favre")
    ).scalar_one()
    assert post(client, f"/t/{dupont.id}/phonebook/{entry.id}/delete").status_code == 302
    assert ("Garage Favre", "+41215557788") not in company_phonebook(dupont.id)


def test_user_keeps_a_personal_phonebook(client, dupont):
    login(client, USER_DUPONT)
    assert post(client, "/me/phonebook", {"name": "Maman", "number": "+41791112233"}).status_code == 302
    alain = employee(dupont, "1001")
    assert personal_phonebook(dupont.id, alain.id) == [("Maman", "+41791112233")]
    assert ("Maman", "+41791112233") not in company_phonebook(dupont.id)
    assert "Maman" in text(client.get("/me/phonebook"))


def test_nobody_removes_someone_elses_contacts(app, client, dupont):
    claire = employee(dupont, "1000")
    private = add_entry(dupont, {"name": "Dr Rey", "number": "+41215550000"}, owner=claire)
    db.session.commit()
    login(client, USER_DUPONT)  # a colleague of Claire's
    assert "Dr Rey" not in text(client.get("/me/phonebook"))
    assert post(client, f"/me/phonebook/{private.id}/delete").status_code == 404
    admin = app.test_client()
    login(admin, ADMIN_DUPONT)
    assert "Dr Rey" not in text(admin.get(f"/t/{dupont.id}/phonebook"))
    assert post(admin, f"/t/{dupont.id}/phonebook/{private.id}/delete").status_code == 404
    assert db.session.get(PhonebookEntry, private.id) is not None
