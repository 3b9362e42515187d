"""The kinds of destination that stand for a row of the company (a user, a ring group, a schedule, an IVR
menu, a queue, a conference room, a shared voicemail box, a fax box), declared once: which model, which
columns name it for FreeSWITCH, for people and as a short number, and which licence feature it needs.

Everything that checks, lists, loads or names such a destination reads this table (the routing loader,
the destination checks, the number pool, the console's choices). The other kinds carry a value, not a
row: external (a number), hangup (a cause), voicemail by box number (a user's box), back/top in menus."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from centrex.models import CallQueue, ConferenceRoom, FaxBox, IvrMenu, RingGroup, Schedule, User, VoicemailBox


@dataclass(frozen=True)
class TargetKind:
    kind: str
    model: Any  # a mapped class (its .id, .tenant_id and the named columns)
    label: str                    # column with its name for people
    number: str | None = None     # column with the internal short number people dial, if any
    key: str | None = None        # column whose value names it in FreeSWITCH (None: the id)
    feature: str | None = None    # licence feature without which no call reaches it
    service: bool = True          # an application the engine hands the call to (a ServiceTarget)

    def column(self, name: str | None):
        """The model's column called `name` (None: none)."""
        return getattr(self.model, name) if name else None


TARGET_KINDS: dict[str, TargetKind] = {spec.kind: spec for spec in (
    TargetKind("user", User, "name", number="extension", service=False),
    TargetKind("ring_group", RingGroup, "name", number="extension", service=False),
    TargetKind("schedule", Schedule, "name", service=False),
    TargetKind("ivr", IvrMenu, "name", number="extension", feature="ivr"),
    TargetKind("queue", CallQueue, "name", number="extension", feature="queues"),
    TargetKind("conference", ConferenceRoom, "name", number="number", key="number", feature="conferences"),
    TargetKind("voicemail", VoicemailBox, "name", number="number", key="number"),
    TargetKind("fax", FaxBox, "name", feature="fax"),
)}


def target_kind(kind: str | None) -> TargetKind | None:
    """The table's entry for a destination kind, or None when that kind carries no row."""
    return TARGET_KINDS.get(kind) if kind else None


def service_kinds() -> tuple[TargetKind, ...]:
    """The services the engine hands calls to (IVR, queue, conference, shared box, fax), in table order."""
    return tuple(spec for spec in TARGET_KINDS.values() if spec.service)
