"""A client's console logins ("Autorisations"): who may manage the company (administrators, with full
rights or limited by a custom role) and which employees may change their own settings (users);
deactivate, reactivate, set a new password, give or take back a custom role."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from centrex.access.logins import set_active
from centrex.access.password_links import invite, send_reset_of
from centrex.access.roles import assign_role, roles_of
from centrex.models import Account, Role, User
from centrex.platform.db import db
from centrex.platform.errors import N_, DomainError, Invalid
from centrex.platform.tenancy import get_scoped, scoped
from webui.access import STAFF, allow, current_principal
from webui.forms import change, errors_of, int_or_none
from webui.views.client import bp, tenant_rows
from webui.views.password_links import link_for


def render_logins(errors=None, form=None, status=200):
    logins = (
        db.session.execute(scoped(Account, g.tenant.id).order_by(Account.role, Account.email)).scalars().all()
    )
    users = {u.id: u for u in tenant_rows(User, User.extension)}
    roles = roles_of(g.tenant.id)
    return (
        render_template(
            "console/client/logins.html",
            logins=logins,
            users=users,
            roles=roles,
            role_options=[(r.id, r.name) for r in roles],
            errors=errors or {},
            form=form or {},
        ),
        status,
    )


def chosen_role(form) -> Role | None:
    """The custom role a form names (role_id; empty = full rights), of this company only."""
    if not form.get("role_id", "").strip():
        return None
    role_id = int_or_none(form.get("role_id"))
    role = None
    if role_id is not None:
        role = db.session.execute(scoped(Role, g.tenant.id).where(Role.id == role_id)).scalar_one_or_none()
    if role is None:
        raise Invalid(N_("This role does not exist in this company."), fields={"role_id": [N_("Unknown role.")]})
    return role


def flash_error(exc: DomainError) -> None:
    errors = errors_of(exc)
    detail = "; ".join(m for k, v in errors.items() if k != "_form" for m in v)
    flash(f"{errors['_form'][0]} {detail}".strip(), "error")


@bp.route("/logins", methods=["GET", "POST"])
@allow(*STAFF)
def logins():
    if request.method == "POST":
        form = request.form
        try:
            with change():
                account = invite(g.tenant, form.get("email", ""), "admin", link_for)
                assign_role(account, chosen_role(form))
            flash(_("Invitation sent to %(email)s: they choose their password from the e-mail's link.",
                    email=account.email))
            return redirect(url_for("client.logins"))
        except DomainError as exc:
            return render_logins(errors_of(exc), form, exc.status)
    return render_logins()


@bp.post("/logins/<int:account_id>/active")
@allow(*STAFF)
def login_active(account_id):
    account = get_scoped(Account, g.tenant.id, account_id)
    me = db.session.execute(select(Account).where(Account.id == current_principal().account_id)).scalar_one()
    action = request.form.get("action")
    try:
        with change():
            if action not in ("activate", "deactivate"):
                raise Invalid(N_("Choose to activate or deactivate."))
            set_active(account, action == "activate", by=me)
        flash(
            _("%(email)s can log in again.", email=account.email)
            if action == "activate"
            else _("%(email)s can no longer log in.", email=account.email)
        )
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("client.logins"))


@bp.post("/logins/<int:account_id>/password")
@allow(*STAFF)
def login_password(account_id):
    account = get_scoped(Account, g.tenant.id, account_id)
    with change():
        send_reset_of(account, link_for)
    flash(_("A link to choose a new password was sent to %(email)s.", email=account.email))
    return redirect(url_for("client.logins"))


@bp.post("/logins/<int:account_id>/role")
@allow(*STAFF)
def login_role(account_id):
    """Limit an administrator login to a custom role, or give it full rights back."""
    account = get_scoped(Account, g.tenant.id, account_id)
    try:
        me = db.session.execute(
            select(Account).where(Account.id == current_principal().account_id)
        ).scalar_one()
        with change():
            role = chosen_role(request.form)
            assign_role(account, role, by=me)
        if role is None:
            flash(_("%(email)s has full rights again.", email=account.email))
        else:
            flash(_("%(email)s now has the role %(role)s.", email=account.email, role=role.name))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("client.logins"))
