"""The call-scenario picture: where a number's calls go, as a tree laid out left to right (a box per
step, an arrow per condition), read from the company's configuration through tenant-scoped queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _

from centrex.models import ForwardRule, Number, RingGroup, Schedule, User
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from centrex.routing.engine.schedule import DAY_NAMES, days_text, hhmm
from centrex.routing.targets import target_kind

BOX_W, BOX_H, COL_GAP, ROW_GAP, MARGIN = 220, 52, 72, 36, 16
MAX_DEPTH = 7


@dataclass
class Node:
    kind: str
    title: str
    detail: str = ""
    children: list[tuple[str, Node]] = field(default_factory=list)
    x: float = 0
    y: float = 0


def day_words(mask: int) -> str:
    """'mon-fri' -> 'Mon–Fri' in the reader's language."""
    names = dict(zip(DAY_NAMES, (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))))
    text = days_text(mask)
    for code, name in names.items():
        text = text.replace(code, name)
    return text.replace("-", "–").replace(",", ", ")


class TreeBuilder:
    """Walks destinations of one tenant; a step already on the path is drawn once and then referred to."""

    def __init__(self, tenant_id: int, labels: dict[str, str]):
        self.tenant_id, self.labels = tenant_id, labels

    def get(self, model, obj_id):
        if obj_id is None:
            return None
        return db.session.execute(
            scoped(model, self.tenant_id).where(model.id == obj_id)
        ).scalar_one_or_none()

    def number(self, number: Number) -> Node:
        root = Node("number", number.e164, number.label or "")
        root.children.append(("", self.dest(number.dest_type, number.dest_id, number.dest_value, 1, ())))
        return root

    def dest(self, kind, obj_id, value, depth, path) -> Node:
        if kind is None:
            return Node("hangup", _("Not routed"), _("the call is refused"))
        if (kind, obj_id) in path and obj_id is not None:
            return Node(kind, "↻ " + self.name_of(kind, obj_id), _("already shown above"))
        if depth > MAX_DEPTH:
            return Node(kind, "…", _("and so on"))
        path = path + ((kind, obj_id),)
        if kind == "user":
            return self.user(self.get(User, obj_id), depth, path)
        if kind == "ring_group":
            return self.group(self.get(RingGroup, obj_id), depth, path)
        if kind == "schedule":
            return self.schedule(self.get(Schedule, obj_id), depth, path)
        if kind == "external":
            return Node("external", value or "?", self.labels["external"])
        if kind == "voicemail":
            return Node("voicemail", self.labels["voicemail"], _("box %(box)s", box=value or obj_id))
        if kind == "hangup":
            return Node("hangup", self.labels["hangup"], value or "")
        if kind == "access":
            return Node("access", self.labels["access"], _("PIN, then the number to call"))
        spec = target_kind(kind)
        row = self.get(spec.model, obj_id) if spec else None
        name = str(getattr(row, spec.label)) if row is not None else f"#{obj_id}"
        return Node(kind, self.labels.get(kind, kind), name)

    def name_of(self, kind, obj_id) -> str:
        spec = target_kind(kind)
        row = self.get(spec.model, obj_id) if spec else None
        return getattr(row, "name", f"#{obj_id}") if row else f"#{obj_id}"

    def user(self, user: User | None, depth, path) -> Node:
        if user is None:
            return Node("hangup", _("Unknown user"), _("the call is refused"))
        rules = (
            db.session.execute(
                scoped(ForwardRule, self.tenant_id)
                .where(ForwardRule.user_id == user.id, ForwardRule.enabled.is_(True))
                .order_by(ForwardRule.id)
            )
            .scalars()
            .all()
        )
        always = next((r for r in rules if r.kind == "always" and r.schedule_id is None), None)
        seconds = next(
            (r.ring_seconds for r in rules if r.kind == "no_answer" and r.ring_seconds),
            current_app.config.get("USER_RING_SECONDS", 30),
        )
        if always:
            detail = _("forwards every call")
        elif user.twin_enabled and user.mobile:
            detail = _("rings %(s)s s, and the mobile %(number)s after %(delay)s s",
                       s=seconds, number=user.mobile, delay=user.twin_delay)
        else:
            detail = _("rings %(s)s s", s=seconds)
        node = Node("user", f"{user.extension} · {user.name}", detail)
        words = {
            "always": _("always"),
            "busy": _("busy"),
            "no_answer": _("no answer"),
            "offline": _("offline"),
        }
        for rule in rules:
            label = words[rule.kind]
            if rule.schedule_id:
                label += f" ({self.name_of('schedule', rule.schedule_id)})"
            node.children.append(
                (label, self.dest(rule.dest_type, rule.dest_id, rule.dest_value, depth + 1, path))
            )
        if always is None and user.vm_a1_hash and not any(r.kind == "no_answer" for r in rules):
            node.children.append(
                (
                    words["no_answer"],
                    Node("voicemail", self.labels["voicemail"], _("box %(box)s", box=user.extension)),
                )
            )
        return node

    def group(self, group: RingGroup | None, depth, path) -> Node:
        if group is None:
            return Node("hangup", _("Unknown group"), _("the call is refused"))
        names = []
        for member in group.members:
            user = self.get(User, member.user_id) if member.user_id else None
            names.append(user.extension if user else (member.external_number or "?"))
        mode = {
            "simultaneous": _("all at once"),
            "sequential": _("one after the other"),
            "round_robin": _("in turn"),
        }.get(group.strategy, group.strategy)
        shown = ", ".join(names[:4]) + (" …" if len(names) > 4 else "")
        node = Node("ring_group", group.name, f"{mode}, {group.ring_seconds} s: {shown}")
        node.children.append(
            (
                _("no answer"),
                self.dest(group.no_answer_type, group.no_answer_id, group.no_answer_value, depth + 1, path),
            )
        )
        return node

    def schedule(self, schedule: Schedule | None, depth, path) -> Node:
        if schedule is None:
            return Node("hangup", _("Unknown schedule"), _("the call is refused"))
        default = (schedule.default_type, schedule.default_id, schedule.default_value)
        if schedule.closed_since is not None:  # « Fermé maintenant »: one way out, whatever the time
            node = Node("schedule", schedule.name, _("closed until opened again"))
            node.children.append((_("closed now"), self.dest(*default, depth + 1, path)))
            return node
        node = Node("schedule", schedule.name, _("depends on the day and time"))
        for item in schedule.ranges:
            end = "24:00" if item.end_minute == 1440 else hhmm(item.end_minute)
            label = f"{day_words(item.days)} {hhmm(item.start_minute)}–{end}"
            node.children.append(
                (label, self.dest(item.dest_type, item.dest_id, item.dest_value, depth + 1, path))
            )
        for item in schedule.exceptions:
            if item.dest_type:
                label = item.label or item.day.strftime("%d.%m.")
                node.children.append(
                    (label, self.dest(item.dest_type, item.dest_id, item.dest_value, depth + 1, path))
                )
        node.children.append((_("otherwise"), self.dest(*default, depth + 1, path)))
        return node


def layout(root: Node) -> tuple[list[Node], list[tuple[Node, Node, str]], int, int]:
    """Place every box (leaves one under the other, parents centred on their children)."""
    nodes, edges, next_row = [], [], [0]

    def place(node: Node, depth: int) -> float:
        nodes.append(node)
        node.x = MARGIN + depth * (BOX_W + COL_GAP)
        if not node.children:
            row = next_row[0]
            next_row[0] += 1
        else:
            rows = [place(child, depth + 1) for _label, child in node.children]
            row = (rows[0] + rows[-1]) / 2
            edges.extend((node, child, label) for label, child in node.children)
        node.y = MARGIN + 14 + row * (BOX_H + ROW_GAP)
        return row

    place(root, 0)
    width = int(max(n.x for n in nodes) + BOX_W + MARGIN)
    height = int(max(n.y for n in nodes) + BOX_H + MARGIN)
    return nodes, edges, width, height


def scenario_of(number: Number, labels: dict[str, str]):
    return layout(TreeBuilder(number.tenant_id, labels).number(number))


def numbers_of(tenant_id: int) -> list[Number]:
    return (
        db.session.execute(scoped(Number, tenant_id).order_by(Number.is_main.desc(), Number.e164))
        .scalars()
        .all()
    )
