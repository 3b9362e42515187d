"""JSON types as the document states them, before the core services load a body.

The services' schemas also serve the console, whose form values are strings ("30", "on"), so they coerce.
An API client sends JSON: a boolean must be `true`/`false` (not 0 or "yes"), an integer a JSON integer (not
2.589e-42, taken as 0, nor "7"), and an integer fits the database's (ids and counts are below 2^31)."""

from __future__ import annotations

from marshmallow import Schema, fields

MAX_INT = 2**31 - 1
NOT_A_BOOLEAN = "Not a boolean: send true or false."
NOT_AN_INTEGER = "Not an integer: send a JSON integer such as 42."
OUT_OF_RANGE = f"Out of range: integers here are between -{MAX_INT + 1} and {MAX_INT}."


def type_errors(schema: Schema, data) -> dict:
    """{field: [message]} (nested like marshmallow's) for values of the wrong JSON type; {} when all fit."""
    if not isinstance(data, dict):
        return {}
    errors: dict = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key in data and not field.dump_only:
            found = _field_errors(field, data[key])
            if found:
                errors[key] = found
    return errors


def _field_errors(field: fields.Field, value):
    if value is None:
        return None  # allow_none is the schema's to check
    if isinstance(field, fields.Boolean):
        return None if isinstance(value, bool) else [NOT_A_BOOLEAN]
    if isinstance(field, fields.Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            return [NOT_AN_INTEGER]
        return None if -MAX_INT - 1 <= value <= MAX_INT else [OUT_OF_RANGE]
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        if field.many and isinstance(value, list):
            return _items(lambda item: type_errors(field.schema, item), value)
        return type_errors(field.schema, value) or None
    if isinstance(field, fields.List) and isinstance(value, list):
        return _items(lambda item: _field_errors(field.inner, item), value)
    return None


def _items(check, values: list):
    found = {index: errors for index, item in enumerate(values) if (errors := check(item))}
    return found or None
