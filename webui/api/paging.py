"""Every list a page at a time: `?limit=50&cursor=…`; the answer carries `next` (the URL of the next page, or
null on the last) and `next_cursor`. A cursor is opaque to clients (today an encoded position)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from flask import request
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import Select

from centrex.platform.db import db
from centrex.platform.errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def limit_field(**kw):
    return fields.Integer(
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page (1 to {MAX_LIMIT})."},
        **kw,
    )


def cursor_field():
    return fields.String(
        load_default=None,
        validate=validate.Length(max=64),
        metadata={"description": "Where the page starts: the `next_cursor` of the page before (none: the first)."},
    )


class ListQuery(Schema):
    """?limit=&cursor="""

    class Meta:
        unknown = EXCLUDE

    limit = limit_field(load_default=DEFAULT_LIMIT)
    cursor = cursor_field()


def cursor_of(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def offset_of(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset = int(text[1:]) if text.startswith("o") and text[1:].isdigit() else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        offset = -1
    if not 0 <= offset <= 10**9:
        raise Invalid("Not a cursor this API gave.", fields={"cursor": ["Use the next_cursor of the page before."]})
    return offset


def next_link(offset: int, limit: int, more: bool) -> dict:
    """{"next": URL or None, "next_cursor": cursor or None} for the page that starts at `offset`."""
    if not more:
        return {"next": None, "next_cursor": None}
    cursor = cursor_of(offset + limit)
    args = {k: v for k, v in request.args.items() if k not in ("cursor", "page", "per_page", "limit")}
    return {"next": f"{request.path}?{urlencode({**args, 'limit': limit, 'cursor': cursor})}", "next_cursor": cursor}


def page_of(rows, query: dict) -> dict:
    """One page of `rows` (a SELECT of ORM rows in a stable order, or a list): items, next, next_cursor."""
    offset, limit = offset_of(query.get("cursor")), query.get("limit") or DEFAULT_LIMIT
    if isinstance(rows, Select):
        items = list(db.session.execute(rows.offset(offset).limit(limit + 1)).scalars())
    else:
        items = list(rows)[offset : offset + limit + 1]
    return {"items": items[:limit], **next_link(offset, limit, len(items) > limit)}


def window(query: dict) -> tuple[int, int]:
    """(offset, limit) of a list paged by number (?page=&per_page=) that also takes ?limit=&cursor=."""
    if query.get("cursor") or query.get("limit"):
        return offset_of(query.get("cursor")), query.get("limit") or query["per_page"]
    return (query["page"] - 1) * query["per_page"], query["per_page"]


def numbered(items: list, total: int, offset: int, limit: int) -> dict:
    """The answer of such a list: items, page, per_page, total, next, next_cursor."""
    return {"items": items, "page": offset // limit + 1, "per_page": limit, "total": total,
            **next_link(offset, limit, offset + len(items) < total)}


def order_field(columns: dict, default: str):
    choices = [*columns, *(f"-{name}" for name in columns)]
    return fields.String(
        load_default=default,
        validate=validate.OneOf(choices),
        metadata={"description": "Sort by this field; a leading '-' for descending order."},
    )


def ordered(rows: Select, columns: dict, order: str, tiebreak) -> Select:
    """rows sorted by ?order= (name or -name), then by `tiebreak` so that pages never overlap."""
    column = columns[order.removeprefix("-")]
    if order.startswith("-"):
        return rows.order_by(column.desc(), tiebreak.desc())
    return rows.order_by(column, tiebreak)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
