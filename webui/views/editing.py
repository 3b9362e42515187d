"""The three console routes of each kind of thing a company keeps (ring groups, menus, queues, roles,
schedules, shared voicemail boxes, conference rooms, phones): a new one, one to edit, and the delete
button of its list — scoped to the company, staff only, one transaction each."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, g, redirect, url_for

from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped
from webui.access import STAFF, allow
from webui.forms import change, errors_of


def first_reason(errors: dict[str, list[str]]) -> str:
    return errors["_form"][0]


def add_editor_routes(bp: Blueprint, *, key: str, path: str, id_name: str, model: type,
                      page: Callable, remove: Callable, removed: Callable, listing: str,
                      refused: Callable[[dict[str, list[str]]], str] = first_reason) -> None:
    """`<path>/new`, `<path>/<id>` (endpoints `<key>_new`, `<key>_edit`: `page(thing or None)` draws and
    saves the form) and `<path>/<id>/delete` (`<key>_delete`: `remove(thing)`, then the flash
    `removed(thing)` — worded before the thing is gone — or `refused(errors)`, back to `listing`)."""

    def new():
        return page(None)

    def edit(**ids):
        return page(get_scoped(model, g.tenant.id, ids[id_name]))

    def delete(**ids):
        thing = get_scoped(model, g.tenant.id, ids[id_name])
        message = removed(thing)
        try:
            with change():
                remove(thing)
            flash(message)
        except DomainError as exc:
            flash(refused(errors_of(exc)), "error")
        return redirect(url_for(listing))

    one = f"{path}/<int:{id_name}>"
    bp.add_url_rule(f"{path}/new", f"{key}_new", allow(*STAFF)(new), methods=["GET", "POST"])
    bp.add_url_rule(one, f"{key}_edit", allow(*STAFF)(edit), methods=["GET", "POST"])
    bp.add_url_rule(f"{one}/delete", f"{key}_delete", allow(*STAFF)(delete), methods=["POST"])
