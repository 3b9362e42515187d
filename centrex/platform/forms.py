"""Domain services: validate, change, flush, audit. They never commit: the boundary does."""
from __future__ import annotations

from marshmallow import Schema, ValidationError

from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid
from centrex.platform.phone_numbers import LOADING_COUNTRY


def load(schema: Schema, data: dict, *, partial: bool = False, country: str | None = None) -> dict:
    """Validate `data` with `schema`, raising Invalid (field -> messages) instead of a 500. `country`: the
    company's, with which phone numbers typed in national format are read."""
    if not isinstance(data, dict):
        raise Invalid(N_("Expected an object of fields."))
    token = LOADING_COUNTRY.set(country)
    try:
        # A partial update leaves out whole fields; a list it sends (members, ranges, holidays) replaces the
        # old one and is complete: its items get their defaults and required fields like at creation.
        return schema.load(data, partial=tuple(schema.fields) if partial is True else partial)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise Invalid(N_("Some fields are not valid."), fields=messages) from exc
    finally:
        LOADING_COUNTRY.reset(token)


def apply(obj, values: dict) -> dict:
    """Set attributes, returning {field: new value} for what actually changed (for the audit row)."""
    changed = {}
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed[key] = value
    return changed


def replace_rows(collection: list, rows) -> None:
    """Replace a relationship's child rows (members, ranges, holidays, keys): the old rows are deleted first,
    so a new row with the same unique key (a date, a position) never meets its old twin in one flush."""
    collection.clear()
    db.session.flush()
    collection.extend(rows)
