"""How every process logs: one line per event, naming the company (tenant) and the call's UUID when the
line is about one, never a secret; JSON lines when CENTREX_LOG_FORMAT=json (for a log shipper), text
otherwise. Adapters say what a line is about with `log_context(tenant=…, call_uuid=…)` around their work."""
from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

_context: ContextVar[dict[str, str]] = ContextVar("centrex_log_context", default={})  # noqa: B039 (never mutated)

# `password=…`, `"secret": "…"`, `a1-hash=…`, `token: …`: the value is replaced, whatever logged it.
_SECRET = re.compile(r"(?i)\b(password|passwd|secret|a1-hash|token|api[_-]?key)(\"?\s*[=:]\s*\"?)([^\s\"'&,;]+)")


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Lines logged inside the block carry these fields (None ones are left out)."""
    token = _context.set({**_context.get(), **{k: str(v) for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


def redact(text: str) -> str:
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


class ContextFilter(logging.Filter):
    """Adds the context's fields to each record and takes secrets out of its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        record.tenant = context.get("tenant", "")
        record.call_uuid = context.get("call_uuid", "")
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        about = " ".join(f"{name}={value}" for name, value in (("tenant", getattr(record, "tenant", "")),
                                                               ("call", getattr(record, "call_uuid", "")))
                         if value)
        if not about:
            return line
        first, newline, rest = line.partition("\n")  # a traceback stays below its line
        return f"{first} [{about}]{newline}{rest}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for field in ("tenant", "call_uuid"):
            if getattr(record, field, ""):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO", style: str = "text") -> None:
    """The root logger of this process: one handler on stderr with the context filter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if style == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "centrex", False):
            root.removeHandler(old)
    handler.centrex = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
