"""An administrator deletes a user: the page says first what goes with it, what stays and to whom its
numbers go, or why it cannot be deleted yet; the deletion is one transaction (centrex.directory.removal)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.directory.removal import delete_user, removal_of
from centrex.models import User
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped
from webui.access import STAFF, allow
from webui.forms import change, errors_of, int_or_none
from webui.i18n import translate
from webui.views.client import bp, tenant_rows


@bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
@allow(*STAFF)
def user_delete(user_id):
    user = get_scoped(User, g.tenant.id, user_id)
    errors, status = {}, 200
    if request.method == "POST":
        heir_id = int_or_none(request.form.get("numbers_to"))
        heir = get_scoped(User, g.tenant.id, heir_id) if heir_id else None
        name = user.name
        try:
            with change():
                delete_user(user, numbers_to=heir)
            flash(_("User %(name)s deleted.", name=name))
            return redirect(url_for("client.users"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    colleagues = [u for u in tenant_rows(User, User.extension) if u.id != user.id]
    plan = removal_of(user)
    return render_template("console/client/user_delete.html", user=user, plan=plan, colleagues=colleagues,
                           blockers=[translate(b) for b in plan.blockers], errors=errors), status
