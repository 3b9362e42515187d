"""Typed destinations of the services (menus, queues, rooms, boxes) and the `dest-…` addresses through
which a call re-enters the dialplan. Pure: no database, no Flask.

A step that must re-enter the dialplan (an IVR digit, a queue's "after maximum wait") addresses its typed
destination with `dialplan_address`, transferred into the tenant's context; the routing engine resolves
it back with `parse_dialplan_address` (then centrex.services.destinations.resolve_address) and routes it
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
class Destination:
    """A typed destination as stored on numbers, menu entries and queues."""
    dest_type: str
    dest_id: int | None = None
    dest_value: str | None = None


def dialplan_address(dest: Destination) -> str:
    """`dest-queue-12`, `dest-ivr_entry-7`: what `transfer <address> XML <domain>` dials. Letters first,
    so it can never be an extension (digits) or an E.164 number (+digits)."""
    if dest.dest_type == "external":
        raise ValueError("an outside number is addressed through its owner (owner_destination)")
    if dest.dest_id is None:
        raise ValueError(f"destination {dest} has no id")
    return f"{ADDRESS_PREFIX}{dest.dest_type}-{int(dest.dest_id)}"


def owner_destination(kind: str, owner_id: int) -> Destination:
    """The destination held by a menu entry, a menu's timeout or wrong-key rule, a queue's overflow."""
    if kind not in OWNER_KINDS:
        raise ValueError(f"unknown owner kind {kind}")
    return Destination(kind, owner_id)


def parse_dialplan_address(text: str) -> Destination | None:
    """The destination a dialled `dest-…` address stands for, or None when it is not one."""
    match = _ADDRESS.match(text or "")
    if not match or match["type"] == "external":
        return None
    return Destination(match["type"], dest_id=int(match["ref"]))
