"""Call queues ("Files d'attente") in the client menu: callers wait with music until an agent (a user of
the company) is free; the strategy says who rings first. Every save is applied live to FreeSWITCH by the
queue service (mod_callcenter commands sent after the commit)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.features.queues import agents_of, create_queue, delete_queue, set_agents, update_queue
from centrex.models import CallQueue, MohClass, User
from centrex.platform.errors import DomainError
from webui import destinations
from webui.access import STAFF, allow
from webui.forms import change, errors_of, int_or_none
from webui.views.client import bp, tenant_rows
from webui.views.editing import add_editor_routes
from webui.views.presence import colleagues

SPARE_ROWS = 2
MAX_AGENTS = 50
QUEUE_FIELDS = ("name", "extension", "strategy", "moh_class_id", "max_wait_seconds")


def strategies() -> list[tuple[str, str]]:
    """The strategies mod_callcenter knows, as the queue service accepts them."""
    return [
        ("top-down", _("In order, from the top of the list")),
        ("ring-all", _("All agents at once")),
        ("longest-idle-agent", _("The agent idle for the longest time")),
        ("round-robin", _("In turn (round robin)")),
    ]


def agent_rows(form) -> list[int | None]:
    """The agent chosen on each row of the form, in order (None: an empty row)."""
    rows = []
    for row in range(MAX_AGENTS):
        if f"agents.{row}" not in form:
            break
        rows.append(int_or_none(form.get(f"agents.{row}")))
    return rows


def moved(rows: list, move: str) -> list:
    """Rows after a "move up/down" button (`<row>:up` or `<row>:down`); unchanged when it makes no sense."""
    where, _sep, direction = move.partition(":")
    row = int_or_none(where)
    other = None if row is None else row - 1 if direction == "up" else row + 1
    if row is None or other is None or not (0 <= row < len(rows) and 0 <= other < len(rows)):
        return rows
    rows = list(rows)
    rows[row], rows[other] = rows[other], rows[row]
    return rows


def queue_from_form(form) -> dict:
    return {
        "name": form.get("name", "").strip(),
        "extension": form.get("extension", "").strip() or None,
        "strategy": form.get("strategy", ""),
        "moh_class_id": int_or_none(form.get("moh_class_id")),
        "max_wait_seconds": form.get("max_wait_seconds", "").strip() or "0",
        **destinations.columns_from_form(form, "after", "after_"),
    }


def form_of(queue: CallQueue) -> dict:
    form = {key: getattr(queue, key) for key in QUEUE_FIELDS}
    form.update(destinations.columns_to_form("after", queue.after_dest_type, queue.after_dest_id,
                                             queue.after_dest_value))
    for row, agent in enumerate(agents_of(queue)):
        form[f"agents.{row}"] = agent.user_id
    return form


def queue_errors(exc: DomainError) -> dict:
    errors = destinations.errors_to_widget(errors_of(exc), "after_", "after")
    if "user_ids" in errors:
        errors["agents"] = errors.pop("user_ids")
    return errors


def form_with_rows(form, rows: list[int | None]) -> dict:
    out = {k: v for k, v in form.items() if not k.startswith("agents.")}
    out.update({f"agents.{row}": user_id for row, user_id in enumerate(rows)})
    return out


@bp.get("/queues")
@allow(*STAFF)
def queues():
    presence = {user.id: state for user, state in colleagues(g.tenant.id)}
    rows = []
    for queue in tenant_rows(CallQueue, CallQueue.name):
        agents = agents_of(queue)
        free = sum(1 for a in agents if presence.get(a.user_id) == "online")
        rows.append((queue, agents, free))
    return render_template(
        "console/routing/queues.html",
        rows=rows,
        presence=presence,
        strategies=dict(strategies()),
        music={m.id: m.name for m in tenant_rows(MohClass, MohClass.name)},
        options=destinations.service_choices(g.tenant.id),
        describe=destinations.describe,
    )


def queue_page(queue: CallQueue | None):
    form = form_of(queue) if queue else {"strategy": "longest-idle-agent", "max_wait_seconds": 0}
    errors, status, existing = {}, 200, queue
    if request.method == "POST":
        form = request.form
        rows = agent_rows(form)
        if form.get("move"):  # reordering only: show the form again, nothing saved
            form = form_with_rows(form, moved(rows, form["move"]))
        else:
            try:
                with change():
                    data = queue_from_form(form)
                    if queue is None:
                        queue = create_queue(g.tenant, data)
                    else:
                        update_queue(g.tenant, queue, data)
                    wanted = [user_id for user_id in rows if user_id is not None]
                    if wanted != [a.user_id for a in agents_of(queue)]:
                        set_agents(g.tenant, queue, wanted)
                flash(_("Queue %(name)s saved.", name=queue.name))
                return redirect(url_for("client.queues"))
            except DomainError as exc:
                errors, status, queue = queue_errors(exc), exc.status, existing  # as in the database
    filled = len([k for k in form if k.startswith("agents.")])
    users = tenant_rows(User, User.extension)
    return (
        render_template(
            "console/routing/queue_form.html",
            queue=queue,
            form=form,
            errors=errors,
            strategies=strategies(),
            music=[(m.id, m.name + (" ★" if m.is_default else "")) for m in tenant_rows(MohClass, MohClass.name)],
            users=[(u.id, f"{u.extension} · {u.name}") for u in users],
            options=destinations.service_choices(g.tenant.id),
            kinds=destinations.SERVICE_KINDS,
            rows=range(min(MAX_AGENTS, filled + SPARE_ROWS)),
        ),
        status,
    )


add_editor_routes(bp, key="queue", path="/queues", id_name="queue_id", model=CallQueue, page=queue_page,
                  remove=lambda queue: delete_queue(g.tenant, queue), listing="client.queues",
                  removed=lambda queue: _("Queue %(name)s removed.", name=queue.name))
