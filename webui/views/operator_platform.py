"""Operator's general menu, the platform views: the number pool, every device, the history."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from centrex.models import AuditEntry, Device, Number, Tenant, UnknownDevice, User
from centrex.platform.db import db
from centrex.platform.errors import N_, DomainError, NotFound
from centrex.routing.numbers import add_number, assign_number
from webui.access import OPERATOR, allow
from webui.destinations import choices, describe
from webui.forms import change, errors_of, int_or_none, values
from webui.i18n import destination_labels
from webui.numbers import readable_number
from webui.views.history import render_history
from webui.views.operator import bp


def all_tenants() -> list[Tenant]:
    return db.session.execute(select(Tenant).order_by(Tenant.name)).scalars().all()


@bp.route("/numbers", methods=["GET", "POST"])
@allow(OPERATOR)
def numbers():
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = request.form
        try:
            with change():
                number = add_number(values(form, text=("e164",), optional=("label",)))
            flash(_("%(number)s added to the pool.", number=readable_number(number.e164)))
            return redirect(url_for("operator.numbers"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    query = select(Number).order_by(Number.e164)
    show = request.args.get("show", "all")
    if show == "free":
        query = query.where(Number.tenant_id.is_(None))
    elif show == "used":
        query = query.where(Number.tenant_id.is_not(None))
    tenants = all_tenants()
    rows = db.session.execute(query).scalars().all()
    count = select(func.count(Number.id))
    counts = {
        "all": db.session.execute(count).scalar_one(),
        "free": db.session.execute(count.where(Number.tenant_id.is_(None))).scalar_one(),
    }
    return (
        render_template(
            "console/operator/numbers.html",
            numbers=rows,
            tenants=tenants,
            names={t.id: t.name for t in tenants},
            show=show,
            counts=counts,
            form=form,
            errors=errors,
        ),
        status,
    )


@bp.post("/numbers/<int:number_id>/assign")
@allow(OPERATOR)
def number_assign(number_id):
    number = db.session.get(Number, number_id)
    if number is None:
        raise NotFound(N_("Number not found"))
    tenant = None
    wanted = int_or_none(request.form.get("tenant"))
    if wanted is not None:
        tenant = db.session.get(Tenant, wanted)
        if tenant is None:
            raise NotFound(N_("No such client."))
    leaving = number.tenant_id is not None and number.tenant_id != (tenant.id if tenant else None)
    if leaving and (number.dest_type or number.is_main) and request.form.get("confirmed") != "1":
        owner = db.session.get(Tenant, number.tenant_id)
        routes_to = describe(number.dest_type, number.dest_id, number.dest_value, choices(owner.id),
                             destination_labels()) if number.dest_type else None
        return render_template("console/operator/number_move.html", number=number, owner=owner, target=tenant,
                               routes_to=routes_to, show=request.args.get("show", "all"))
    try:
        with change():
            assign_number(number, tenant)
        flash(
            _("%(number)s now belongs to %(name)s.", number=readable_number(number.e164), name=tenant.name)
            if tenant
            else _("%(number)s is back in the free pool.", number=readable_number(number.e164))
        )
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return redirect(url_for("operator.numbers", show=request.args.get("show", "all")))


@bp.get("/devices")
@allow(OPERATOR)
def devices():
    tenants = all_tenants()
    query = select(Device).order_by(Device.tenant_id, Device.mac)
    wanted = int_or_none(request.args.get("tenant"))
    if wanted is not None:
        query = query.where(Device.tenant_id == wanted)
    devices = db.session.execute(query).scalars().all()
    owner_ids = {d.user_id for d in devices if d.user_id}
    owners = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(owner_ids))).scalars()}
    return render_template(
        "console/operator/devices.html",
        rows=[(d, owners.get(d.user_id)) for d in devices],
        tenants=tenants,
        names={t.id: t.name for t in tenants},
        wanted=wanted,
        unknown=db.session.execute(
            select(UnknownDevice).order_by(UnknownDevice.last_seen_at.desc()).limit(200)
        ).scalars().all(),
    )


@bp.get("/history")
@allow(OPERATOR)
def history():
    return render_history(select(AuditEntry), "operator/history.html", tenants=all_tenants())
