"""From the legs of one call to its record: pure, so rebuilding from the journal always gives the same
answer. Works with the A leg alone (as an xml_cdr spool may deliver it) and gets the same fields the B
legs would have given where the A leg carries them too (bridge_uuid, originated_legs, cc_agent)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from centrex.cdr_legs import array_items

DIRECTION_VARIABLE = {"inbound": "inbound", "outbound": "outbound", "internal": "internal",
                      "local": "internal"}


@dataclass
class Composed:
    """The record's fields (as CallRecord columns) and where to look for its tenant, in order."""
    fields: dict
    tenant_domains: list[str]
    tenant_numbers: list[str]


def _time(uepoch: str | None) -> datetime | None:
    if not uepoch or not uepoch.isdigit() or int(uepoch) == 0:
        return None
    return datetime.fromtimestamp(int(uepoch) / 1e6, tz=timezone.utc)


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


def _user(address: str | None) -> tuple[str | None, str | None]:
    if not address or "@" not in address:
        return address or None, None
    user, _, host = address.partition("@")
    return user, host


def _answered_by(a: dict, answered: dict | None) -> str | None:
    """The extension whose phone took the call: the bridged leg's dialled user, else what the A leg
    remembers of it (callcenter agent, the originated leg's number, the last callee ID sent)."""
    if answered is not None:
        if answered.get("variable_dialed_user"):
            return answered["variable_dialed_user"]
        if answered.get("variable_cc_agent"):
            return _user(answered["variable_cc_agent"])[0]
    bridged = a.get("variable_bridge_uuid") or a.get("variable_last_bridge_to")
    if not bridged:
        return None
    if a.get("variable_cc_agent") and a.get("variable_cc_agent_bridged") == "true":
        return _user(a["variable_cc_agent"])[0]
    for item in array_items(a.get("variable_originated_legs")):
        uuid, _, rest = item.partition(";")
        if uuid == bridged:
            return rest.rpartition(";")[2] or None
    return a.get("variable_last_sent_callee_id_number")


def _from_carrier(a: dict) -> bool:
    """A call that came in from outside: a SIP channel FreeSWITCH did not authenticate as a user."""
    return (a.get("variable_direction") == "inbound"
            and (a.get("variable_channel_name") or "").startswith("sofia/")
            and a.get("variable_sip_authorized") != "true")


def _to_carrier(legs: list[dict]) -> bool:
    targets = []
    for leg in legs:
        targets += [leg.get("variable_bridge_channel"), leg.get("variable_last_arg"),
                    leg.get("variable_current_application_data")]
        if leg.get("variable_direction") == "outbound":
            targets.append(leg.get("variable_channel_name"))
    return any(t and ("sofia/gateway/" in t or t.startswith("sofia/external/")) for t in targets)


def direction(a: dict, legs: list[dict]) -> str:
    for leg in [a, *legs]:
        chosen = DIRECTION_VARIABLE.get((leg.get("variable_call_direction") or "").lower())
        if chosen:
            return chosen
    if _from_carrier(a):
        return "inbound"
    return "outbound" if _to_carrier(legs) else "internal"


def _first(legs: list[dict], name: str) -> dict | None:
    return next((leg for leg in legs if leg.get(name)), None)


def compose(call_uuid: str, legs: list[dict]) -> Composed | None:
    """The record of call `call_uuid` from its legs, or None while its A leg has not been seen."""
    a = next((leg for leg in legs if leg["variable_uuid"] == call_uuid), None)
    if a is None:
        return None
    others = [leg for leg in legs if leg is not a]
    bridged = a.get("variable_bridge_uuid") or a.get("variable_last_bridge_to")
    answered = next((leg for leg in others if leg["variable_uuid"] == bridged), None)
    way = direction(a, others)
    dialed = (a.get("variable_sip_req_user") if a.get("variable_direction") == "inbound" else None) \
        or a.get("Caller-Destination-Number")
    fields = {
        "call_uuid": call_uuid,
        "direction": way,
        "caller_name": a.get("Caller-Caller-ID-Name"),
        "caller_number": a.get("Caller-Caller-ID-Number"),
        "dialed_number": dialed,
        "destination": a.get("Caller-Destination-Number"),
        "did": dialed if way == "inbound" else None,
        "answered_by": _answered_by(a, answered),
        "answered_leg_uuid": bridged,
        "started_at": _time(a.get("variable_start_uepoch")),
        "answered_at": _time(a.get("variable_answer_uepoch")),
        "ended_at": _time(a.get("variable_end_uepoch")),
        "duration": _int(a.get("variable_duration")),
        "billsec": _int(a.get("variable_billsec")),
        "hangup_cause": a.get("variable_hangup_cause"),
        "bridge_result": a.get("variable_originate_disposition"),
        "accountcode": a.get("variable_accountcode"),
        "leg_count": len(legs),
    }
    if fields["started_at"] is None:  # FusionPBX lost CDRs on exactly this (its PR #7207): keep them
        fields["started_at"] = fields["ended_at"] or datetime.fromtimestamp(0, tz=timezone.utc)
    voicemail = _first([a, *others], "variable_voicemail_file_path")
    if voicemail:
        box, domain = voicemail.get("variable_voicemail_account"), voicemail.get("variable_voicemail_domain")
        fields["voicemail_box"] = f"{box}@{domain}" if box and domain else box
        fields["voicemail_file"] = voicemail["variable_voicemail_file_path"]
    fax = _first([a, *others], "variable_fax_success")
    if fax:
        fields["fax_status"] = "ok" if fax["variable_fax_success"] == "1" else "failed"
        fields["fax_pages"] = _int(fax.get("variable_fax_document_transferred_pages"))
        fields["fax_file"] = fax.get("variable_fax_filename")
    for leg in [a, *others]:
        recording = leg.get("variable_centrex_recording") or (
            f"{leg['variable_record_path'].rstrip('/')}/{leg['variable_record_name']}"
            if leg.get("variable_record_path") and leg.get("variable_record_name") else None)
        if recording:
            fields["recording_file"] = recording
            break
    domains: list[str] = []
    for leg in [a, *others]:
        for name in ("variable_domain_name", "variable_dialed_domain", "Caller-Context",
                     "variable_user_context", "variable_accountcode"):
            if leg.get(name):
                domains.append(leg[name].lower())
        host = _user(leg.get("variable_presence_id"))[1]
        if host:
            domains.append(host.lower())
    numbers = [n for n in (dialed, a.get("Caller-RDNIS")) if n and n.startswith("+")]
    return Composed(fields, list(dict.fromkeys(domains)), numbers)
