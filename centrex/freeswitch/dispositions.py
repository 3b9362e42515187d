"""What a failed bridge tells the next step: FreeSWITCH's originate_disposition / DIALSTATUS (seen live in
the captures 51, 53, 56) as one of the routing engine's outcomes: busy, no_answer, offline, failed."""
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
