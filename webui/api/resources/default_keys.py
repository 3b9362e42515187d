"""The company's default key layout (core: centrex.phones.layouts): new phones start with it, and it may
be applied to phones that exist."""
from __future__ import annotations

from marshmallow import Schema, fields

from centrex.phones import layouts
from centrex.phones.schemas import DeviceKeySchema
from webui.api.framework import body, query, route, tenant
from webui.api.paging import ListQuery, page_of
from webui.api.resources.devices import DEVICE_KEY_LIST


class DefaultKeysIn(Schema):
    keys = fields.List(fields.Nested(DeviceKeySchema), required=True, metadata={
        "description": "Every key of the default layout (the list replaces it): positions of the phones' own "
                       "keys; a phone with fewer keys gets those it has"})


class DefaultKeysApplyIn(Schema):
    devices = fields.List(fields.Integer(), required=True, metadata={"description": "The phones' ids"})


class DefaultKeysAppliedOut(Schema):
    applied = fields.Integer(required=True, metadata={"description": "How many phones got the default keys"})


@route("/default-keys", "GET", scope="devices:read", summary="The company's default key layout", tag="devices",
       query=ListQuery(), response=DEVICE_KEY_LIST)
def get_default_keys():
    return page_of(layouts.default_keys(tenant().id), query())


@route("/default-keys", "PUT", scope="devices:write", summary="Replace the company's default key layout",
       tag="devices", body=DefaultKeysIn(), response=DEVICE_KEY_LIST)
def set_default_keys():
    keys = layouts.set_default_keys(tenant(), body()["keys"])
    return {"items": keys, "next": None, "next_cursor": None}  # every key, in one answer


@route("/default-keys/apply", "POST", scope="devices:write",
       summary="Give these phones the default keys, in place of their own", tag="devices", body=DefaultKeysApplyIn(),
       response=DefaultKeysAppliedOut())
def apply_default_keys():
    company = tenant()
    return {"applied": layouts.apply_default_keys(company, layouts.phones_of(company, body()["devices"]))}
