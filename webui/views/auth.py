"""Log in (throttled), log out, choose the console's language; the home page sends each role to its menu."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.audit import Actor, acting_as
from centrex.unit_of_work import unit_of_work
from centrex.services.accounts import authenticate
from centrex.services.console_accounts import record_login
from centrex.services.login_throttle import note_attempt, retry_after
from webui.access import ADMIN, OPERATOR, current_principal, end_session, public, start_session
from webui.console import STATIC, console_blueprint, safe_next
from webui.i18n import LANG_COOKIE, LANGUAGES

bp = console_blueprint("auth", __name__, static_folder=str(STATIC), static_url_path="/console-static")


def home_of(role: str, tenant_id: int | None) -> str:
    if role == OPERATOR:
        return url_for("operator.clients")
    if role == ADMIN:
        return url_for("client.dashboard", tenant_id=tenant_id)
    return url_for("me.profile")


@bp.get("/")
@public
def home():
    principal = current_principal()
    return redirect(home_of(principal.role, principal.tenant_id) if principal else url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    error, status = None, 200
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        ip = request.remote_addr or "?"
        wait = retry_after(email, ip)
        if wait:
            minutes = max(1, round(wait / 60))
            error, status = (
                _("Too many failed attempts. Try again in %(minutes)s minutes.", minutes=minutes),
                429,
            )
        else:
            account = authenticate(email, request.form.get("password", ""))
            with unit_of_work():  # the attempt is kept even when the login fails
                note_attempt(email, ip, succeeded=account is not None)
                if account is not None:
                    with acting_as(Actor(account.email, ip)):
                        record_login(account)
                    start_session(account)
            if account is None:
                error, status = _("Wrong email address or password."), 401
            else:
                target = safe_next(request.args.get("next"))
                return redirect(target or home_of(account.role, account.tenant_id))
    return render_template("console/login.html", error=error, email=email), status


@bp.post("/logout")
@public
def logout():
    with unit_of_work():
        end_session()
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


@bp.post("/lang")
@public
def language():
    lang = request.form.get("lang")
    response = redirect(safe_next(request.form.get("next")) or url_for("auth.home"))
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
