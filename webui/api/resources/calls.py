"""Click-to-call: POST /calls rings the user's phone, then the destination; GET /calls/<id> says how far
it got (core: centrex.calls.click_to_call, the switch port; progress from the live channels and the
call record when the ESL listener has them)."""

from __future__ import annotations

from flask import after_this_request, current_app
from marshmallow import Schema, fields

from centrex.calls import click_to_call
from centrex.calls.click_to_call import ClickToCallSchema
from centrex.models import ApiCall
from centrex.platform.tenancy import get_scoped
from webui.api.framework import body, route, tenant, token
from webui.api.schemas import timestamp


class CallOut(Schema):
    id = fields.String(
        required=True, metadata={"format": "uuid", "description": "The call's id (its A leg UUID)."}
    )
    from_user = fields.String(required=True, attribute="from_extension")
    to = fields.String(required=True, attribute="to_number", metadata={"description": "As it is dialled."})
    progress = fields.String(required=True, metadata={"enum": list(click_to_call.PROGRESS)})
    reason = fields.String(allow_none=True, required=True, metadata={"description": "Why it failed."})
    answered_at = timestamp(allow_none=True, required=True)
    ended_at = timestamp(allow_none=True, required=True)
    duration = fields.Integer(
        allow_none=True, required=True, metadata={"description": "Seconds, once ended."}
    )
    hangup_cause = fields.String(allow_none=True, required=True)
    created_at = timestamp(required=True)


@route(
    "/calls",
    "POST",
    scope="calls:write",
    summary="Click-to-call: ring a user's phone, then dial for them",
    tag="calls",
    body=ClickToCallSchema(),
    response=CallOut(),
    status=202,
)
def place_call():
    """The user's phone rings first; when they pick up, the destination is dialled as if they had dialled it.
    Refused (403) when the user's call permissions do not allow the destination."""
    call = click_to_call.place_call(tenant(), body(), token_id=token().id)
    app = current_app._get_current_object()

    @after_this_request
    def dial(response):  # after the commit: the background originate reads the committed row
        if response.status_code == 202:
            click_to_call.start(app, call.id)
        return response

    return click_to_call.progress(call)


@route(
    "/calls/<uuid:call_id>",
    "GET",
    scope="calls:read",
    summary="Progress of a click-to-call",
    tag="calls",
    response=CallOut(),
)
def get_call(call_id):
    return click_to_call.progress(get_scoped(ApiCall, tenant().id, str(call_id)))
