"""One-click actions on a schedule from the schedules list: « Fermé maintenant » and back, import the
public holidays of the company's country, copy a schedule."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.models import Schedule
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped
from centrex.routing.public_holidays import import_public_holidays, subdivisions
from centrex.routing.schedules import copy_schedule, free_name, set_closed
from webui.access import STAFF, allow
from webui.forms import change, errors_of
from webui.views.client import bp
from webui.views.editing import first_reason


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


@bp.route("/schedules/<int:schedule_id>/holidays", methods=["GET", "POST"])
@allow(*STAFF)
def schedule_holidays(schedule_id: int):
    """Import the public holidays of the company's country (and region) for a year."""
    schedule = get_scoped(Schedule, g.tenant.id, schedule_id)
    this_year = date.today().year
    form, errors, status = {"year": str(this_year + 1)}, {}, 200
    if request.method == "POST":
        form = request.form
        try:
            year = int(form.get("year", ""))
        except ValueError:
            year = 0
        try:
            with change():
                added = import_public_holidays(schedule, year, form.get("subdivision") or None)
            flash(holidays_added(schedule.name, added))
            return redirect(url_for("client.schedules"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    return render_template("console/routing/schedule_holidays.html", schedule=schedule, form=form, errors=errors,
                           years=[(str(y), str(y)) for y in range(this_year - 1, this_year + 4)],
                           regions=subdivisions(g.tenant.country), country=g.tenant.country), status


@bp.post("/schedules/<int:schedule_id>/copy")
@allow(*STAFF)
def schedule_copy(schedule_id: int):
    """« Dupliquer »: the copy is saved at once under a free name, then opened to be renamed."""
    schedule = get_scoped(Schedule, g.tenant.id, schedule_id)
    try:
        with change():
            copy = copy_schedule(schedule, free_name(g.tenant.id, _("%(name)s (copy)", name=schedule.name[:100])))
    except DomainError as exc:
        flash(first_reason(errors_of(exc)), "error")
        return redirect(url_for("client.schedules"))
    flash(_("%(name)s copied as %(copy)s: give it its own name.", name=schedule.name, copy=copy.name))
    return redirect(url_for("client.schedule_edit", schedule_id=copy.id))


def holidays_added(name: str, added: list) -> str:
    """« 5 jours fériés ajoutés à … » and which."""
    if not added:
        return _("No public holiday added to %(name)s: it lists them all already.", name=name)
    said = (_("1 public holiday added to %(name)s:", name=name) if len(added) == 1
            else _("%(num)s public holidays added to %(name)s:", num=len(added), name=name))
    return f"{said} " + ", ".join(f"{e.day.strftime('%d.%m.%Y')} {e.label}" for e in added) + "."
