"""Call history (CDRs) with filters, a page at a time or as CSV; live calls and presence from the ESL
listener's live-state tables (core: centrex.calls.history, centrex.calls.live)."""

from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields

from centrex.calls import history as call_history, live
from centrex.calls.history import CallFilterSchema, CallRecordSchema
from centrex.models import User
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from webui.api.framework import query, route, tenant
from webui.api.paging import ListQuery, cursor_field, limit_field, numbered, page_of, window
from webui.api.schemas import list_of, timestamp

CDR_PAGE = list_of(CallRecordSchema, "CallRecordPage", paged=True)


class CdrQuery(CallFilterSchema):
    """The filters, ?page=&per_page= or ?limit=&cursor= (the cursor wins)."""

    limit = limit_field()
    cursor = cursor_field()
PRESENCE_STATES = ("offline", "available", "ringing", "busy", "on_hold")


@route(
    "/cdrs",
    "GET",
    scope="cdr:read",
    summary="Call history, newest first",
    tag="call history",
    query=CdrQuery(),
    response=CDR_PAGE,
)
def list_cdrs():
    offset, limit = window(query())
    found = call_history.page(tenant(), {**query(), "per_page": limit}, offset=offset)
    return numbered(found["items"], found["total"], offset, limit)


@route(
    "/cdrs.csv",
    "GET",
    scope="cdr:read",
    summary="Call history as CSV (same filters, newest first, no paging)",
    tag="call history",
    query=CallFilterSchema(exclude=("page", "per_page")),
    content_type="text/csv",
)
def export_cdrs():
    body = call_history.as_csv(tenant(), query())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="calls-{tenant().domain}.csv"'},
    )


class LegOut(Schema):
    leg_id = fields.String(required=True, attribute="uuid")
    extension = fields.String(
        allow_none=True, required=True, metadata={"description": "The user on this leg."}
    )
    caller_number = fields.String(allow_none=True, required=True)
    destination = fields.String(allow_none=True, required=True)
    state = fields.String(required=True, metadata={"enum": ["ringing", "early", "active", "held"]})
    direction = fields.String(allow_none=True, required=True, metadata={"description": "FreeSWITCH's view."})
    created_at = timestamp(allow_none=True, required=True)
    answered_at = timestamp(allow_none=True, required=True)


class LiveCallOut(Schema):
    call_id = fields.String(required=True)
    legs = fields.List(fields.Nested(LegOut), required=True)


class PresenceOut(Schema):
    user_id = fields.Integer(required=True)
    extension = fields.String(required=True)
    name = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": list(PRESENCE_STATES)})
    registered = fields.Boolean(required=True, metadata={"description": "A phone of theirs is registered."})


@route(
    "/calls",
    "GET",
    scope="calls:read",
    summary="Calls going on now",
    tag="calls",
    query=ListQuery(),
    response=list_of(LiveCallOut, "LiveCallList"),
)
def list_live_calls():
    calls: dict[str, list] = {}
    for channel in live.channels(tenant().id):
        calls.setdefault(channel.call_uuid or channel.uuid, []).append(channel)
    return page_of([{"call_id": call_id, "legs": legs} for call_id, legs in calls.items()], query())


@route(
    "/presence",
    "GET",
    scope="presence:read",
    summary="Who is available, ringing or busy now",
    tag="presence",
    query=ListQuery(),
    response=list_of(PresenceOut, "PresenceList"),
)
def list_presence():
    busy = live.busy(tenant().id)
    registered = {r.extension for r in live.registrations(tenant().id)}
    shown = {"ringing": "ringing", "early": "ringing", "active": "busy", "held": "on_hold"}
    users = db.session.execute(scoped(User, tenant().id).order_by(User.extension)).scalars()
    return page_of(
        [
            {
                "user_id": u.id,
                "extension": u.extension,
                "name": u.name,
                "registered": u.extension in registered,
                "state": shown.get(
                    busy.get(u.extension), "available" if u.extension in registered else "offline"
                ),
            }
            for u in users
        ],
        query(),
    )
