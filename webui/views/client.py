"""A client's menu ("menu client") for its administrator (and the operator): dashboard and users."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func

from centrex.access.logins import login_of
from centrex.access.password_links import invite_employee
from centrex.calls import history, live
from centrex.directory.sip_accounts import sip_account
from centrex.directory.users import create_user, update_user
from centrex.models import Device, ForwardRule, Number, User
from centrex.models._types import utcnow
from centrex.phones.devices import update_device
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, DomainError
from centrex.platform.tenancy import get_scoped, scoped
from centrex.routing.numbers import point_number
from webui.access import STAFF, allow, current_principal
from webui.console import console_blueprint
from webui.forms import change, errors_of, ids, twin_values, values
from webui.numbers import readable_number
from webui.views.password_links import link_for

bp = console_blueprint("client", __name__, url_prefix="/t/<int:tenant_id>")

USER_TEXT = ("extension", "name", "caller_id_mode", "call_class", "max_calls")
USER_OPTIONAL = ("email", "language", "mobile", "vm_pin", "twin_delay")
USER_CHECKBOXES = ("enabled", "allow_premium", "twin_enabled")


def tenant_rows(model, *order):
    return db.session.execute(scoped(model, g.tenant.id).order_by(*order)).scalars().all()


@bp.get("/")
@allow(*STAFF)
def dashboard():
    tenant = g.tenant
    count = lambda model: db.session.execute(  # noqa: E731
        scoped(model, tenant.id).with_only_columns(func.count(model.id))
    ).scalar_one()
    main = db.session.execute(scoped(Number, tenant.id).where(Number.is_main.is_(True))).scalars().first()
    principal = current_principal()
    live_view = principal.may_open("client.presence")  # the live figures follow the role's areas
    per_hour = history.calls_per_hour(tenant, utcnow()) if principal.may_open("client.calls") else None
    return render_template(
        "console/client/dashboard.html",
        users=count(User),
        numbers=count(Number),
        devices=count(Device),
        main=main,
        registered=len(live.registrations(tenant.id)) if live_view else None,
        calls_now=live.calls_now(tenant.id) if live_view else None,
        per_hour=per_hour,
        busiest=max(per_hour or [0]) or 1,
    )


@bp.get("/users")
@allow(*STAFF)
def users():
    numbers, devices = {}, {}
    for number in tenant_rows(Number, Number.e164):
        if number.dest_type == "user":
            numbers.setdefault(number.dest_id, []).append(number)
    for device in tenant_rows(Device, Device.mac):
        devices.setdefault(device.user_id, []).append(device)
    query = scoped(User, g.tenant.id).order_by(User.extension)
    search = request.args.get("q", "").strip()
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            func.lower(User.name).like(like) | User.extension.like(like) | func.lower(User.email).like(like)
        )
    return render_template(
        "console/client/users.html",
        users=db.session.execute(query).scalars().all(),
        numbers=numbers,
        devices=devices,
        search=search,
        forwarding={r.user_id for r in tenant_rows(ForwardRule, ForwardRule.id) if r.enabled},
    )


def next_extension() -> str:
    taken = {u.extension for u in tenant_rows(User, User.extension)}
    candidate = 1000
    while str(candidate) in taken:
        candidate += 1
    return str(candidate)


def choices_for(user: User | None) -> tuple[list[Number], list[Device]]:
    """Numbers and phones the form offers: free ones, and those already this user's."""
    uid = user.id if user else None
    numbers = [
        n
        for n in tenant_rows(Number, Number.e164)
        if n.dest_type is None or (uid and n.dest_type == "user" and n.dest_id == uid)
    ]
    devices = [d for d in tenant_rows(Device, Device.mac) if d.user_id is None or (uid and d.user_id == uid)]
    return numbers, devices


def assign(user: User, number_ids: set[int], device_ids: set[int]) -> None:
    """Point the ticked numbers and phones at this user, release the ones unticked (same transaction)."""
    tenant = g.tenant
    for number in tenant_rows(Number, Number.e164):
        mine = number.dest_type == "user" and number.dest_id == user.id
        if number.id in number_ids and not mine:
            if number.dest_type is not None:  # taken meanwhile, or a form that was not ours
                raise Conflict(N_("%(thing)s is already used."), thing=number.e164,
                               fields={"numbers": [N_("Already used.")]})
            point_number(number, tenant, {"dest_type": "user", "dest_id": user.id})
        elif mine and number.id not in number_ids:
            point_number(number, tenant, {"dest_type": None})
    for device in tenant_rows(Device, Device.mac):
        if device.id in device_ids and device.user_id != user.id:
            if device.user_id is not None:
                raise Conflict(N_("%(thing)s is already used."), thing=device.mac,
                               fields={"devices": [N_("Already used.")]})
            update_device(device, {"user_id": user.id})
        elif device.user_id == user.id and device.id not in device_ids:
            update_device(device, {"user_id": None})


def user_values(form) -> dict:
    return twin_values(values(form, text=USER_TEXT, optional=USER_OPTIONAL, checkboxes=USER_CHECKBOXES))


def save_login(user: User, form) -> None:
    """An invitation to the address given (the employee chooses their password from the e-mail)."""
    if form.get("login_email", "").strip() and login_of(user) is None:
        invite_employee(g.tenant, user, form.get("login_email", ""), link_for)


@bp.route("/users/new", methods=["GET", "POST"])
@allow(*STAFF)
def user_new():
    form = {
        "extension": next_extension(),
        "max_calls": "2",
        "caller_id_mode": "direct",
        "call_class": g.tenant.default_call_class,
        "enabled": True,
    }
    chosen_numbers, chosen_devices = set(), set()
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        chosen_numbers, chosen_devices = ids(form, "numbers"), ids(form, "devices")
        try:
            with change():
                user = create_user(g.tenant, user_values(form))
                assign(user, chosen_numbers, chosen_devices)
                save_login(user, form)
            flash(_("User %(name)s created.", name=user.name))
            return redirect(url_for("client.users"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    numbers, devices = choices_for(None)
    return (
        render_template(
            "console/client/user_form.html",
            form=form,
            errors=errors,
            user=None,
            numbers=numbers,
            devices=devices,
            chosen_numbers=chosen_numbers,
            chosen_devices=chosen_devices,
            login=None,
        ),
        status,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(*STAFF)
def user_edit(user_id):
    user = get_scoped(User, g.tenant.id, user_id)
    numbers, devices = choices_for(user)
    form = {k: getattr(user, k) for k in USER_TEXT + USER_OPTIONAL + USER_CHECKBOXES if k != "vm_pin"}
    form["mobile"] = readable_number(user.mobile)
    chosen_numbers = {n.id for n in numbers if n.dest_type == "user"}
    chosen_devices = {d.id for d in devices if d.user_id == user.id}
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        chosen_numbers, chosen_devices = ids(form, "numbers"), ids(form, "devices")
        try:
            with change():
                update_user(user, user_values(form))
                assign(user, chosen_numbers, chosen_devices)
                save_login(user, form)
            flash(_("Changes saved."))
            return redirect(url_for("client.user_edit", user_id=user.id))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
            user = get_scoped(User, g.tenant.id, user_id)  # as it is in the database, after the rollback
    return (
        render_template(
            "console/client/user_form.html",
            form=form,
            errors=errors,
            user=user,
            numbers=numbers,
            devices=devices,
            chosen_numbers=chosen_numbers,
            chosen_devices=chosen_devices,
            login=login_of(user),
            account=sip_account(user),
        ),
        status,
    )
