"""Only FreeSWITCH may ask: HTTP basic auth (gateway-credentials) and an allow-list of source networks."""
from __future__ import annotations

from flask import Response, current_app, request

from centrex.freeswitch.access import credentials_match, source_allowed


def check_request() -> Response | None:
    """None when the request may proceed, else the 401/403 answer (which carries no data)."""
    cfg = current_app.config
    if not source_allowed(request.remote_addr, cfg["XMLCURL_ALLOWED_NETWORKS"]):
        current_app.logger.warning("xmlcurl: refused source address %s", request.remote_addr)
        return Response("source address not allowed\n", status=403, mimetype="text/plain")
    if not credentials_match(request.authorization, cfg):
        current_app.logger.warning("xmlcurl: bad or missing credentials from %s", request.remote_addr)
        return Response("authentication required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Basic realm="centrex-xmlcurl"'})
    return None
