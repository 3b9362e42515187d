"""Which handler runs for which FreeSWITCH event. Feature modules register here; the listener dispatches."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from urllib.parse import unquote


def _first_value(head: str, name: str) -> str:
    """One header of an event-plain head, without parsing the rest (Event-Name comes first)."""
    prefix = name + ": "
    start = 0 if head.startswith(prefix) else head.find("\n" + prefix) + 1
    if start == 0 and not head.startswith(prefix):
        return ""
    end = head.find("\n", start)
    return unquote(head[start + len(prefix):end if end >= 0 else len(head)])


class Event:
    """One FreeSWITCH event: its headers (URL-decoded, as in `event plain`) and its body, if any.
    Built from text (`from_plain`), its headers are parsed on first use: the listener reads thousands
    of events a second and most handlers look at a few of them."""
    __slots__ = ("_headers", "_head", "body", "node", "raw", "prepared")

    def __init__(self, headers: dict[str, str] | None = None, body: str | None = None, node: str = "",
                 raw: str = ""):
        self._headers = headers
        self._head = None
        self.body = body
        self.node = node  # which FreeSWITCH node sent it (host:port)
        self.raw = raw  # the event as received, for journals
        self.prepared: dict = {}  # what `on_batch(prepare=…)` functions computed at read time, by function

    @property
    def headers(self) -> dict[str, str]:
        if self._headers is None:
            headers: dict[str, str] = {}
            for line in (self._head or "").split("\n"):
                name, sep, value = line.partition(": ")
                if sep:
                    headers[name] = unquote(value) if "%" in value else value
            self._headers = headers
        return self._headers

    @headers.setter
    def headers(self, value: dict[str, str]) -> None:
        self._headers = value

    @property
    def key(self) -> str:
        """"CHANNEL_HANGUP_COMPLETE", or "CUSTOM::spandsp::rxfaxresult" for custom events."""
        if self._headers is None and self._head is not None:
            name = _first_value(self._head, "Event-Name")
            return f"CUSTOM::{_first_value(self._head, 'Event-Subclass')}" if name == "CUSTOM" else name
        name = self.headers.get("Event-Name", "")
        if name == "CUSTOM":
            return f"CUSTOM::{self.headers.get('Event-Subclass', '')}"
        return name

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)

    def __eq__(self, other) -> bool:
        return isinstance(other, Event) and (self.headers, self.body, self.node) == \
            (other.headers, other.body, other.node)

    def __repr__(self) -> str:
        return f"Event({self.key!r}, node={self.node!r})"

    @classmethod
    def from_plain(cls, text: str, node: str = "") -> Event:
        """Parse a `text/event-plain` payload: `Name: url-encoded value` lines, blank line, optional body."""
        head, _, body = text.partition("\n\n")
        event = cls(headers=None, body=body or None, node=node, raw=text)
        event._head = head
        return event


Handler = Callable[[Event], None]
BatchHandler = Callable[[list[Event]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
_batch_handlers: dict[str, list[BatchHandler]] = defaultdict(list)
_preparers: dict[str, list[Callable[[Event], object]]] = defaultdict(list)


def on(*keys: str):
    """Decorator: run the function for events with these keys (see Event.key)."""
    def register(fn: Handler) -> Handler:
        for key in keys:
            if fn not in _handlers[key]:
                _handlers[key].append(fn)
        return fn
    return register


def on_batch(*keys: str, prepare: Callable[[Event], object] | None = None):
    """Decorator: run the function with the list of queued events with these keys, in arrival order,
    as one job (for high-volume work such as CDR import, which journals and commits itself).
    `prepare(event)`, if given, runs as soon as the event is read, in the reader's thread, while the
    handler may be waiting on the database: pure work only (no database); its result is in
    `event.prepared[prepare]` (absent if it raised)."""
    def register(fn: BatchHandler) -> BatchHandler:
        for key in keys:
            if fn not in _batch_handlers[key]:
                _batch_handlers[key].append(fn)
            if prepare is not None and prepare not in _preparers[key]:
                _preparers[key].append(prepare)
        return fn
    return register


def prepare(event: Event) -> None:
    """Run the `prepare` functions registered for this event's key (the listener's readers call this)."""
    for fn in _preparers.get(event.key, ()):
        try:
            event.prepared[fn] = fn(event)
        except Exception:  # the handler sees no result and does the work itself (and reports the error)
            pass


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
