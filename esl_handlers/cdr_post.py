"""POST /cdr: mod_xml_cdr posts every call leg here (the CDR path that does not depend on the event
listener being up). Journal first, import second; any failure answers non-2xx so FreeSWITCH retries and
finally writes the record to its spool, which the listener imports."""
from __future__ import annotations

import hmac
import ipaddress
import logging

from flask import Blueprint, Response, current_app, request

from centrex import cdr
from centrex.cdr_legs import LegFormatError
from centrex.db import db

bp = Blueprint("xml_cdr", __name__)
log = logging.getLogger("centrex.esl.cdr_post")


def _refusal() -> Response | None:
    """The same gate as mod_xml_curl's: FreeSWITCH's source addresses and its basic-auth credentials."""
    cfg = current_app.config
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        allowed = any(address in ipaddress.ip_network(net, strict=False)
                      for net in cfg["XMLCURL_ALLOWED_NETWORKS"])
    except ValueError:
        allowed = False
    if not allowed:
        log.warning("xml_cdr: refused source address %s", request.remote_addr)
        return Response("source address not allowed\n", status=403, mimetype="text/plain")
    auth = request.authorization
    if not (auth and auth.type == "basic"
            and hmac.compare_digest((auth.username or "").encode(), cfg["XMLCURL_USERNAME"].encode())
            and hmac.compare_digest((auth.password or "").encode(), cfg["XMLCURL_PASSWORD"].encode())):
        log.warning("xml_cdr: bad or missing credentials from %s", request.remote_addr)
        return Response("authentication required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Basic realm="centrex-xmlcdr"'})
    return None


@bp.post("/cdr")
def receive():
    refusal = _refusal()
    if refusal is not None:
        return refusal
    record = request.form.get("cdr") or request.get_data(as_text=True)
    try:
        entry = cdr.entry_from_xml_cdr(record, node=f"xml_cdr:{request.remote_addr}")
    except LegFormatError as exc:
        log.warning("xml_cdr: unreadable record (%s)", exc)
        return Response(f"unreadable CDR: {exc}\n", status=400, mimetype="text/plain")
    try:
        new_calls = cdr.journal([entry])
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("xml_cdr: could not journal leg %s; FreeSWITCH will retry or spool it", entry.leg_uuid)
        return Response("journal unavailable, try again\n", status=503, mimetype="text/plain")
    try:
        cdr.import_calls(new_calls | cdr.pending_among({entry.call_uuid}))
        db.session.commit()
    except Exception:  # journaled: the listener's catch-up imports it
        db.session.rollback()
        log.exception("xml_cdr: leg %s journaled, import deferred", entry.leg_uuid)
    return Response("OK\n", mimetype="text/plain")
