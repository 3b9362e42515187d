"""What every console blueprint shares: CSRF on every form, error pages, security headers, and the
values every page template reads (who is logged in, which client, its white label)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _, refresh
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge

from centrex.platform.errors import DomainError
from centrex.tenants.branding import branding_of
from centrex.tenants.licences import features_of
from webui.access import NotLoggedIn, current_principal
from webui.destinations import field_errors_under
from webui.i18n import LANGUAGES, destination_labels, translate

csrf = CSRFProtect()

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


TEMPLATES = Path(__file__).resolve().parent / "templates"  # pages live under templates/console/
STATIC = Path(__file__).resolve().parent / "static"


def console_blueprint(name: str, import_name: str, url_prefix: str | None = None, **kw) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=url_prefix, template_folder=str(TEMPLATES), **kw)
    bp.before_request(_fresh_request_state)
    bp.before_request(_check_csrf)
    bp.after_request(_headers)
    bp.context_processor(_page_values)
    bp.register_error_handler(NotLoggedIn, _to_login)
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(CSRFError, _csrf_error)
    bp.register_error_handler(RequestEntityTooLarge, _too_large)
    bp.url_defaults(_tenant_in_urls)
    return bp


REQUEST_STATE = ("principal", "tenant", "csrf_token")


def _fresh_request_state():
    """Nothing about the previous request survives in `g` (an app context may outlive a request, e.g.
    a test client or a CLI command running requests inside one app context)."""
    for name in REQUEST_STATE:
        g.pop(name, None)
    refresh()  # Flask-Babel's cached locale


def _check_csrf():
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def _headers(response):
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def _tenant_in_urls(endpoint, values):
    """url_for('client.users') inside a client's pages keeps the client."""
    tenant = g.get("tenant")
    if tenant is not None and "tenant_id" not in values and endpoint.startswith("client."):
        values["tenant_id"] = tenant.id


def _page_values():
    tenant = g.get("tenant")
    return {
        "principal": current_principal(),
        "tenant": tenant,
        "languages": LANGUAGES,
        "current_lang": str(get_locale() or "fr"),
        "destination_labels": destination_labels(),
        "destination_errors": field_errors_under,
        "branding": branding_of(tenant.id) if tenant is not None else None,
        "licensed": features_of(tenant.id) if tenant is not None else frozenset(),
    }


def _to_login(_exc):
    return redirect(
        url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    )


def _domain_error(exc: DomainError):
    return (
        render_template("console/error.html", status=exc.status, message=translate(exc.text)),
        exc.status,
    )


def _csrf_error(_exc):
    message = _("This form has expired or did not come from this site. Reload the page and try again.")
    return render_template("console/error.html", status=400, message=message), 400


def _too_large(_exc):
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    message = _("This is too large to send: %(mb)s MB at most, files included.", mb=limit)
    return render_template("console/error.html", status=413, message=message), 413


def safe_next(target: str | None) -> str | None:
    """Only a path of this site (never //host or a scheme) may be a redirect target."""
    if not target:
        return None
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target
