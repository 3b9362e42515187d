"""Who may call the endpoints FreeSWITCH posts to (mod_xml_curl, mod_xml_cdr): its source addresses
and its basic-auth credentials, both from configuration. One rule for every adapter that needs it."""
from __future__ import annotations

import hmac
import ipaddress
import logging
from functools import lru_cache

from flask import Response, current_app, request

log = logging.getLogger("centrex.freeswitch.access")


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


def credentials_match(auth, config) -> bool:
    """`auth` is werkzeug's request.authorization (or None); compared in constant time."""
    return (auth is not None and auth.type == "basic"
            and hmac.compare_digest((auth.username or "").encode(), config["XMLCURL_USERNAME"].encode())
            and hmac.compare_digest((auth.password or "").encode(), config["XMLCURL_PASSWORD"].encode()))


def refusal(what: str) -> Response | None:
    """The gate of every endpoint FreeSWITCH (or the operator's monitoring) calls, for the current
    request: None when it may proceed, else the 403 (source address) or 401 (credentials) answer, which
    carries no data. `what` names the endpoint in the log and the realm."""
    cfg = current_app.config
    if not source_allowed(request.remote_addr, cfg["XMLCURL_ALLOWED_NETWORKS"]):
        log.warning("%s: refused source address %s", what, request.remote_addr)
        return Response("source address not allowed\n", status=403, mimetype="text/plain")
    if not credentials_match(request.authorization, cfg):
        log.warning("%s: bad or missing credentials from %s", what, request.remote_addr)
        return Response("authentication required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": f'Basic realm="centrex-{what.replace("_", "")}"'})
    return None
