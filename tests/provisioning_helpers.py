"""Shared helpers of the provisioning tests: demo phones, basic auth, parsing the vendors' formats."""
from __future__ import annotations

import base64
import re

from lxml import etree

from centrex.phones.devices import add_device, provisioning_token

KEY_LINE = re.compile(r"^([A-Za-z0-9_.]+) = (.*)$")


def basic(user: str, password: str) -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def phone(tenant, user, *, vendor="yealink", model="T46S", mac="001565000001", **extra):
    return add_device(tenant, {"mac": mac, "vendor": vendor, "model": model,
                               "user_id": user.id if user else None, **extra})


def device_auth(device) -> dict:
    return basic(device.mac, provisioning_token(device))


def parse_yealink(text: str) -> dict[str, str]:
    """A Yealink .cfg: the version header, then `key = value` lines (comments start with #).
    Raises on any other line: the phone would ignore or misread it."""
    lines = text.splitlines()
    assert lines[0] == "#!version:1.0.0.1", "the firmware requires this exact first line"
    values: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        match = KEY_LINE.match(line)
        assert match, f"line {number} is not key = value: {line!r}"
        key, value = match.groups()
        if key != "static.security.user_password":  # the one key Yealink allows several times
            assert key not in values, f"{key} set twice"
        values[key] = value
    return values


def parse_xml(text: str | bytes):
    return etree.fromstring(text.encode() if isinstance(text, str) else text)


def snom_settings(root) -> dict[str, str]:
    """phone-settings as {name or name[idx]: text}."""
    out = {}
    for element in root.find("phone-settings"):
        if not isinstance(element.tag, str):
            continue
        name = element.tag + (f"[{element.get('idx')}]" if element.get("idx") else "")
        out[name] = element.text or ""
    return out
