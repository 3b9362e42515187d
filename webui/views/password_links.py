"""Passwords set from an e-mailed link: « Mot de passe oublié ? » on the login page (the same answer
whether the address has a login or not) and the page the invitation and reset links open."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.access.password_links import accounts_of, send_reset, set_password_by_link
from centrex.platform.audit import Actor
from centrex.platform.errors import DomainError
from centrex.platform.unit_of_work import unit_of_work
from webui.access import public
from webui.forms import errors_of
from webui.views.auth import bp


def link_for(token: str) -> str:
    return url_for("auth.password_set", token=token, _external=True)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def password_forgot():
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        with unit_of_work(Actor(email or "?", request.remote_addr or "?")):
            send_reset(email, link_for)
        flash(_("If %(email)s has a console login, a link to choose a new password is on its way. "
                "It is good for one hour.", email=email))
        return redirect(url_for("auth.login"))
    return render_template("console/password_forgot.html", email=email)


@bp.route("/password/<token>", methods=["GET", "POST"])
@public
def password_set(token):
    errors, status = {}, 200
    try:
        kind, accounts = accounts_of(token)
    except DomainError as exc:
        return render_template("console/password_set.html", dead=errors_of(exc)["_form"][0]), 410
    if request.method == "POST":
        try:
            with unit_of_work(Actor(accounts[0].email, request.remote_addr or "?")):
                set_password_by_link(token, request.form.get("new_password", ""),
                                     request.form.get("confirm_password", ""))
            flash(_("Your password is set. Log in with it."))
            return redirect(url_for("auth.login"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    return render_template("console/password_set.html", kind=kind, email=accounts[0].email,
                           count=len(accounts), errors=errors), status
