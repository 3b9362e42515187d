"""Self-care: a user's own profile and voicemail PIN; everyone's own console password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from centrex.access.logins import change_password
from centrex.calls.live import device_addresses
from centrex.directory.users import update_user
from centrex.models import Account, Device, Number, User
from centrex.platform.db import db
from centrex.platform.errors import N_, DomainError, Invalid
from centrex.platform.tenancy import get_scoped, scoped
from centrex.platform.unit_of_work import unit_of_work
from webui.access import ADMIN, OPERATOR, USER, allow, current_principal, start_session
from webui.console import console_blueprint
from webui.forms import change, errors_of, twin_values, values
from webui.numbers import readable_number

bp = console_blueprint("me", __name__, url_prefix="/me")


def own_user() -> User:
    principal = current_principal()
    return get_scoped(User, principal.tenant_id, principal.user_id)


def render_profile(errors=None, form=None, status=200):
    user = own_user()
    numbers = (
        db.session.execute(
            scoped(Number, user.tenant_id)
            .where(Number.dest_type == "user", Number.dest_id == user.id)
            .order_by(Number.e164)
        )
        .scalars()
        .all()
    )
    devices = (
        db.session.execute(
            scoped(Device, user.tenant_id).where(Device.user_id == user.id).order_by(Device.mac)
        )
        .scalars()
        .all()
    )
    contacts = {device.id: found for device, found in device_addresses(user.tenant_id) if device.user_id == user.id}
    form = form or {"language": user.language, "mobile": readable_number(user.mobile),
                    "twin_enabled": user.twin_enabled, "twin_delay": user.twin_delay}
    return (
        render_template(
            "console/me/profile.html",
            user=user,
            numbers=numbers,
            devices=devices,
            contacts=contacts,
            form=form,
            errors=errors or {},
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
@allow(USER)
def profile():
    if request.method == "POST":
        try:
            with change():
                update_user(own_user(), twin_values(values(request.form, optional=("language", "mobile", "twin_delay"),
                                                           checkboxes=("twin_enabled",))))
            flash(_("Changes saved."))
            return redirect(url_for("me.profile"))
        except DomainError as exc:
            return render_profile(errors_of(exc), request.form, exc.status)
    return render_profile()


def change_own_pin(form) -> None:
    """The signed-in user's new voicemail PIN, typed twice (committed; DomainError when refused)."""
    new, confirm = form.get("vm_pin", "").strip(), form.get("vm_pin_confirm", "").strip()
    with change():
        if new != confirm:
            raise Invalid(N_("The two PINs differ."), fields={"vm_pin_confirm": [N_("The two PINs differ.")]})
        update_user(own_user(), {"vm_pin": new})


@bp.post("/pin")
@allow(USER)
def pin():
    try:
        change_own_pin(request.form)
        flash(_("Your voicemail PIN is changed."))
        return redirect(url_for("me.profile"))
    except DomainError as exc:
        return render_profile(errors_of(exc), status=exc.status)


@bp.route("/password", methods=["GET", "POST"])
@allow(OPERATOR, ADMIN, USER)
def password():
    """Every role changes its own console password here."""
    errors, status = {}, 200
    if request.method == "POST":
        account = db.session.execute(
            select(Account).where(Account.id == current_principal().account_id)
        ).scalar_one()
        form = request.form
        try:
            with change():
                change_password(
                    account,
                    form.get("current_password", ""),
                    form.get("new_password", ""),
                    form.get("confirm_password", ""),
                )
            with unit_of_work():  # every older session ended with the change; this browser stays in
                start_session(account)
            flash(_("Your password is changed."))
            return redirect(url_for("auth.home"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    return render_template("console/me/password.html", errors=errors), status
