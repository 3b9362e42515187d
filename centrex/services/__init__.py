"""Domain services: validate, change, flush, audit. They never commit: the boundary does."""
from __future__ import annotations

from marshmallow import Schema, ValidationError

from centrex.errors import Invalid


def load(schema: Schema, data: dict, *, partial: bool = False) -> dict:
    """Validate `data` with `schema`, raising Invalid (field -> messages) instead of a 500."""
    if not isinstance(data, dict):
        raise Invalid("Expected an object of fields.")
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise Invalid("Some fields are not valid.", fields=messages) from exc


def apply(obj, values: dict) -> dict:
    """Set attributes, returning {field: new value} for what actually changed (for the audit row)."""
    changed = {}
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed[key] = value
    return changed
