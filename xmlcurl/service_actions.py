"""FreeSWITCH applications for the call steps of centrex.service_steps, for the dialplan renderer:
`for app, data in actions(step, domain): <action application=app data=data/>`."""
from __future__ import annotations

from centrex.service_steps import ConferenceStep, IvrStep, PreAnswerAnnouncement, QueueStep, VoicemailStep

# Swiss ringback (425 Hz, 1 s on, 4 s off), heard after an early-media announcement until someone answers.
RINGBACK = "%(1000,4000,425)"


def actions(step, domain: str) -> list[tuple[str, str | None]]:
    if isinstance(step, PreAnswerAnnouncement):
        return [("pre_answer", None), ("playback", step.path), ("set", f"ringback={RINGBACK}")]
    if isinstance(step, IvrStep):
        return [("answer", None), ("sleep", "500"), ("ivr", step.menu_name), ("hangup", "NORMAL_CLEARING")]
    if isinstance(step, QueueStep):
        steps = [("answer", None), ("set", "hangup_after_bridge=true"), ("callcenter", step.queue_name)]
        if step.then_address is None:
            return steps + [("hangup", "NORMAL_CLEARING")]
        return steps + [("transfer", f"{step.then_address} XML {domain}")]
    if isinstance(step, ConferenceStep):
        return [("answer", None), ("conference", f"{step.room_name}@{step.profile}")]
    if isinstance(step, VoicemailStep):
        steps = [("answer", None), ("sleep", "500")]
        if step.language:
            steps.append(("set", f"default_language={step.language}"))
        if step.check:
            return steps + [("voicemail", f"check default {step.domain} {step.box}"),
                            ("hangup", "NORMAL_CLEARING")]
        if step.greeting_path:
            steps.append(("set", f"voicemail_greeting_path={step.greeting_path}"))
        return steps + [("voicemail", f"default {step.domain} {step.box}"), ("hangup", "NORMAL_CLEARING")]
    raise TypeError(f"not a service step: {step!r}")

