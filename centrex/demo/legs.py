"""Call legs for the demo's past, made from CHANNEL_HANGUP_COMPLETE events captured on a real FreeSWITCH
(captured_legs/: the A and B legs of a call 1001 -> 1002 and of a carrier call to a DID answered by
1002): every UUID replaced consistently, the company, numbers, outcome and times changed, the rest of the
event as FreeSWITCH sent it. The `event plain` text the ESL listener would receive; pure functions."""
from __future__ import annotations

import re
import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

CAPTURED = Path(__file__).with_name("captured_legs")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CAPTURED_DOMAIN = "dupont.example"
GATEWAY = "sofia/gateway/carrier"


def _template(name: str) -> str:
    return (CAPTURED / f"{name}.txt").read_text()


def _uepoch(at: datetime | None) -> str:
    return str(int(at.timestamp() * 1_000_000)) if at else "0"


def _set(text: str, changes: dict[str, str | None]) -> str:
    """The event with these headers set (added when absent; None removes them), values URL-encoded."""
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    names = [line.partition(": ")[0] for line in lines]
    for name, value in changes.items():
        index = names.index(name) if name in names else None
        if value is None:
            if index is not None:
                del lines[index], names[index]
            continue
        line = f"{name}: {quote(value, safe='')}"
        if index is None:
            lines.append(line)
            names.append(name)
        else:
            lines[index] = line
    return "\n".join(lines) + sep + body


@dataclass
class Call:
    """One call of the demo's past, as a person would describe it."""
    kind: str  # internal, internal_missed, inbound, inbound_missed, voicemail, outbound
    domain: str
    caller: tuple[str, str]  # (name, number or extension)
    callee: str  # extension, or the outside number of an outbound call
    at: datetime  # when it started (aware)
    ring: int = 8  # seconds before it was answered (or given up)
    talk: int = 0  # seconds of conversation (or of message)
    did: str | None = None  # the number the carrier delivered (inbound kinds)
    callee_name: str = ""
    voicemail_file: str | None = None  # the message's file (voicemail kind)


def _pair(a_name: str, b_name: str, domain: str) -> tuple[str, str]:
    """The two captured legs with fresh UUIDs (the same mapping for both) and the company's domain."""
    mapping: dict[str, str] = {}

    def fresh(match: re.Match) -> str:
        return mapping.setdefault(match.group(0), str(uuidlib.uuid4()))

    a, b = (UUID_RE.sub(fresh, _template(n)).replace(CAPTURED_DOMAIN, domain) for n in (a_name, b_name))
    return a, b


def _times(call: Call, answered: bool) -> tuple[dict[str, str | None], datetime | None, datetime]:
    answer = call.at + timedelta(seconds=call.ring) if answered else None
    end = (answer + timedelta(seconds=call.talk)) if answer else call.at + timedelta(seconds=call.ring)
    duration = int((end - call.at).total_seconds())
    return {"variable_start_uepoch": _uepoch(call.at), "variable_answer_uepoch": _uepoch(answer),
            "variable_end_uepoch": _uepoch(end), "Event-Date-Timestamp": _uepoch(end),
            "variable_duration": str(duration), "variable_billsec": str(call.talk if answer else 0)}, answer, end


