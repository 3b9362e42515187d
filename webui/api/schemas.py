"""Schemas the API answers with (requests are validated by the core services' own schemas, documented
as they are), and the shapes every endpoint shares: errors, lists, pages."""

from __future__ import annotations

from datetime import timezone

from marshmallow import EXCLUDE, Schema, fields, validate

from webui.api.paging import cursor_field, limit_field


class ErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "What went wrong, for people."})
    fields = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "Messages per field, when the fault is in a field."},
    )


def list_of(item: type[Schema], name: str, *, paged: bool = False) -> Schema:
    """{"items": [...], "next", "next_cursor"} (and, for lists also paged by number, the page, its size and
    the total count)."""
    members = {
        "items": fields.List(fields.Nested(item), required=True),
        "next": fields.String(
            allow_none=True,
            required=True,
            metadata={"description": "The URL of the next page (same filters); null on the last page."},
        ),
        "next_cursor": fields.String(
            allow_none=True, required=True, metadata={"description": "The `cursor` of the next page, or null."}
        ),
    }
    if paged:
        members.update(
            page=fields.Integer(required=True),
            per_page=fields.Integer(required=True),
            total=fields.Integer(required=True),
        )
    return Schema.from_dict(members, name=name)()


class PageQuery(Schema):
    """?page=1&per_page=50, or ?limit=50&cursor=… (the cursor wins)"""

    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    limit = limit_field()
    cursor = cursor_field()


class Timestamp(fields.DateTime):
    """An instant in RFC 3339 with its offset (UTC); SQLite hands back naive values, which are UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


def timestamp(**kw):
    return Timestamp(format="iso", **kw)
