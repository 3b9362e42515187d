"""A user's SIP account for the administrator: the secret shown as it is (audited, not reset), and the
welcome e-mail with the account and its QR code queued for the user."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from centrex.directory.sip_accounts import send_welcome, shown_secret, sip_account
from centrex.models import User
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped
from webui.access import STAFF, allow
from webui.forms import change, errors_of
from webui.views.client import bp


@bp.post("/users/<int:user_id>/secret/show")
@allow(*STAFF)
def user_secret_show(user_id):
    """The current SIP secret on this page only (never in a cookie, a redirect or a log)."""
    user = get_scoped(User, g.tenant.id, user_id)
    with change():
        secret = shown_secret(user)
    return render_template("console/client/user_secret.html", user=user, secret=secret,
                           account=sip_account(user), replaced=False)


@bp.post("/users/<int:user_id>/welcome")
@allow(*STAFF)
def user_welcome(user_id):
    user = get_scoped(User, g.tenant.id, user_id)
    try:
        with change():
            send_welcome(user)
        flash(_("Welcome e-mail sent to %(email)s.", email=user.email))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return redirect(url_for("client.user_edit", user_id=user.id))