def legs(call: Call) -> list[str]:
    """The CHANNEL_HANGUP_COMPLETE texts FreeSWITCH would send for this call, A leg first."""
    inbound = call.kind in ("inbound", "inbound_missed", "voicemail")
    a, b = _pair("carrier-did-a_leg", "carrier-did-b_leg", call.domain) if inbound else \
        _pair("internal-a_leg", "internal-b_leg", call.domain)
    name, number = call.caller
    a_answered = call.kind in ("internal", "inbound", "outbound", "voicemail")  # voicemail answers the caller
    b_answered = call.kind in ("internal", "inbound", "outbound")
    a_times, _, _ = _times(call, a_answered)
    b_times, _, _ = _times(call, b_answered)  # B legs start with the A leg here (no menu in front)
    who = {"Caller-Caller-ID-Name": name, "Caller-Caller-ID-Number": number, "Caller-Username": number}
    a_changes: dict[str, str | None] = {**who, **a_times, "variable_accountcode": call.domain}
    b_changes: dict[str, str | None] = {**who, **b_times, "variable_accountcode": call.domain,
                                        "variable_effective_caller_id_name": call.callee_name,
                                        "variable_effective_caller_id_number": call.callee}
    if inbound:
        a_changes.update({"Channel-Name": f"sofia/external/{number}@127.0.0.1:5090",
                          "variable_channel_name": f"sofia/external/{number}@127.0.0.1:5090",
                          "variable_sip_req_user": call.did, "Caller-RDNIS": call.did})
        b_changes.update({"Caller-RDNIS": call.did,
                          "variable_bridge_channel": f"sofia/external/{number}@127.0.0.1:5090",
                          "variable_last_sent_callee_id_number": number})
    else:
        a_changes.update({"Channel-Name": f"sofia/internal/{number}@{call.domain}",
                          "variable_channel_name": f"sofia/internal/{number}@{call.domain}",
                          "variable_presence_id": f"{number}@{call.domain}", "variable_sip_req_user": call.callee,
                          "variable_effective_caller_id_name": name, "variable_effective_caller_id_number": number})
        b_changes.update({"variable_bridge_channel": f"sofia/internal/{number}@{call.domain}",
                          "variable_last_sent_callee_id_number": number})
    if call.kind == "outbound":
        target = f"{GATEWAY}/{call.callee}"
        a_changes.update({"Caller-Destination-Number": call.callee, "variable_current_application_data": target,
                          "variable_last_arg": target, "variable_bridge_channel": f"sofia/external/{call.callee}",
                          "variable_last_sent_callee_id_number": call.callee, "variable_dialed_user": None,
                          "variable_dialed_domain": None, "variable_originated_legs": None})
        b_changes.update({"Caller-Destination-Number": call.callee, "Channel-Name": f"sofia/external/{call.callee}",
                          "variable_channel_name": f"sofia/external/{call.callee}",
                          "variable_sofia_profile_name": "external", "variable_dialed_user": None,
                          "variable_dialed_domain": None, "variable_presence_id": None,
                          "variable_effective_caller_id_name": None, "variable_effective_caller_id_number": None})
        return [_set(a, a_changes), _set(b, b_changes)]
    target = f"user/{call.callee}@{call.domain}"
    a_changes.update({"Caller-Destination-Number": call.callee, "variable_current_application_data": target,
                      "variable_last_arg": target, "variable_dialed_user": call.callee,
                      "variable_bridge_channel": f"sofia/internal/{call.callee}@127.0.0.1:5072",
                      "variable_last_sent_callee_id_number": call.callee, "variable_originated_legs": None})
    b_changes.update({"Caller-Destination-Number": call.callee, "variable_dialed_user": call.callee,
                      "Channel-Name": f"sofia/internal/{call.callee}@127.0.0.1:5072",
                      "variable_channel_name": f"sofia/internal/{call.callee}@127.0.0.1:5072",
                      "variable_presence_id": f"{call.callee}@{call.domain}"})
    if not b_answered:  # the phone rang and nobody took it: no bridge on either side
        cause = "ORIGINATOR_CANCEL" if call.kind != "voicemail" else "NO_ANSWER"
        unbridged = {"variable_bridge_uuid": None, "variable_last_bridge_to": None,
                     "variable_bridge_channel": None, "variable_last_sent_callee_id_number": None}
        a_changes.update(unbridged, variable_originate_disposition=cause)
        b_changes.update(unbridged, variable_hangup_cause=cause, **{"Hangup-Cause": cause})
        if call.kind != "voicemail":
            a_changes.update({"variable_hangup_cause": cause, "Hangup-Cause": cause})
    if call.kind == "voicemail":
        a_changes.update({"variable_voicemail_account": call.callee, "variable_voicemail_domain": call.domain,
                          "variable_voicemail_file_path": call.voicemail_file,
                          "variable_current_application_data": f"default {call.domain} {call.callee}",
                          "variable_last_arg": None})
    return [_set(a, a_changes), _set(b, b_changes)]
