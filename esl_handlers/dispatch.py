"""Which handler runs for which FreeSWITCH event. Feature modules register here; the listener dispatches."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import unquote


@dataclass
class Event:
    """One FreeSWITCH event: its headers (URL-decoded, as in `event plain`) and its body, if any."""
    headers: dict[str, str]
    body: str | None = None
    node: str = ""  # which FreeSWITCH node sent it (host:port)
    raw: str = field(default="", repr=False)  # the event as received, for journals

    @property
    def key(self) -> str:
        """"CHANNEL_HANGUP_COMPLETE", or "CUSTOM::spandsp::rxfaxresult" for custom events."""
        name = self.headers.get("Event-Name", "")
        if name == "CUSTOM":
            return f"CUSTOM::{self.headers.get('Event-Subclass', '')}"
        return name

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)

    @classmethod
    def from_plain(cls, text: str, node: str = "") -> "Event":
        """Parse a `text/event-plain` payload: `Name: url-encoded value` lines, blank line, optional body."""
        head, _, body = text.partition("\n\n")
        headers: dict[str, str] = {}
        for line in head.splitlines():
            name, sep, value = line.partition(": ")
            if sep:
                headers[name] = unquote(value)
        return cls(headers=headers, body=body or None, node=node, raw=text)


Handler = Callable[[Event], None]
BatchHandler = Callable[[list[Event]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
_batch_handlers: dict[str, list[BatchHandler]] = defaultdict(list)


def on(*keys: str):
    """Decorator: run the function for events with these keys (see Event.key)."""
    def register(fn: Handler) -> Handler:
        for key in keys:
            if fn not in _handlers[key]:
                _handlers[key].append(fn)
        return fn
    return register


def on_batch(*keys: str):
    """Decorator: run the function with the list of queued events with these keys, in arrival order,
    as one job (for high-volume work such as CDR import, which journals and commits itself)."""
    def register(fn: BatchHandler) -> BatchHandler:
        for key in keys:
            if fn not in _batch_handlers[key]:
                _batch_handlers[key].append(fn)
        return fn
    return register


def handlers_for(event: Event) -> list[Handler]:
    return list(_handlers.get(event.key, ()))


def batch_handlers() -> list[tuple[BatchHandler, set[str]]]:
    """Every batch handler with the event keys it takes, in registration order."""
    order: dict[BatchHandler, set[str]] = {}
    for key, handlers in _batch_handlers.items():
        for fn in handlers:
            order.setdefault(fn, set()).add(key)
    return list(order.items())


def subscribed_events() -> list[str]:
    """The `event plain …` subscription that covers every registered handler."""
    keys = set(_handlers) | set(_batch_handlers)
    plain = sorted(k for k in keys if not k.startswith("CUSTOM::"))
    custom = sorted(k.split("::", 1)[1] for k in keys if k.startswith("CUSTOM::"))
    return plain + (["CUSTOM", *custom] if custom else [])
