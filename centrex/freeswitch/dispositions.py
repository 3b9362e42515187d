"""How FreeSWITCH says a call failed: a failed bridge's originate_disposition / DIALSTATUS (seen live in
the captures 51, 53, 56) as one of the routing engine's outcomes (busy, no_answer, offline, failed), and an
originate's result (its BACKGROUND_JOB body) with the causes no retry will change."""
from __future__ import annotations

_BUSY = {"USER_BUSY", "CALL_REJECTED", "BUSY"}
_NO_ANSWER = {"NO_ANSWER", "NOANSWER", "NO_USER_RESPONSE", "ALLOTTED_TIMEOUT", "RECOVERY_ON_TIMER_EXPIRE"}
_OFFLINE = {"USER_NOT_REGISTERED", "SUBSCRIBER_ABSENT", "DESTINATION_OUT_OF_ORDER"}


def outcome_of(disposition: str | None, dialstatus: str | None = None) -> str:
    """busy / no_answer / offline / failed, from FreeSWITCH's originate_disposition (or DIALSTATUS)."""
    for value in (disposition, dialstatus):
        value = (value or "").strip().upper()
        if value in _BUSY:
            return "busy"
        if value in _NO_ANSWER:
            return "no_answer"
        if value in _OFFLINE:
            return "offline"
    return "failed"


# Originate causes that no retry will change (Q.850 names as FreeSWITCH reports them).
PERMANENT_CAUSES = frozenset({
    "UNALLOCATED_NUMBER", "INVALID_NUMBER_FORMAT", "NO_ROUTE_DESTINATION", "NUMBER_CHANGED", "CALL_REJECTED",
    "INCOMPATIBLE_DESTINATION", "FACILITY_NOT_SUBSCRIBED", "OUTGOING_CALL_BARRED", "INCOMING_CALL_BARRED",
    "BEARERCAPABILITY_NOTAUTH"})


def originate_result(reply: str) -> tuple[bool, str]:
    """An originate's reply: (True, channel uuid) for "+OK <uuid>", else (False, the cause after -ERR)."""
    reply = (reply or "").strip()
    if reply.startswith("+OK"):
        return True, reply[3:].strip()
    return False, reply.removeprefix("-ERR").strip()
