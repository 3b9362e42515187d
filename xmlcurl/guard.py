"""Only FreeSWITCH may ask: HTTP basic auth (gateway-credentials) and an allow-list of source networks."""
from __future__ import annotations

from flask import Response

from centrex.freeswitch.access import refusal


def check_request() -> Response | None:
    """None when the request may proceed, else the 401/403 answer (which carries no data)."""
    return refusal("xmlcurl")
