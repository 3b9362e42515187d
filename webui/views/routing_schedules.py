"""Schedules ("Plages horaires", time routing) in the client menu: weekly time ranges each sending calls
somewhere, holidays, and where calls go the rest of the time."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.models import Schedule
from centrex.platform.errors import DomainError
from centrex.routing.engine.schedule import DAY_NAMES, hhmm
from centrex.routing.schedules import create_schedule, delete_schedule, update_schedule
from webui import destinations
from webui.access import STAFF, allow
from webui.forms import change, errors_of
from webui.scenario_tree import day_words
from webui.views.client import bp, tenant_rows
from webui.views.editing import add_editor_routes

ROW_KINDS = ("ranges", "exceptions")


def day_labels() -> list[tuple[str, str]]:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return list(zip(DAY_NAMES, names))


def schedule_from_form(form) -> tuple[dict, dict]:
    """The schedule as the service takes it, and form row -> position maps for ranges and exceptions."""
    ranges, range_rows, exceptions, exception_rows = [], [], [], []
    for row in row_numbers(form, "ranges"):
        p = f"ranges.{row}"
        days = ",".join(d for d in DAY_NAMES if f"{p}.day.{d}" in form)
        start, end = form.get(f"{p}.start", "").strip(), form.get(f"{p}.end", "").strip()
        if not (days or start or end or form.get(f"{p}.dest.type")):
            continue
        ranges.append(
            {
                "label": form.get(f"{p}.label", "").strip() or None,
                "days": days,
                "start": start,
                "end": end,
                "dest": destinations.from_form(form, f"{p}.dest"),
            }
        )
        range_rows.append(row)
    for row in row_numbers(form, "exceptions"):
        p = f"exceptions.{row}"
        if not form.get(f"{p}.day", "").strip():
            continue
        exceptions.append(
            {
                "day": form.get(f"{p}.day").strip(),
                "yearly": f"{p}.yearly" in form,
                "label": form.get(f"{p}.label", "").strip() or None,
                "dest": destinations.from_form(form, f"{p}.dest"),
            }
        )
        exception_rows.append(row)
    data = {
        "name": form.get("name", "").strip(),
        "default": destinations.from_form(form, "default"),
        "ranges": ranges,
        "exceptions": exceptions,
    }
    return data, {"ranges": range_rows, "exceptions": exception_rows}


def form_of(schedule: Schedule) -> dict:
    form = {
        "name": schedule.name,
        **destinations.to_form("default", schedule.default_type, schedule.default_id, schedule.default_value),
    }
    for row, item in enumerate(schedule.ranges):
        p = f"ranges.{row}"
        form.update(
            {
                f"{p}.label": item.label,
                f"{p}.start": hhmm(item.start_minute),
                f"{p}.end": hhmm(item.end_minute % 1440) if item.end_minute != 1440 else "24:00",
                **{f"{p}.day.{d}": True for i, d in enumerate(DAY_NAMES) if item.days & (1 << i)},
                **destinations.to_form(f"{p}.dest", item.dest_type, item.dest_id, item.dest_value),
            }
        )
    for row, item in enumerate(schedule.exceptions):
        p = f"exceptions.{row}"
        form.update(
            {
                f"{p}.day": item.day.isoformat(),
                f"{p}.yearly": item.yearly,
                f"{p}.label": item.label,
                **destinations.to_form(f"{p}.dest", item.dest_type, item.dest_id, item.dest_value),
            }
        )
    return form


def errors_on_rows(errors: dict, rows: dict) -> dict:
    out = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] in rows and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows[parts[0]]):
            key = ".".join([parts[0], str(rows[parts[0]][int(parts[1])]), *parts[2:]])
        out[key] = messages
    return out


def row_numbers(form, name: str) -> list[int]:
    """The numbers of the `name` rows the form holds (`ranges.3.start` -> 3), in order: rows may have gaps
    where one was removed, and there is no fixed count."""
    return sorted({int(k.split(".")[1]) for k in form.keys()
                   if k.startswith(name + ".") and k.split(".")[1].isdigit() and len(k.split(".")[1]) < 5})


def rows_in(form, name: str, spare: int) -> list[int]:
    """The rows to draw: those of the form, then `spare` empty ones."""
    used = row_numbers(form, name)
    return used + list(range(max(used + [-1]) + 1, max(used + [-1]) + 1 + spare))


def without_row(form, key: str) -> dict:
    """The form as typed, less row `key` ("ranges.2")."""
    return {k: v for k, v in form.items(multi=False) if not k.startswith(key + ".")}


@bp.get("/schedules")
@allow(*STAFF)
def schedules():
    return render_template(
        "console/routing/schedules.html",
        schedules=tenant_rows(Schedule, Schedule.name),
        options=destinations.choices(g.tenant.id),
        describe=destinations.describe,
        hhmm=hhmm,
        day_words=day_words,
    )


def schedule_page(schedule: Schedule | None):
    form = form_of(schedule) if schedule else {}
    errors, status, spare = {}, 200, {"ranges": 1, "exceptions": 1}
    if request.method == "POST" and request.form.get("edit_rows"):
        # "Add a row" / "Remove" without JavaScript: draw the form again as typed, nothing saved.
        kind, _sep, row = request.form["edit_rows"].partition(".")
        form = dict(request.form.items()) if not row else without_row(request.form, request.form["edit_rows"])
        spare = {k: int(k == kind and not row) for k in ROW_KINDS}
    elif request.method == "POST":
        form, spare = request.form, {k: 0 for k in ROW_KINDS}
        data, rows = schedule_from_form(form)
        try:
            with change():
                if schedule is None:
                    schedule = create_schedule(g.tenant, data)
                else:
                    update_schedule(schedule, data)
            flash(_("Schedule %(name)s saved.", name=schedule.name))
            return redirect(url_for("client.schedules"))
        except DomainError as exc:
            errors, status = errors_on_rows(errors_of(exc), rows), exc.status
    return (
        render_template(
            "console/routing/schedule_form.html",
            schedule=schedule,
            form=form,
            errors=errors,
            options=destinations.choices(g.tenant.id),
            days=day_labels(),
            range_rows=rows_in(form, "ranges", spare["ranges"]),
            exception_rows=rows_in(form, "exceptions", spare["exceptions"]),
        ),
        status,
    )


add_editor_routes(bp, key="schedule", path="/schedules", id_name="schedule_id", model=Schedule,
                  page=schedule_page, remove=delete_schedule, listing="client.schedules",
                  removed=lambda schedule: _("Schedule %(name)s removed.", name=schedule.name))
