"""Only FreeSWITCH may ask: HTTP basic auth (gateway-credentials) and an allow-list of source networks.
And a question FreeSWITCH no longer waits for is not answered: under overload a request may sit in
gunicorn's queue past the binding's timeout; by then mod_xml_curl has hung up (and the caller heard a 503,
README "Under overload"), so answering it would only make the fresh requests behind it wait longer."""
from __future__ import annotations

import logging
import select
import socket

from flask import Response, request

from centrex.freeswitch.access import refusal

log = logging.getLogger("centrex.xmlcurl")


def check_request() -> Response | None:
    """None when the request may proceed, else the 401/403 answer (which carries no data), or an empty 503
    when FreeSWITCH has already given up on it."""
    refused = refusal("xmlcurl")
    if refused is not None:
        return refused
    if caller_gone(request.environ.get("gunicorn.socket")):
        log.info("xmlcurl: FreeSWITCH gave up waiting (queued past its timeout): not answered")
        return Response(b"", status=503)
    return None


def caller_gone(connection: socket.socket | None) -> bool:
    """Whether the client closed its connection after sending the request (gunicorn has read the request;
    what is left on the socket is then only its end). Outside gunicorn, no socket: never."""
    if connection is None:
        return False
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except (OSError, ValueError):  # no longer a socket we can ask: let the request run as before
        return False
