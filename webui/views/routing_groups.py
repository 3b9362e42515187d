"""Ring groups ("Groupes d'appels") in the client menu: several phones rung together or in turn, and
where the call goes when nobody answers (a cascade)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.models import RingGroup
from centrex.platform.errors import DomainError
from centrex.routing.groups import create_ring_group, delete_ring_group, update_ring_group
from webui import destinations
from webui.access import STAFF, allow
from webui.forms import change, errors_of, int_or_none
from webui.numbers import readable_number
from webui.views.client import bp, tenant_rows
from webui.views.editing import add_editor_routes

SPARE_ROWS = 3
MAX_ROWS = 50


def strategies() -> list[tuple[str, str]]:
    return [
        ("simultaneous", _("All at once")),
        ("sequential", _("One after the other")),
        ("round_robin", _("In turn (round robin)")),
    ]


def members_from_form(form) -> tuple[list[dict], list[int]]:
    """Filled member rows in order, and the form row of each (to put errors back on the right row)."""
    members, rows = [], []
    for row in range(MAX_ROWS):
        who = form.get(f"members.{row}.who", "")
        external = form.get(f"members.{row}.external", "").strip()
        if not who and not external:
            continue
        member = {"ring_seconds": int_or_none(form.get(f"members.{row}.ring_seconds"))}
        if who.startswith("user:"):
            member["user_id"] = int_or_none(who[5:])
        else:
            member["external"] = external or None
        members.append(member)
        rows.append(row)
    return members, rows


def group_from_form(form) -> tuple[dict, list[int]]:
    members, rows = members_from_form(form)
    data = {
        "name": form.get("name", "").strip(),
        "extension": form.get("extension", "").strip() or None,
        "strategy": form.get("strategy", "simultaneous"),
        "ring_seconds": form.get("ring_seconds", "").strip() or "30",
        "no_answer": destinations.from_form(form, "no_answer"),
        "members": members,
    }
    return data, rows


def form_of(group: RingGroup) -> dict:
    form = {
        "name": group.name,
        "extension": group.extension,
        "strategy": group.strategy,
        "ring_seconds": group.ring_seconds,
        **destinations.to_form("no_answer", group.no_answer_type, group.no_answer_id, group.no_answer_value),
    }
    for row, member in enumerate(group.members):
        form[f"members.{row}.who"] = f"user:{member.user_id}" if member.user_id else "external"
        form[f"members.{row}.external"] = readable_number(member.external_number)
        form[f"members.{row}.ring_seconds"] = member.ring_seconds
    return form


def errors_on_rows(errors: dict, rows: list[int]) -> dict:
    """The service names members by position among the filled rows; the form by row."""
    out = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "members" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
            key = ".".join(["members", str(rows[int(parts[1])]), *parts[2:]])
        out[key] = messages
    return out


@bp.get("/groups")
@allow(*STAFF)
def groups():
    options = destinations.choices(g.tenant.id)
    return render_template(
        "console/routing/groups.html",
        groups=tenant_rows(RingGroup, RingGroup.name),
        options=options,
        strategies=dict(strategies()),
        describe=destinations.describe,
    )


def group_page(group: RingGroup | None):
    form = form_of(group) if group else {"strategy": "simultaneous", "ring_seconds": 30}
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        data, rows = group_from_form(form)
        try:
            with change():
                if group is None:
                    group = create_ring_group(g.tenant, data)
                else:
                    update_ring_group(group, data)
            flash(_("Ring group %(name)s saved.", name=group.name))
            return redirect(url_for("client.groups"))
        except DomainError as exc:
            errors, status = errors_on_rows(errors_of(exc), rows), exc.status
    filled = max([int(k.split(".")[1]) for k in form.keys() if k.startswith("members.")] + [-1]) + 1
    return (
        render_template(
            "console/routing/group_form.html",
            group=group,
            form=form,
            errors=errors,
            strategies=strategies(),
            options=destinations.choices(g.tenant.id),
            rows=range(min(MAX_ROWS, filled + SPARE_ROWS)),
        ),
        status,
    )


add_editor_routes(bp, key="group", path="/groups", id_name="group_id", model=RingGroup, page=group_page,
                  remove=delete_ring_group, listing="client.groups",
                  removed=lambda group: _("Ring group %(name)s removed.", name=group.name))
