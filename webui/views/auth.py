"""Log in (throttled), log out, choose the console's language; the home page sends each role to its menu."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from centrex.access.accounts import authenticate
from centrex.access.login_throttle import note_attempt, retry_after
from centrex.access.logins import record_login
from centrex.models import Account, Tenant
from centrex.platform import metrics
from centrex.platform.audit import Actor
from centrex.platform.db import db
from centrex.platform.unit_of_work import unit_of_work
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
            metrics.LOGINS_REFUSED.labels("throttled").inc()
            minutes = max(1, round(wait / 60))
            error, status = (
                _("Too many failed attempts. Try again in %(minutes)s minutes.", minutes=minutes),
                429,
            )
        else:
            opened = authenticate(email, request.form.get("password", ""))
            with unit_of_work():  # the attempt is kept even when the login fails
                note_attempt(email, ip, succeeded=bool(opened))
            if not opened:
                metrics.LOGINS_REFUSED.labels("bad_credentials").inc()
                error, status = _("Wrong email address or password."), 401
            elif len(opened) == 1:
                return _signed_in(opened[0], ip)
            else:
                return _company_choice(opened, email)
    return render_template("console/login.html", error=error, email=email), status


CHOICE_SALT = "console-login-choice"
CHOICE_SECONDS = 300  # the company choice must follow the password within five minutes


def _signed_in(account: Account, ip: str):
    with unit_of_work(Actor(account.email, ip)):
        record_login(account)
        start_session(account)
    target = safe_next(request.args.get("next"))
    return redirect(target or home_of(account.role, account.tenant_id))


def _choice_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=CHOICE_SALT)


def _company_choice(accounts: list[Account], email: str, status: int = 200):
    """One password opened logins at several companies: the person says which one. The form carries the
    logins it opened, signed and good for five minutes (never the password)."""
    names = dict(db.session.execute(select(Tenant.id, Tenant.name).where(
        Tenant.id.in_([a.tenant_id for a in accounts if a.tenant_id is not None]))).all())
    choices = sorted(((a.id, names.get(a.tenant_id) or _("Operator")) for a in accounts), key=lambda c: c[1])
    token = _choice_signer().dumps([a.id for a in accounts])
    return render_template("console/login_choice.html", choices=choices, token=token, email=email,
                           next=request.args.get("next")), status


@bp.post("/login/company")
@public
def login_company():
    """The second step of a login whose password opened several companies' logins."""
    try:
        allowed = _choice_signer().loads(request.form.get("token", ""), max_age=CHOICE_SECONDS)
    except BadData:
        flash(_("The choice took too long. Log in again."))
        return redirect(url_for("auth.login"))
    try:
        chosen = int(request.form.get("account", ""))
    except ValueError:
        chosen = None
    account = db.session.get(Account, chosen) if chosen in allowed else None
    if account is None or not account.active:
        accounts = [a for a in db.session.execute(
            select(Account).where(Account.id.in_(allowed), Account.active.is_(True))).scalars()]
        if not accounts:
            return redirect(url_for("auth.login"))
        return _company_choice(accounts, accounts[0].email, 400)
    return _signed_in(account, request.remote_addr or "?")


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
