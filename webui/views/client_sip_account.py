"""A user's SIP account for the administrator: the secret shown as it is (audited, not reset) or replaced, and the
welcome e-mail with the account and its QR code queued for the user."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from centrex.directory.sip_accounts import send_welcome, shown_secret, sip_account
from centrex.directory.users import regenerate_secret
from centrex.models import User
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped
from webui.access import STAFF, allow
from webui.forms import change, errors_of
from webui.views.client import bp


def secret_page(user_id: int, *, replaced: bool):
    """The SIP secret on this page only (never in a cookie, a redirect or a log): a new one, or the
    current one unchanged; audited either way."""
    user = get_scoped(User, g.tenant.id, user_id)
    with change():
        secret = regenerate_secret(user) if replaced else shown_secret(user)
    return render_template("console/client/user_secret.html", user=user, secret=secret,
                           account=sip_account(user), replaced=replaced)


@bp.post("/users/<int:user_id>/secret")
@allow(*STAFF)
def user_secret(user_id):
    return secret_page(user_id, replaced=True)


@bp.post("/users/<int:user_id>/secret/show")
@allow(*STAFF)
def user_secret_show(user_id):
    return secret_page(user_id, replaced=False)


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
