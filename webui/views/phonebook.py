"""Phonebooks the desk phones show: the company's (client menu, "Annuaire principal") and each
employee's own (self-care, "Annuaire personnel")."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.models import PhonebookEntry, User
from centrex.phones.phonebooks import add_entry, delete_entry
from centrex.platform.db import db
from centrex.platform.errors import N_, DomainError, NotFound
from centrex.platform.tenancy import get_scoped, scoped
from webui.access import STAFF, USER, allow, current_principal
from webui.forms import change, errors_of, values
from webui.views import client, me


def entries(owner_id: int | None) -> list[PhonebookEntry]:
    query = scoped(PhonebookEntry, g.tenant.id).order_by(PhonebookEntry.name)
    query = query.where(
        PhonebookEntry.owner_user_id.is_(None)
        if owner_id is None
        else PhonebookEntry.owner_user_id == owner_id
    )
    return db.session.execute(query).scalars().all()


def phonebook_page(owner: User | None, template: str, here: str):
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = request.form
        try:
            with change():
                entry = add_entry(g.tenant, values(form, text=("name", "number")), owner=owner)
            flash(_("%(name)s added to the phonebook.", name=entry.name))
            return redirect(url_for(here))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    colleagues = (
        []
        if owner is not None
        else db.session.execute(scoped(User, g.tenant.id).where(User.enabled.is_(True)).order_by(User.name))
        .scalars()
        .all()
    )
    return (
        render_template(
            template,
            entries=entries(owner.id if owner else None),
            colleagues=colleagues,
            form=form,
            errors=errors,
            personal=owner is not None,
            delete_endpoint="me.phonebook_delete_own" if owner else "client.phonebook_delete",
        ),
        status,
    )


def remove(entry: PhonebookEntry, here: str):
    name = entry.name
    with change():
        delete_entry(entry)
    flash(_("%(name)s removed from the phonebook.", name=name))
    return redirect(url_for(here))


@client.bp.route("/phonebook", methods=["GET", "POST"])
@allow(*STAFF)
def phonebook():
    return phonebook_page(None, "console/phonebook.html", "client.phonebook")


@client.bp.post("/phonebook/<int:entry_id>/delete")
@allow(*STAFF)
def phonebook_delete(entry_id):
    entry = get_scoped(PhonebookEntry, g.tenant.id, entry_id)
    if entry.owner_user_id is not None:  # a person's own contacts are theirs alone
        raise NotFound(N_("PhonebookEntry not found"))
    return remove(entry, "client.phonebook")


def own_user() -> User:
    principal = current_principal()
    return get_scoped(User, principal.tenant_id, principal.user_id)


@me.bp.route("/phonebook", methods=["GET", "POST"])
@allow(USER)
def my_phonebook():
    return phonebook_page(own_user(), "console/phonebook.html", "me.my_phonebook")


@me.bp.post("/phonebook/<int:entry_id>/delete")
@allow(USER)
def phonebook_delete_own(entry_id):
    user = own_user()
    entry = db.session.execute(
        scoped(PhonebookEntry, user.tenant_id).where(
            PhonebookEntry.id == entry_id, PhonebookEntry.owner_user_id == user.id
        )
    ).scalar_one_or_none()
    if entry is None:
        raise NotFound(N_("PhonebookEntry not found"))
    return remove(entry, "me.my_phonebook")
