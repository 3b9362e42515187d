"""The company's desk phones (core: centrex.phones.devices). Credentials are never returned."""

from __future__ import annotations

from marshmallow import Schema, fields

from centrex.models import Device
from centrex.phones import catalogue, devices as device_service
from centrex.phones.schemas import DeviceKeySchema, DeviceSettingsSchema
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


class DeviceModelOut(Schema):
    vendor = fields.String(required=True)
    model = fields.String(required=True, attribute="name")
    keys = fields.Integer(required=True, metadata={"description": "Programmable keys on the phone itself"})
    expansion_module = fields.String(allow_none=True, required=True, attribute="module.name")
    module_keys = fields.Integer(required=True, attribute="module.keys")
    max_modules = fields.Integer(required=True, attribute="module.max_modules")
    files = fields.List(fields.String(), required=True)
    source = fields.String(required=True)


DEVICE_MODEL_LIST = list_of(DeviceModelOut, "DeviceModelList")


class DeviceKeyOut(Schema):
    position = fields.Integer(required=True)
    kind = fields.String(required=True)
    target_user_id = fields.Integer(allow_none=True, required=True)
    number = fields.String(allow_none=True, required=True)
    label = fields.String(allow_none=True, required=True)


class DeviceKeysIn(Schema):
    keys = fields.List(fields.Nested(DeviceKeySchema), required=True, metadata={
        "description": "Every key of the phone (the list replaces them): positions count the phone's own keys, "
                       "then its expansion modules' (see /device-models)"})


DEVICE_KEY_LIST = list_of(DeviceKeyOut, "DeviceKeyList")


@route(
    "/devices/<int:device_id>/keys",
    "GET",
    scope="devices:read",
    summary="The phone's programmable keys",
    tag="devices",
    query=ListQuery(),
    response=DEVICE_KEY_LIST,
)
def get_device_keys(device_id: int):
    keys = sorted(get_scoped(Device, tenant().id, device_id).keys, key=lambda k: k.position)
    return page_of(keys, query())


@route(
    "/devices/<int:device_id>/keys",
    "PUT",
    scope="devices:write",
    summary="Replace the phone's programmable keys",
    tag="devices",
    body=DeviceKeysIn(),
    response=DEVICE_KEY_LIST,
)
def set_device_keys(device_id: int):
    device = get_scoped(Device, tenant().id, device_id)
    keys = sorted(device_service.set_device_keys(device, body()["keys"]), key=lambda k: k.position)
    return {"items": keys, "next": None, "next_cursor": None}  # every key, in one answer


@route(
    "/device-models",
    "GET",
    scope="devices:read",
    summary="The phone models a device may be (with their keys, expansion modules and file names)",
    tag="devices",
    query=ListQuery(),
    response=DEVICE_MODEL_LIST,
)
def list_device_models():
    tenant()  # the caller's company: the same catalogue for every company
    return page_of([_model_row(model) for model in catalogue.MODELS], query())


def _model_row(model: catalogue.PhoneModel) -> dict:
    module = model.module
    return {"vendor": model.vendor, "name": model.name, "keys": model.keys, "files": list(model.files),
            "source": model.source, "module": {"name": module.name if module else None,
                                               "keys": module.keys if module else 0,
                                               "max_modules": module.max_modules if module else 0}}


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
