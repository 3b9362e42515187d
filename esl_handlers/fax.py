"""Fax events from mod_spandsp: a received fax (spandsp::rxfaxresult) goes to the fax-to-email pipeline,
a sent one (spandsp::txfaxresult, and the BACKGROUND_JOB of its originate) to the email-to-fax pipeline.
Each handler is a job boundary: it commits what it recorded, so a crash after it loses nothing."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from urllib.parse import unquote

from centrex.fax import receive as fax_receive, send as fax_send
from centrex.freeswitch import fax_contract
from centrex.platform.unit_of_work import unit_of_work
from esl_handlers.dispatch import Event, on

log = logging.getLogger(__name__)

_FAX_ID_IN_ARGS = re.compile(re.escape(fax_contract.FAX_VARIABLE) + r"=(\d+)")


def _value(event: Event, name: str) -> str | None:
    """A fax result: the event header (fax-result-code) or the channel variable (variable_fax_result_code)."""
    value = event.get(name)
    if value in (None, ""):
        value = event.get("variable_" + name.replace("-", "_"))
    return value if value not in ("",) else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _event_time(event: Event) -> datetime:
    micros = _int(event.get("Event-Date-Timestamp"))
    return datetime.fromtimestamp(micros / 1e6, timezone.utc) if micros else datetime.now(timezone.utc)


def _outcome(event: Event) -> dict:
    """The fields of a TransferOutcome, as both spandsp result events carry them."""
    return {"success": _value(event, "fax-success") == "1",
            "result_code": _int(_value(event, "fax-result-code")),
            "result_text": _value(event, "fax-result-text"),
            "pages": _int(_value(event, "fax-document-transferred-pages")) or 0,
            "total_pages": _int(_value(event, "fax-document-total-pages")),
            "remote_station_id": _value(event, "fax-remote-station-id"),
            "transfer_rate": _int(_value(event, "fax-transfer-rate"))}


def reception_from_event(event: Event) -> fax_receive.Reception | None:
    """The reception an rxfaxresult event reports, or None when the call was not to one of our boxes."""
    box_id = _int(event.get("variable_" + fax_contract.BOX_VARIABLE))
    call_uuid = event.get("Unique-ID")
    if box_id is None or not call_uuid:
        return None
    return fax_receive.Reception(
        call_uuid=call_uuid, box_id=box_id,
        tenant_id=_int(event.get("variable_" + fax_contract.TENANT_VARIABLE)),
        caller_number=event.get("Caller-Caller-ID-Number"), **_outcome(event),
        switch_filename=event.get("variable_fax_filename"), at=_event_time(event))


def send_result_from_event(event: Event) -> fax_send.SendResult | None:
    fax_id = _int(event.get("variable_" + fax_contract.FAX_VARIABLE))
    if fax_id is None:
        return None
    return fax_send.SendResult(fax_id=fax_id, call_uuid=event.get("Unique-ID"), **_outcome(event))


@on("CUSTOM::spandsp::rxfaxresult")
def fax_received(event: Event) -> None:
    reception = reception_from_event(event)
    if reception is None:
        return
    with unit_of_work():
        fax = fax_receive.record_reception(reception)
    if fax is not None and fax.state == "received":
        log.info("Fax %s received from %s: %s page(s), %s", fax.id, fax.remote_number, fax.pages,
                 fax.result_text)
        fax_receive.handle_reception(fax.id)  # the worker does it later if this fails


@on("CUSTOM::spandsp::txfaxresult")
def fax_sent(event: Event) -> None:
    result = send_result_from_event(event)
    if result is None:
        return
    with unit_of_work():
        fax_send.record_result(result)


@on("BACKGROUND_JOB")
def fax_originate_done(event: Event) -> None:
    if event.get("Job-Command") != "originate":
        return
    match = _FAX_ID_IN_ARGS.search(unquote(event.get("Job-Command-Arg") or ""))
    if match is None:
        return
    with unit_of_work():
        fax_send.record_originate(int(match.group(1)), event.get("Job-UUID"), event.body or "")

