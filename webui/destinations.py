"""Where a call goes, in forms and on pages: the choices of one company, the form fields of a destination
(`<prefix>.type`, `<prefix>.id.<kind>`, `<prefix>.value`, `<prefix>.box`) and their words for people."""

from __future__ import annotations

from flask_babel import gettext as _

from centrex.db import db
from centrex.models import RingGroup, Schedule, User
from centrex.routing.targets import service_kinds
from centrex.tenancy import scoped

BY_ID = ("user", "ring_group", "schedule")


def choices(tenant_id: int) -> dict[str, list[tuple[int | str, str]]]:
    """Kind -> [(id or value, label)] of what this company's calls may be sent to."""

    def rows(model, order):
        return db.session.execute(scoped(model, tenant_id).order_by(order)).scalars().all()

    users = rows(User, User.extension)
    out = {
        "user": [(u.id, f"{u.extension} · {u.name}") for u in users],
        "ring_group": [
            (g.id, g.name + (f" ({g.extension})" if g.extension else ""))
            for g in rows(RingGroup, RingGroup.name)
        ],
        "schedule": [(s.id, s.name) for s in rows(Schedule, Schedule.name)],
    }
    for spec in service_kinds():
        if spec.kind == "voicemail":
            continue
        out[spec.kind] = [(r.id, str(getattr(r, spec.label))) for r in rows(spec.model, spec.model.id)]
    out["voicemail"] = [
        (u.extension, _("Voicemail of %(ext)s · %(name)s", ext=u.extension, name=u.name))
        for u in users
        if u.vm_a1_hash
    ]
    return out


def from_form(form, prefix: str) -> dict | None:
    """The destination typed in a form, as the routing services take it (None: none chosen)."""
    kind = form.get(f"{prefix}.type") or None
    if kind is None:
        return None
    if kind == "external":
        return {"type": kind, "value": form.get(f"{prefix}.value", "").strip() or None}
    if kind == "voicemail":
        return {"type": kind, "value": form.get(f"{prefix}.box") or None}
    if kind == "hangup":
        return {"type": kind}
    raw = form.get(f"{prefix}.id.{kind}")
    return {"type": kind, "id": int(raw) if raw and raw.isdigit() else None}


def to_form(prefix: str, kind: str | None, obj_id: int | None, value: str | None) -> dict:
    """Form values showing a stored destination."""
    if kind is None:
        return {}
    out = {f"{prefix}.type": kind}
    if kind == "external":
        out[f"{prefix}.value"] = value
    elif kind == "voicemail":
        out[f"{prefix}.box"] = value
    elif obj_id is not None:
        out[f"{prefix}.id.{kind}"] = obj_id
    return out


def describe(kind: str | None, obj_id: int | None, value: str | None, options: dict, labels: dict) -> str:
    """'Ring group · Ventes (7002)', 'An outside number +4179…', '—'."""
    if kind is None:
        return "—"
    if kind in ("external",):
        return f"{labels.get(kind, kind)} {value}"
    if kind == "hangup":
        return labels.get(kind, kind)
    if kind == "voicemail":
        name = dict(options.get("voicemail", [])).get(value)
        return name or f"{labels.get(kind, kind)} {value or obj_id}"
    name = dict(options.get(kind, [])).get(obj_id)
    return f"{labels.get(kind, kind)} · {name}" if name else f"{labels.get(kind, kind)} #{obj_id}"


def field_errors_under(errors: dict, prefix: str) -> list[str]:
    """Messages for a destination widget: keyed by the prefix itself or anything below it."""
    return [
        m
        for key, messages in errors.items()
        if key == prefix or key.startswith(prefix + ".")
        for m in messages
    ]


# --- menus and queues: destinations stored as <column prefix>dest_type/_id/_value --------------------
# A voicemail destination of a menu or a queue is a shared box (by id), not a user's box (by number).
SERVICE_KINDS = ("user", "ring_group", "ivr", "queue", "voicemail", "conference", "external", "hangup")
MENU_KEY_KINDS = SERVICE_KINDS + ("back", "top")
NO_CHOICE = ("external", "hangup", "back", "top")  # kinds that need no "which one"


def service_choices(tenant_id: int) -> dict[str, list[tuple[int | str, str]]]:
    """Like choices(), for menus and queues: shared voicemail boxes by id, no schedules or fax boxes."""
    from centrex.models import VoicemailBox

    out = {kind: rows for kind, rows in choices(tenant_id).items() if kind in SERVICE_KINDS}
    boxes = db.session.execute(scoped(VoicemailBox, tenant_id).order_by(VoicemailBox.number)).scalars()
    out["voicemail"] = [(b.id, f"{b.number} · {b.name}") for b in boxes]
    return out


def columns_from_form(form, prefix: str, column_prefix: str = "") -> dict:
    """The destination picked in widget `prefix` as the columns of a menu or a queue (None when none)."""
    kind = form.get(f"{prefix}.type") or None
    out = {f"{column_prefix}dest_type": kind, f"{column_prefix}dest_id": None,
           f"{column_prefix}dest_value": None}
    if kind == "external":
        out[f"{column_prefix}dest_value"] = form.get(f"{prefix}.value", "").strip() or None
    elif kind == "voicemail":
        raw = form.get(f"{prefix}.box", "")
        out[f"{column_prefix}dest_id"] = int(raw) if str(raw).isdigit() else None
    elif kind is not None and kind not in NO_CHOICE:
        raw = form.get(f"{prefix}.id.{kind}", "")
        out[f"{column_prefix}dest_id"] = int(raw) if str(raw).isdigit() else None
    return out


def columns_to_form(prefix: str, kind: str | None, obj_id: int | None, value: str | None) -> dict:
    """Form values of the widget `prefix` showing a destination stored as columns."""
    if kind == "voicemail":
        return {f"{prefix}.type": kind, f"{prefix}.box": obj_id}
    return to_form(prefix, kind, obj_id, value)


def describe_columns(kind: str | None, obj_id: int | None, value: str | None, options: dict,
                     labels: dict) -> str:
    """describe() for a destination stored as columns (a shared box is named by its id)."""
    if kind in ("back", "top"):
        return labels.get(kind, kind)
    if kind == "voicemail":
        name = dict(options.get("voicemail", [])).get(obj_id)
        return f"{labels.get(kind, kind)} · {name}" if name else f"{labels.get(kind, kind)} #{obj_id}"
    return describe(kind, obj_id, value, options, labels)


def errors_to_widget(errors: dict, column_prefix: str, prefix: str) -> dict:
    """Put the service's messages on `<column_prefix>dest_*` onto the widget `prefix`."""
    out = {}
    for key, messages in errors.items():
        if key.startswith(f"{column_prefix}dest_"):
            key = prefix
        out.setdefault(key, []).extend(messages)
    return out
