"""How a call ends when an outcome of ringing (busy, no_answer, offline, failed) leads nowhere."""
from __future__ import annotations


def end_cause(outcome: str) -> str:
    """The hang-up cause when an outcome leads nowhere."""
    return {"busy": "USER_BUSY", "no_answer": "NO_ANSWER", "offline": "USER_NOT_REGISTERED"}.get(
        outcome, "NORMAL_TEMPORARY_FAILURE")
