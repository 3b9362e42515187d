"""The dialplan section: read the call from the form, ask the routing engine, render its plan."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from lxml import etree

from centrex.routing import Call, Hangup, Plan, Ring, route
from centrex.routing.loader import load_config
from xmlcurl.documents import document, xml_response


def call_from_form(form) -> Call:
    context = form.get("Hunt-Context") or form.get("Caller-Context") or ""
    destination = form.get("Hunt-Destination-Number") or form.get("Caller-Destination-Number") or ""
    caller_user = None
    if form.get("variable_sip_authorized") == "true" and form.get("variable_domain_name") == context:
        caller_user = form.get("variable_user_name")
    return Call(context=context.strip().lower(), destination=destination.strip(),
                caller=form.get("Caller-Caller-ID-Number") or "", caller_user=caller_user)


# What a dialled string or context may look like; anything else is answered "not found".
_DIALLED = re.compile(r"^[0-9A-Za-z+*#_.@-]{1,64}$")
_CONTEXT = re.compile(r"^[a-z0-9.-]{1,253}$")


def answer(form):
    call = call_from_form(form)
    if not _CONTEXT.match(call.context) or not _DIALLED.match(call.destination):
        return None, f"unusable context/destination {call.context!r}/{call.destination!r}"
    config = load_config(call)
    if config is None:
        return None, f"context {call.context!r} is not a tenant"
    plan = route(config, call, datetime.now(timezone.utc))
    return xml_response(render(plan, call)), f"{call.destination}@{call.context}: {len(plan.steps)} steps"


def render(plan: Plan, call: Call):
    root, section = document("dialplan", "centrex")
    context = etree.SubElement(section, "context", name=plan.context)
    extension = etree.SubElement(context, "extension", name=f"centrex_{_safe(call.destination)}")
    condition = etree.SubElement(extension, "condition", field="destination_number",
                                 expression=f"^{_regex_literal(call.destination)}$")
    for step in plan.steps:
        for app, data in _actions(step, plan):
            etree.SubElement(condition, "action", application=app, data=data)
    return root


def _actions(step, plan: Plan):
    if isinstance(step, Ring):
        sep = "," if step.mode == "simultaneous" else "|"
        legs = sep.join(_leg(t, plan.context) for t in step.targets)
        yield "set", "continue_on_fail=true"
        yield "set", "hangup_after_bridge=true"
        yield "set", f"call_timeout={step.timeout}"
        yield "bridge", legs
    elif isinstance(step, Hangup):
        yield "hangup", step.cause
    else:  # pragma: no cover - a step type the renderer does not know is a programming error
        raise TypeError(f"cannot render {step!r}")


def _leg(target, domain: str) -> str:
    if target.kind == "user":
        return f"[leg_timeout={target.ring_seconds}]user/{target.address}@{domain}"
    raise TypeError(f"cannot dial {target.kind}")


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)[:64]


def _regex_literal(text: str) -> str:
    return "".join("\\" + ch if not ch.isalnum() else ch for ch in text)
