"""POST /cdr: mod_xml_cdr posts every call leg here (the CDR path that does not depend on the event
listener being up). Journal first, import second; any failure answers non-2xx so FreeSWITCH retries and
finally writes the record to its spool, which the listener imports."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from centrex.calls import journal as cdr
from centrex.freeswitch.access import refusal as switch_refusal
from centrex.freeswitch.cdr_legs import LegFormatError
from centrex.platform.unit_of_work import unit_of_work

bp = Blueprint("xml_cdr", __name__)
log = logging.getLogger("centrex.esl.cdr_post")


@bp.post("/cdr")
def receive():
    refusal = switch_refusal("xml_cdr")
    if refusal is not None:
        return refusal
    record = request.form.get("cdr") or request.get_data(as_text=True)
    try:
        entry = cdr.entry_from_xml_cdr(record, node=f"xml_cdr:{request.remote_addr}")
    except LegFormatError as exc:
        log.warning("xml_cdr: unreadable record (%s)", exc)
        return Response(f"unreadable CDR: {exc}\n", status=400, mimetype="text/plain")
    try:
        # each of the two transactions takes SQLite's write lock first (see centrex.platform.db.begin_write)
        with unit_of_work(write=True):
            new_calls = cdr.journal([entry])
    except Exception:
        log.exception("xml_cdr: could not journal leg %s; FreeSWITCH will retry or spool it", entry.leg_uuid)
        return Response("journal unavailable, try again\n", status=503, mimetype="text/plain")
    try:
        with unit_of_work(write=True):
            cdr.import_calls(new_calls | cdr.pending_among({entry.call_uuid}))
    except Exception:  # journaled: the listener's catch-up imports it
        log.exception("xml_cdr: leg %s journaled, import deferred", entry.leg_uuid)
    return Response("OK\n", mimetype="text/plain")
