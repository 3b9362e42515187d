"""Only FreeSWITCH may ask: HTTP basic auth (gateway-credentials) and an allow-list of source networks."""
from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from flask import Response, current_app, request


@lru_cache(maxsize=32)
def _networks(spec: tuple[str, ...]):
    return tuple(ipaddress.ip_network(net, strict=False) for net in spec)


def source_allowed(remote_addr: str | None, allowed: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in net for net in _networks(tuple(allowed)))


def check_request() -> Response | None:
    """None when the request may proceed, else the 401/403 answer (which carries no data)."""
    cfg = current_app.config
    if not source_allowed(request.remote_addr, cfg["XMLCURL_ALLOWED_NETWORKS"]):
        current_app.logger.warning("xmlcurl: refused source address %s", request.remote_addr)
        return Response("source address not allowed\n", status=403, mimetype="text/plain")
    auth = request.authorization
    ok = (auth is not None and auth.type == "basic"
          and hmac.compare_digest((auth.username or "").encode(), cfg["XMLCURL_USERNAME"].encode())
          and hmac.compare_digest((auth.password or "").encode(), cfg["XMLCURL_PASSWORD"].encode()))
    if not ok:
        current_app.logger.warning("xmlcurl: bad or missing credentials from %s", request.remote_addr)
        return Response("authentication required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Basic realm="centrex-xmlcurl"'})
    return None
