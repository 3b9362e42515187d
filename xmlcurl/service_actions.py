"""FreeSWITCH applications for the call steps of centrex.service_steps, for the dialplan renderer:
`for app, data in actions(step, domain): <action application=app data=data/>`."""
from __future__ import annotations

from centrex.service_steps import ConferenceStep, IvrStep, QueueStep


def actions(step, domain: str) -> list[tuple[str, str | None]]:
    if isinstance(step, IvrStep):
        return [("answer", None), ("sleep", "500"), ("ivr", step.menu_name), ("hangup", "NORMAL_CLEARING")]
    if isinstance(step, QueueStep):
        steps = [("answer", None), ("set", "hangup_after_bridge=true"), ("callcenter", step.queue_name)]
        if step.then_address is None:
            return steps + [("hangup", "NORMAL_CLEARING")]
        return steps + [("transfer", f"{step.then_address} XML {domain}")]
    if isinstance(step, ConferenceStep):
        return [("answer", None), ("conference", f"{step.room_name}@{step.profile}")]
    raise TypeError(f"not a service step: {step!r}")

