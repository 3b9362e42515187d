"""One-click actions on a schedule from the schedules list: « Fermé maintenant » and back, import the
public holidays of the company's country, copy a schedule."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from centrex.models import Schedule
from centrex.platform.tenancy import get_scoped
from centrex.routing.schedules import set_closed
from webui.access import STAFF, allow
from webui.forms import change
from webui.views.client import bp


@bp.post("/schedules/<int:schedule_id>/closed")
@allow(*STAFF)
def schedule_closed(schedule_id: int):
    """Switch « Fermé maintenant » on (`closed=1`) or off (`closed=0`)."""
    schedule = get_scoped(Schedule, g.tenant.id, schedule_id)
    closed = request.form.get("closed") == "1"
    with change():
        set_closed(schedule, closed)
    if closed:
        flash(_("%(name)s is closed now: every call goes where it sends calls outside its hours, until you "
                "open it again.", name=schedule.name))
    else:
        flash(_("%(name)s is open again: its hours apply.", name=schedule.name))
    return redirect(url_for("client.schedules"))

