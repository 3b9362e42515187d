"""Where a call goes: `Dest`, the one destination type of the product (engine, services, checks, console
forms), and the `dest-…` addresses through which a call re-enters the dialplan. Pure: no database, no Flask.

A destination is a kind (user, ring_group, schedule, ivr, queue, conference, voicemail, fax, external,
hangup; in menus also back and top; owner kinds below) with the id of a row or a value (a number, a box,
a hangup cause). The kinds with a row are listed once, with their models, in centrex.routing.targets.

A step that must re-enter the dialplan (an IVR digit, a queue's "after maximum wait") addresses its
destination with `dialplan_address`, transferred into the tenant's context; the routing engine resolves
it back with `parse_dialplan_address` (then centrex.routing.addresses.resolve_address) and routes it
like a number pointing to that destination. Any phone of the tenant can dial such an address, so an
outside number is never addressed as itself (that would be free outbound calling): it is addressed
through the object that holds it (`dest-ivr_entry-12`), and only numbers the company configured resolve."""
from __future__ import annotations

import re
from dataclasses import dataclass

ADDRESS_PREFIX = "dest-"
_ADDRESS = re.compile(r"^dest-(?P<type>[a-z_]{2,16})-(?P<ref>[0-9]{1,20})$")
# Objects holding a destination of their own, addressed instead of an outside number.
OWNER_KINDS = ("ivr_entry", "ivr_timeout", "ivr_invalid", "queue_after")


@dataclass(frozen=True, slots=True)
class Dest:
    """A typed destination, as stored on DIDs, ranges, rules, menus, queues: kind + id (a row) or value."""
    kind: str
    id: int | None = None
    value: str | None = None

    def __post_init__(self):
        # An empty value is no value: a form's blank field, or a fallback read back from the channel
        # (where "" and None are written alike) must be the same destination as the one stored.
        if self.value == "":
            object.__setattr__(self, "value", None)

    def __str__(self) -> str:
        return f"{self.kind}:{'' if self.id is None else self.id}:{self.value or ''}"

    @classmethod
    def stored(cls, kind: str | None, obj_id: int | None, value: str | None) -> Dest | None:
        """The destination kept in a row's three columns (type, id, value); None when no type is set."""
        return cls(kind, obj_id, value) if kind else None

    @classmethod
    def from_columns(cls, values: dict, prefix: str = "") -> Dest | None:
        """`{prefix}dest_type/_id/_value` of a dict (a validated form, a menu's or queue's columns)."""
        return cls.stored(values.get(f"{prefix}dest_type"), values.get(f"{prefix}dest_id"),
                          values.get(f"{prefix}dest_value"))


def dialplan_address(dest: Dest) -> str:
    """`dest-queue-12`, `dest-ivr_entry-7`: what `transfer <address> XML <domain>` dials. Letters first,
    so it can never be an extension (digits) or an E.164 number (+digits)."""
    if dest.kind == "external":
        raise ValueError("an outside number is addressed through its owner (owner_destination)")
    if dest.id is None:
        raise ValueError(f"destination {dest} has no id")
    return f"{ADDRESS_PREFIX}{dest.kind}-{int(dest.id)}"


def owner_destination(kind: str, owner_id: int) -> Dest:
    """The destination held by a menu entry, a menu's timeout or wrong-key rule, a queue's overflow."""
    if kind not in OWNER_KINDS:
        raise ValueError(f"unknown owner kind {kind}")
    return Dest(kind, owner_id)


def parse_dialplan_address(text: str) -> Dest | None:
    """The destination a dialled `dest-…` address stands for, or None when it is not one."""
    match = _ADDRESS.match(text or "")
    if not match or match["type"] == "external":
        return None
    return Dest(match["type"], int(match["ref"]))
