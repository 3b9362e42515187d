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
_handlers: dict[str, list[Handler]] = defaultdict(list)


def on(*keys: str):
    """Decorator: run the function for events with these keys (see Event.key)."""
    def register(fn: Handler) -> Handler:
        for key in keys:
            if fn not in _handlers[key]:
                _handlers[key].append(fn)
        return fn
    return register


def handlers_for(event: Event) -> list[Handler]:
    return list(_handlers.get(event.key, ()))


def subscribed_events() -> list[str]:
    """The `event plain …` subscription that covers every registered handler."""
    plain = sorted(k for k in _handlers if not k.startswith("CUSTOM::"))
    custom = sorted(k.split("::", 1)[1] for k in _handlers if k.startswith("CUSTOM::"))
    return plain + (["CUSTOM", *custom] if custom else [])
