"""Where a call goes, in forms and on pages: the choices of one company, the form fields of a destination
(`<prefix>.type`, `<prefix>.id.<kind>`, `<prefix>.value`, `<prefix>.box`) and their words for people."""

from __future__ import annotations

from flask_babel import gettext as _

from centrex.models import RingGroup, Schedule, User
from centrex.models.ivr import FINAL_DESTINATION_TYPES, IVR_DESTINATION_TYPES
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from centrex.routing.engine.destinations import Dest
from centrex.routing.targets import service_kinds
from webui.numbers import readable_number


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


def read(form, prefix: str, *, box_by_id: bool = False) -> Dest | None:
    """The destination picked in widget `prefix` (None: none chosen). A voicemail box is a user's, by its
    number, or (`box_by_id`: menus and queues) a shared box, by its id."""
    kind = form.get(f"{prefix}.type") or None
    if kind is None:
        return None
    if kind == "external":
        return Dest(kind, value=form.get(f"{prefix}.value", "").strip())
    if kind == "voicemail":
        box = form.get(f"{prefix}.box")
        return Dest(kind, _number(box)) if box_by_id else Dest(kind, value=box)
    if kind in NO_CHOICE:
        return Dest(kind)
    return Dest(kind, _number(form.get(f"{prefix}.id.{kind}")))


def _number(raw) -> int | None:
    return int(raw) if raw and str(raw).isdigit() else None


def fields(prefix: str, dest: Dest | None, *, box_by_id: bool = False) -> dict:
    """Form values of the widget `prefix` showing `dest` (see read)."""
    if dest is None:
        return {}
    out = {f"{prefix}.type": dest.kind}
    if dest.kind == "external":
        out[f"{prefix}.value"] = readable_number(dest.value)
    elif dest.kind == "voicemail":
        out[f"{prefix}.box"] = dest.id if box_by_id else dest.value
    elif dest.id is not None:
        out[f"{prefix}.id.{dest.kind}"] = dest.id
    return out


def from_form(form, prefix: str) -> dict | None:
    """The destination typed in a form, as the routing services take it ({type, id, value}; None: none)."""
    dest = read(form, prefix)
    if dest is None:
        return None
    if dest.kind in ("external", "voicemail"):
        return {"type": dest.kind, "value": dest.value}
    if dest.kind == "hangup":
        return {"type": dest.kind}
    return {"type": dest.kind, "id": dest.id}


def to_form(prefix: str, kind: str | None, obj_id: int | None, value: str | None) -> dict:
    """Form values showing a destination stored as (type, id, value)."""
    return fields(prefix, Dest.stored(kind, obj_id, value))


def describe(kind: str | None, obj_id: int | None, value: str | None, options: dict, labels: dict) -> str:
    """A stored destination in words: 'Ring group · Ventes (7002)', 'An outside number +4179…', '—'.
    A voicemail box is a user's by its number (value) or a shared one by its id."""
    if kind is None:
        return "—"
    label = labels.get(kind, kind)
    if kind == "external":
        return f"{label} {readable_number(value)}"
    if kind in ("hangup", "back", "top"):
        return label
    if kind == "voicemail" and obj_id is None:
        return dict(options.get("voicemail", [])).get(value) or f"{label} {value}"
    name = dict(options.get(kind, [])).get(obj_id)
    return f"{label} · {name}" if name else f"{label} #{obj_id}"


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
SERVICE_KINDS = FINAL_DESTINATION_TYPES
MENU_KEY_KINDS = IVR_DESTINATION_TYPES
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
    dest = read(form, prefix, box_by_id=True)
    return {f"{column_prefix}dest_type": dest.kind if dest else None,
            f"{column_prefix}dest_id": dest.id if dest else None,
            f"{column_prefix}dest_value": dest.value if dest else None}


def columns_to_form(prefix: str, kind: str | None, obj_id: int | None, value: str | None) -> dict:
    """Form values of the widget `prefix` showing a destination stored as columns."""
    return fields(prefix, Dest.stored(kind, obj_id, value), box_by_id=True)


def errors_to_widget(errors: dict, column_prefix: str, prefix: str) -> dict:
    """Put the service's messages on `<column_prefix>dest_*` onto the widget `prefix`."""
    out = {}
    for key, messages in errors.items():
        if key.startswith(f"{column_prefix}dest_"):
            key = prefix
        out.setdefault(key, []).extend(messages)
    return out
