"""The operator gives a client numbers from the pool and sets or changes its main number, on the client's
page (so a new client is usable from the console alone)."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from centrex.models import Number
from centrex.platform.db import db
from centrex.platform.errors import DomainError
from centrex.routing.numbers import assign_number, set_main_number
from webui.access import OPERATOR, allow
from webui.forms import change, errors_of, int_or_none
from webui.numbers import readable_number
from webui.views.operator import bp


def _chosen(tenant_id: int | None) -> Number | None:
    number_id = int_or_none(request.form.get("number_id"))
    number = db.session.get(Number, number_id) if number_id else None
    return number if number is not None and number.tenant_id == tenant_id else None


def _back():
    return redirect(url_for("operator.client_edit", tenant_id=g.tenant.id) + "#numbers")


@bp.post("/clients/<int:tenant_id>/numbers")
@allow(OPERATOR)
def client_number_give():
    number = _chosen(None)
    if number is None:
        flash(_("Choose a free number of the pool."), "error")
        return _back()
    main = request.form.get("main") == "1"
    with change():
        assign_number(number, g.tenant)
        if main:
            set_main_number(g.tenant, number)
    flash(_("%(number)s now belongs to %(name)s.", number=readable_number(number.e164), name=g.tenant.name))
    return _back()


@bp.post("/clients/<int:tenant_id>/main-number")
@allow(OPERATOR)
def client_main_number():
    number = _chosen(g.tenant.id)
    if number is None:
        flash(_("Choose one of the client's numbers."), "error")
        return _back()
    try:
        with change():
            set_main_number(g.tenant, number)
        flash(_("%(number)s is now the main number of %(name)s.", number=readable_number(number.e164),
                name=g.tenant.name))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return _back()
