"""One call leg, as FreeSWITCH reports it in either of its two CDR formats: a CHANNEL_HANGUP_COMPLETE
event (`event plain` text) or an xml_cdr record (the XML mod_xml_cdr posts or spools, URL-encoded or not).
Both become the same small dict of ESL-named fields, which is what the journal keeps beside the raw text
and what the call composer reads. Pure functions: no database, no Flask."""
from __future__ import annotations

import re
from urllib.parse import unquote

from lxml import etree

# The caller-profile fields we read (ESL header name -> xml_cdr <caller_profile> child).
PROFILE_FIELDS = {
    "Caller-Caller-ID-Name": "caller_id_name",
    "Caller-Caller-ID-Number": "caller_id_number",
    "Caller-Destination-Number": "destination_number",
    "Caller-Context": "context",
    "Caller-RDNIS": "rdnis",
    "Caller-Network-Addr": "network_addr",
}
# The channel variables we read (ESL header `variable_<name>`, xml_cdr <variables><name>).
VARIABLES = (
    "uuid", "direction", "channel_name", "hangup_cause", "presence_id", "sofia_profile_name",
    "sip_authorized", "sip_req_user", "domain_name", "dialed_domain", "dialed_user", "user_context",
    "accountcode", "call_direction", "start_uepoch", "answer_uepoch", "end_uepoch", "duration", "billsec",
    "bridge_uuid", "last_bridge_to", "bridge_channel", "last_arg", "current_application_data",
    "originate_disposition", "originated_legs", "last_sent_callee_id_number",
    "originator", "originating_leg_uuid", "loopback_leg", "other_loopback_leg_uuid",
    "cc_side", "cc_agent", "cc_agent_bridged", "cc_member_session_uuid",
    "voicemail_account", "voicemail_domain", "voicemail_file_path",
    "fax_success", "fax_result_text", "fax_document_transferred_pages", "fax_filename",
    "centrex_recording", "record_path", "record_name",
    "effective_caller_id_name", "effective_caller_id_number", "centrex_voicemail_box",
)
_WANTED = set(PROFILE_FIELDS) | {f"variable_{name}" for name in VARIABLES}


class LegFormatError(ValueError):
    """The record is not a call leg we can read (no UUID, not XML, not an event)."""


def call_key(leg: dict) -> str:
    """The UUID of the call a leg belongs to: the leg that started the call (its A leg).

    B legs of a bridge name their originator; a callcenter agent leg names the member's channel; the
    B half of a loopback pair names the A half. Anything else started its own call."""
    get = leg.get
    if get("variable_loopback_leg") == "B" and get("variable_other_loopback_leg_uuid"):
        return get("variable_other_loopback_leg_uuid")
    for name in ("variable_originating_leg_uuid", "variable_originator"):
        if get(name):
            return get(name)
    if get("variable_cc_side") == "agent" and get("variable_cc_member_session_uuid"):
        return get("variable_cc_member_session_uuid")
    return leg["variable_uuid"]


def _finish(leg: dict) -> dict:
    if not leg.get("variable_uuid"):
        raise LegFormatError("the record has no channel UUID")
    leg["call"] = call_key(leg)
    return leg


def leg_from_headers(headers: dict[str, str]) -> dict:
    """From a decoded CHANNEL_HANGUP_COMPLETE event (header name -> value)."""
    leg = {name: value for name, value in headers.items() if name in _WANTED and value != ""}
    if "variable_uuid" not in leg and headers.get("Unique-ID"):
        leg["variable_uuid"] = headers["Unique-ID"]
    if "variable_hangup_cause" not in leg and headers.get("Hangup-Cause"):
        leg["variable_hangup_cause"] = headers["Hangup-Cause"]
    if "variable_end_uepoch" not in leg and headers.get("Event-Date-Timestamp"):  # a refused INVITE has no times
        leg["variable_end_uepoch"] = headers["Event-Date-Timestamp"]
    return _finish(leg)


_PLAIN_WANTED = _WANTED | {"Unique-ID", "Hangup-Cause", "Event-Name", "Event-Date-Timestamp"}


def leg_from_plain(text: str) -> dict:
    """From the `event plain` text of a CHANNEL_HANGUP_COMPLETE (URL-encoded values). Decodes only the
    headers it needs, which matters at thousands of events a second."""
    headers = {}
    for line in text.split("\n\n", 1)[0].split("\n"):
        name, _, value = line.partition(": ")
        if name in _PLAIN_WANTED:
            headers[name] = unquote(value) if "%" in value else value
    if headers.get("Event-Name") != "CHANNEL_HANGUP_COMPLETE":
        raise LegFormatError("not a CHANNEL_HANGUP_COMPLETE event")
    return leg_from_headers(headers)


def xml_cdr_document(data: bytes | str) -> bytes:
    """The XML of an xml_cdr record, whether posted/spooled URL-encoded (`encode=true`) or plain."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = text.strip()
    if text.startswith("cdr="):
        text = text[4:]
    if not text.startswith("<"):  # FreeSWITCH encodes '+' and ' ' too, so no '+' means space here
        text = unquote(text)
    if not text.startswith("<"):
        raise LegFormatError("not an xml_cdr record")
    return _XML_TAG.sub(_valid_tag, text).encode()


# xml_cdr names an element after each channel variable, whatever its name: mod_limit's
# `limit_usage_<realm>_<user@domain>` is not an XML name, and lxml then refuses the whole record (values
# are URL-encoded, so `<` only ever starts a tag). Such names become valid ones; we read none of them.
_XML_TAG = re.compile(r"<(/?)([A-Za-z_][^\s/>]*)")
_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9_.-]")


def _valid_tag(match: re.Match) -> str:
    return f"<{match.group(1)}{_NOT_NAME_CHAR.sub('_', match.group(2))}"


def leg_from_xml_cdr(data: bytes | str) -> dict:
    """From an xml_cdr record. Variables are URL-encoded inside the XML; repeated variables are
    FreeSWITCH arrays and become `ARRAY::a|:b` as in events. The newest callflow is the current profile."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml_cdr_document(data), parser)
    except etree.XMLSyntaxError as exc:
        raise LegFormatError(f"unreadable xml_cdr record: {exc}") from exc
    if root.tag != "cdr":
        raise LegFormatError("not an xml_cdr record")
    leg: dict[str, str] = {}
    seen: dict[str, list[str]] = {}
    for element in root.findall("variables/*"):
        if element.tag in VARIABLES:
            seen.setdefault(element.tag, []).append(unquote(element.text or ""))
    for name, values in seen.items():
        value = values[0] if len(values) == 1 else "ARRAY::" + "|:".join(values)
        if value != "":
            leg[f"variable_{name}"] = value
    profile = root.find("callflow/caller_profile")
    if profile is not None:
        for header, child in PROFILE_FIELDS.items():
            value = profile.findtext(child)
            if value:
                leg[header] = value
    return _finish(leg)


def array_items(value: str | None) -> list[str]:
    """FreeSWITCH's `ARRAY::a|:b` (or a plain value) as a list."""
    if not value:
        return []
    if value.startswith("ARRAY::"):
        return value[len("ARRAY::"):].split("|:")
    return [value]
