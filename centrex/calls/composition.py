"""From the legs of one call to its record: pure, so rebuilding from the journal always gives the same
answer. Works with the A leg alone (as an xml_cdr spool may deliver it) and gets the same fields the B
legs would have given where the A leg carries them too (bridge_uuid, originated_legs, cc_agent)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from centrex.freeswitch.cdr_legs import array_items
from centrex.freeswitch.names import CONTINUE_EXTENSION

DIRECTION_VARIABLE = {"inbound": "inbound", "outbound": "outbound", "internal": "internal",
                      "local": "internal"}
# The sofia profiles that face carriers (freeswitch/sip_profiles/external.xml). A carrier admitted there by
# the ACL gets sip_authorized=true like one of our users: the profile, not that variable, says who it is.
CARRIER_PROFILES = ("external",)


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


def _profile(leg: dict) -> str:
    channel = leg.get("variable_channel_name") or ""
    if not channel.startswith("sofia/"):
        return ""
    return leg.get("variable_sofia_profile_name") or channel.split("/")[1]


def _from_carrier(a: dict) -> bool:
    """A call that came in from outside: an inbound SIP leg on a carrier-facing profile. (On the phones'
    profile an unauthenticated leg is an INVITE FreeSWITCH refused, not a carrier.)"""
    return a.get("variable_direction") == "inbound" and _profile(a) in CARRIER_PROFILES


def _carrier_target(target: str | None) -> bool:
    return bool(target) and ("sofia/gateway/" in target or
                             any(target.startswith(f"sofia/{p}/") for p in CARRIER_PROFILES))


def _to_carrier(a: dict, legs: list[dict]) -> bool:
    """The A leg bridged (or tried) towards a carrier, or one of its outbound legs went to one. The B legs'
    own bridge_channel names the A leg, so it says nothing about where the call went."""
    targets = [a.get("variable_bridge_channel"), a.get("variable_last_arg"),
               a.get("variable_current_application_data")]
    targets += [leg.get("variable_channel_name") for leg in [a, *legs]  # a originated call's A leg too
                if leg.get("variable_direction") == "outbound"]
    return any(_carrier_target(t) for t in targets)


def direction(a: dict, legs: list[dict]) -> str:
    for leg in [a, *legs]:
        chosen = DIRECTION_VARIABLE.get((leg.get("variable_call_direction") or "").lower())
        if chosen:
            return chosen
    if _from_carrier(a):
        return "inbound"
    return "outbound" if _to_carrier(a, legs) else "internal"


def _first(legs: list[dict], name: str) -> dict | None:
    return next((leg for leg in legs if leg.get(name)), None)


def _channel_address(leg: dict) -> str | None:
    """`user@domain` of a phone's channel (sofia/internal/1003@dupont.example): the only trace of the
    company an INVITE FreeSWITCH refused before the dialplan (403 after a wrong password) leaves."""
    channel = leg.get("variable_channel_name") or ""
    if not channel.startswith("sofia/") or _profile(leg) in CARRIER_PROFILES:
        return None
    address = channel.split("/", 2)[2] if channel.count("/") >= 2 else ""
    return address if "@" in address and ":" not in address else None


def _caller(a: dict, way: str) -> dict:
    """Who called: for one of our users, the directory's name and extension (effective_caller_id_*),
    not the display name the phone sent; for a carrier call, what the carrier sent."""
    name, number = a.get("Caller-Caller-ID-Name"), a.get("Caller-Caller-ID-Number")
    if way != "inbound" and a.get("variable_sip_authorized") == "true":
        name = a.get("variable_effective_caller_id_name") or name
        number = a.get("variable_effective_caller_id_number") or number
    return {"caller_name": name, "caller_number": number or _user(_channel_address(a))[0]}


def _calling_leg(a: dict, others: list[dict]) -> dict:
    """The leg that carries the caller's ID. A loopback pair's A half is the originated side: its caller ID
    is the context's name (`public`, `default`); the B half carries the number the call came from."""
    if a.get("variable_loopback_leg") == "A":
        return next((leg for leg in others if leg.get("variable_loopback_leg") == "B"), a)
    return a


def _voicemail_box(a: dict, others: list[dict]) -> str | None:
    """The box the call reached: what the dialplan set before `voicemail` (centrex_voicemail_box), else
    what mod_voicemail set when a message was left."""
    for leg in [a, *others]:
        if leg.get("variable_centrex_voicemail_box"):
            return leg["variable_centrex_voicemail_box"]
    leg = _first([a, *others], "variable_voicemail_account")
    if leg is None:
        return None
    box, domain = leg.get("variable_voicemail_account"), leg.get("variable_voicemail_domain")
    return f"{box}@{domain}" if box and domain else box


def _carrier_number(legs: list[dict]) -> str | None:
    leg = next((leg for leg in legs if leg.get("variable_direction") == "outbound"
                and _carrier_target(leg.get("variable_channel_name"))), None)
    return leg.get("Caller-Destination-Number") if leg else None


def _destination(a: dict, others: list[dict], way: str, dialed: str | None, voicemail_box: str | None,
                 answered_by: str | None) -> str | None:
    """Where the dialplan took the call last, as a person reads it: the voicemail box it reached, the
    outside number called; never the dialplan's internal continuation extension, nor the DID again."""
    if voicemail_box:
        return voicemail_box.partition("@")[0]
    if way == "outbound" and _carrier_number([*others, a]):
        return _carrier_number([*others, a])
    last = a.get("Caller-Destination-Number")
    if last and last != CONTINUE_EXTENSION and not (way == "inbound" and last == dialed):
        return last
    if answered_by and not answered_by.startswith("+"):
        return answered_by
    ringing = next((leg.get("variable_dialed_user") or leg.get("Caller-Destination-Number") for leg in others
                    if leg.get("variable_dialed_user") or leg.get("Caller-Destination-Number")), None)
    return ringing or last


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
    voicemail_box = _voicemail_box(a, others)
    answered_by = _answered_by(a, answered)
    fields = {
        "call_uuid": call_uuid,
        "direction": way,
        **_caller(_calling_leg(a, others), way),
        "dialed_number": dialed,
        "destination": _destination(a, others, way, dialed, voicemail_box, answered_by),
        "did": dialed if way == "inbound" else None,
        "answered_by": answered_by,
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
    fields["voicemail_box"] = voicemail_box
    voicemail = _first([a, *others], "variable_voicemail_file_path")
    if voicemail:
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
        for address in (leg.get("variable_presence_id"), _channel_address(leg)):
            host = _user(address)[1]
            if host:
                domains.append(host.lower())
    numbers = [n for n in (dialed, a.get("Caller-RDNIS")) if n and n.startswith("+")]
    if way == "outbound" and (a.get("Caller-Caller-ID-Number") or "").startswith("+"):
        numbers.append(a["Caller-Caller-ID-Number"])  # a call the product originated from one of our numbers
    return Composed(fields, list(dict.fromkeys(domains)), numbers)
