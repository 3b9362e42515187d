"""The company's desk phones (core: centrex.phones.devices). Credentials are never returned."""

from __future__ import annotations

from marshmallow import Schema, fields

from centrex.models import Device
from centrex.phones import devices as device_service
from centrex.phones.schemas import DeviceSettingsSchema
from centrex.platform.schemas import DeviceSchema
from centrex.platform.tenancy import get_scoped, scoped
from webui.api.framework import body, query, route, tenant
from webui.api.paging import ListQuery, page_of
from webui.api.schemas import list_of, timestamp


class DeviceOut(Schema):
    id = fields.Integer(required=True)
    mac = fields.String(required=True)
    vendor = fields.String(required=True)
    model = fields.String(required=True)
    user_id = fields.Integer(allow_none=True, required=True)
    label = fields.String(allow_none=True, required=True)
    transfer_mode = fields.String(required=True)
    last_ip = fields.String(allow_none=True, required=True)
    last_seen_at = timestamp(allow_none=True, required=True)
    last_provisioned_at = timestamp(allow_none=True, required=True)
    created_at = timestamp(required=True)


DEVICE_LIST = list_of(DeviceOut, "DeviceList")


@route(
    "/devices",
    "GET",
    scope="devices:read",
    summary="List the company's phones",
    tag="devices",
    query=ListQuery(),
    response=DEVICE_LIST,
)
def list_devices():
    return page_of(scoped(Device, tenant().id).order_by(Device.id), query())


@route(
    "/devices/<int:device_id>",
    "GET",
    scope="devices:read",
    summary="One phone",
    tag="devices",
    response=DeviceOut(),
)
def get_device(device_id: int):
    return get_scoped(Device, tenant().id, device_id)


@route(
    "/devices",
    "POST",
    scope="devices:write",
    summary="Add a phone by its MAC address",
    tag="devices",
    body=DeviceSchema(),
    response=DeviceOut(),
    status=201,
)
def add_device():
    return device_service.add_device(tenant(), body())


@route(
    "/devices/<int:device_id>",
    "PATCH",
    scope="devices:write",
    summary="Change a phone",
    tag="devices",
    body=DeviceSettingsSchema(partial=True),
    response=DeviceOut(),
)
def update_device(device_id: int):
    return device_service.update_device(get_scoped(Device, tenant().id, device_id), body())


@route(
    "/devices/<int:device_id>",
    "DELETE",
    scope="devices:write",
    summary="Remove a phone",
    tag="devices",
    status=204,
)
def remove_device(device_id: int):
    device_service.retire_device(get_scoped(Device, tenant().id, device_id))
