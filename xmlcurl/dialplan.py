"""The dialplan section: read the call from the form, ask the routing engine, render its plan.

A Ring step with fallbacks becomes `bridge` with continue_on_fail and then `transfer centrex-continue
XML <tenant>`; before the bridge the fallbacks go on the channel (`centrex_fallback`, `centrex_hops`).
When the bridge fails FreeSWITCH re-enters the dialplan with originate_disposition / DIALSTATUS; that
request is a continuation: the engine runs again from the fallback of that outcome, at that moment."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import quote, unquote

from flask import current_app
from lxml import etree

from centrex.directory.users import mobile_caller
from centrex.freeswitch import commands, fax_contract, names
from centrex.freeswitch.dispositions import outcome_of
from centrex.freeswitch.names import ACCESS_EXTENSION, CONTINUE_EXTENSION, MOVE_EXTENSION, MOVE_KEY
from centrex.routing.calls import route_call
from centrex.routing.engine import Call, Continuation, Dest
from centrex.routing.engine.dialing import carrier_e164
from centrex.routing.engine.plan import (
    OUTCOMES,
    AccessPrompt,
    Announcement,
    Application,
    Decision,
    EnterTenant,
    Hangup,
    HoldMusic,
    KeepLimits,
    Limit,
    MoveToMobile,
    Park,
    Pickup,
    Plan,
    PlayError,
    ReceiveFax,
    Ring,
    StampTenant,
    Transfer,
    Voicemail,
)
from xmlcurl.documents import DECLARATION, attribute, serialised_text, xml_body_response

# What a dialled string or context may look like; anything else is answered "not found".
_DIALLED = re.compile(r"^[0-9A-Za-z+*#_.@-]{1,64}$")
_CONTEXT = re.compile(r"^[a-z0-9.-]{1,253}$")
_EXTENSION = re.compile(r"^[0-9]{2,6}$")
_FALLBACK_ITEM = re.compile(r"^(busy|no_answer|offline|failed|then|skip)=([a-z_]{1,16}):([0-9]{0,10}):"
                            r"([A-Za-z0-9%+._-]{0,120})$")
# Special information tone (ITU-T E.180): "this number cannot be reached", no sound files needed.
SIT_TONE = "tone_stream://%(274,0,913.8);%(274,0,1370.6);%(380,0,1776.7)"
# Swiss ringback (425 Hz, 1 s on, 4 s off), heard after an early-media announcement until someone answers.
RINGBACK = "%(1000,4000,425)"
_UNSAFE_VALUE = re.compile(r"[\x00-\x1f\x7f,\[\]{}^'\"=$\\]")


def call_from_form(form) -> Call:
    context = (form.get("Hunt-Context") or form.get("Caller-Context") or "").strip().lower()
    destination = (form.get("Hunt-Destination-Number") or form.get("Caller-Destination-Number") or "").strip()
    caller_user = None
    if form.get("variable_sip_authorized") == "true" and form.get("variable_domain_name") == context:
        caller_user = form.get("variable_user_name")
    continuation = None
    if destination == CONTINUE_EXTENSION:
        continuation = Continuation(
            outcome=outcome_of(form.get("variable_originate_disposition"), form.get("variable_DIALSTATUS")),
            fallback=decode_fallback(form.get("variable_centrex_fallback") or ""),
            hops=_int(form.get("variable_centrex_hops")))
    if destination == ACCESS_EXTENSION:
        destination, caller_user = _access(form, context)
    move_from = None
    if destination == MOVE_EXTENSION:  # what our Ring put on the leg, never what a phone dialled
        move_from = form.get("variable_centrex_move_from") or ""
        move_from = move_from if _EXTENSION.match(move_from) else ""
    return Call(context=context, destination=destination, caller=form.get("Caller-Caller-ID-Number") or "",
                caller_user=caller_user, continuation=continuation, move_from=move_from)


def _access(form, context: str) -> tuple[str, str | None]:
    """After an access number's prompts: the number typed, dialled as the user whose mobile calls and who
    typed their PIN; else the access extension itself, which routes nowhere (error tone)."""
    extension = form.get("variable_centrex_access_user") or ""
    number = form.get("variable_centrex_access_number") or ""
    caller = carrier_e164(form.get("Caller-Caller-ID-Number") or "",
                          current_app.config.get("CARRIER_COUNTRY", "CH"))
    if (_EXTENSION.match(extension) and re.fullmatch(r"[0-9*#]{2,20}", number)
            and mobile_caller(context, extension, caller, form.get("variable_centrex_access_pin") or "")):
        return number, extension
    return ACCESS_EXTENSION, None


def call_time(form) -> datetime:
    """When FreeSWITCH routes the call: its Event-Date-Timestamp (µs since the epoch), else our clock."""
    try:
        return datetime.fromtimestamp(int(form.get("Event-Date-Timestamp") or "") / 1e6, timezone.utc)
    except (ValueError, OverflowError, OSError):
        return datetime.now(timezone.utc)


def answer(form):
    call = call_from_form(form)
    if not _CONTEXT.match(call.context) or not _DIALLED.match(call.destination):
        return None, f"unusable context/destination {call.context!r}/{call.destination!r}"
    plan = route_call(call, call_time(form))
    if plan is None:
        if call.context == "public":
            return xml_body_response(render_refusal(call)), f"public: {call.destination} is no DID of ours"
        return None, f"context {call.context!r} is not a tenant"
    # the extension matches what FreeSWITCH hunts (centrex-access), not the number typed there
    dialled = (form.get("Hunt-Destination-Number") or form.get("Caller-Destination-Number") or "").strip()
    return (xml_body_response(render_answer(plan, call, dialled)),
            f"{call.destination}@{call.context}: {len(plan.steps)} steps")


def render(plan: Plan, call: Call, dialled: str | None = None):
    """The plan as a document tree (what the answer's bytes parse to)."""
    return etree.fromstring(render_answer(plan, call, dialled))


def render_answer(plan: Plan, call: Call, dialled: str | None = None) -> bytes:
    """The answer's bytes: written as text (its shape is fixed; values escaped by `attribute`), which
    cost a fraction of building an lxml tree per call."""
    lines = []
    for step in plan.steps:
        for app, data in actions(step, plan):
            data_attribute = "" if data is None else f' data="{attribute(data)}"'
            lines.append(f'<action application="{attribute(app)}"{data_attribute}/>')
    return _document(plan.context, dialled or call.destination, "".join(lines))


def render_refusal(call: Call) -> bytes:
    """A carrier call to a number we do not route: refused (404), never a fall-back to static XML."""
    return _document("public", call.destination, '<action application="hangup" data="UNALLOCATED_NUMBER"/>')


def _document(context_name: str, destination: str, actions_text: str) -> bytes:
    condition = (f'<condition field="destination_number" expression="{attribute(f"^{_regex_literal(destination)}$")}"'
                 + (f">{actions_text}</condition>" if actions_text else "/>"))
    return serialised_text(
        f'{DECLARATION}<document type="freeswitch/xml"><section name="dialplan" description="centrex">'
        f'<context name="{attribute(context_name)}"><extension name="centrex_{attribute(_safe(destination))}">'
        f"{condition}</extension></context></section></document>".encode())


def actions(step, plan: Plan):
    """(application, data) pairs FreeSWITCH runs for one step of the plan."""
    domain = plan.domain
    if isinstance(step, Decision):
        return
    if isinstance(step, EnterTenant):  # the directory domain and the context the call goes on in
        yield "set", f"domain_name={_var_value(step.domain)}"
        yield "set", f"user_context={_var_value(step.domain)}"
    elif isinstance(step, StampTenant):  # exported: every leg (and its call record) names the tenant
        yield "export", f"tenant_id={_var_value(str(step.tenant_id))}"
        yield "export", f"accountcode={_var_value(step.domain)}"
    elif isinstance(step, KeepLimits):
        yield "set", "limit_ignore_transfer=true"
    elif isinstance(step, HoldMusic):  # on every leg: the party put on hold hears the holder's music
        yield "export", f"hold_music={_var_value(names.moh_stream(domain, step.class_id))}"
    elif isinstance(step, Limit):
        yield "limit", (f"hash {names.limit_realm(step.scope)} {names.limit_resource(step.scope, step.owner, domain)}"
                        f" {step.max} !{step.cause}")
    elif isinstance(step, Ring):
        yield from _ring(step, plan)
    elif isinstance(step, Transfer):
        yield "transfer", commands.dialplan_destination(step.number, step.context)
    elif isinstance(step, AccessPrompt):
        yield from _access_prompts(step, plan)
    elif isinstance(step, MoveToMobile):
        yield "set", f"centrex_move_job={_move_to_mobile(step, plan)}"
    elif isinstance(step, Voicemail):
        box = names.voicemail_box(step.box)
        if not step.check:  # the call record names the box the call reached (centrex.calls.composition)
            yield "set", f"centrex_voicemail_box={_var_value(f'{box}@{domain}')}"
        yield "answer", None
        yield "sleep", "500"
        if step.language:  # mod_voicemail's phrases follow the channel's language
            yield "set", f"default_language={_var_value(step.language)}"
        if step.greeting and not step.check:  # mod_voicemail's documented way to play our own greeting
            yield "set", "skip_greeting=true"
            yield "playback", step.greeting
        yield "voicemail", f"{'check ' if step.check else ''}default {domain} {box}"
    elif isinstance(step, Announcement):
        yield "pre_answer", None
        yield "playback", step.path
        yield "set", f"ringback={RINGBACK}"
    elif isinstance(step, Pickup):  # the uuid each ring stored under the extension (see _ring)
        yield "intercept", f"${{hash(select/{_pickup_realm(domain)}/{step.extension})}}"
    elif isinstance(step, Park):  # the first call on a slot waits there; the next one takes it back
        yield "answer", None  # valet_park bridges the taker unanswered (183 then nothing: seen live)
        yield "valet_park", f"{names.parking_lot(domain)} {step.slot}"
    elif isinstance(step, Application):
        yield "answer", None
        if step.kind == "ivr":
            yield "sleep", "500"
            yield "ivr", names.ivr_menu(domain, step.id)
        elif step.kind == "queue":
            yield "set", "hangup_after_bridge=true"  # an answered call ends with the agent's hang-up
            yield "callcenter", names.queue(domain, step.id)
            if step.then:  # mod_callcenter returns after the maximum wait: go where the company said
                yield "transfer", commands.dialplan_destination(step.then, domain)
        else:  # mod_conference speaks through the channel's sound prefix: the company's language
            if names.sound_prefix(step.language):
                yield "set", f"sound_prefix={names.sound_prefix(step.language)}"
            yield "conference", names.conference_with_profile(domain, step.key)
    elif isinstance(step, ReceiveFax):  # the fax contract (centrex.freeswitch.fax_contract): variables, answer, rxfax
        for name, value in fax_contract.receive_variables(step.box_id, plan.tenant_id, step.ident or "",
                                                       step.header).items():
            yield "set", f"{name}={_var_value(value)}"
        yield "answer", None
        yield "playback", "silence_stream://2000"
        yield "rxfax", fax_contract.rxfax_file(domain)
        yield "hangup", None
    elif isinstance(step, PlayError):
        yield "pre_answer", None
        yield "playback", SIT_TONE
        yield "hangup", step.cause
    elif isinstance(step, Hangup):
        yield "hangup", step.cause
    else:  # pragma: no cover - a step type the renderer does not know is a programming error
        raise TypeError(f"cannot render {step!r}")


def _ring(step: Ring, plan: Plan):
    if step.fallback:
        yield "set", "continue_on_fail=true"
        yield "set", "hangup_after_bridge=true"
        yield "set", f"centrex_fallback={encode_fallback(step.fallback)}"
        yield "set", f"centrex_hops={step.hops}"
    else:
        yield "set", "continue_on_fail=false"
        yield "set", "hangup_after_bridge=true"
    yield "set", f"call_timeout={step.timeout}"
    for leg in step.legs:
        if leg.kind == "user":  # so a colleague can pick this call up (pickup prefix + extension)
            yield "hash", f"insert/{_pickup_realm(plan.domain)}/{leg.address}/${{uuid}}"
    if step.move_from:  # the desk phone's *1 moves the answered call to the mobile (run on this leg)
        yield "set", f"centrex_move_from={step.move_from}"
        yield "bind_meta_app", f"{MOVE_KEY} b a execute_extension::{MOVE_EXTENSION} XML {plan.domain}"
    yield "bridge", dial_string(step, plan)
    if step.fallback:
        yield "transfer", commands.dialplan_destination(CONTINUE_EXTENSION, plan.domain)


def _access_prompts(step: AccessPrompt, plan: Plan):
    """Answer, collect the PIN (one beep) and the number (two beeps), each ended by #, then go on."""
    yield "answer", None
    yield "sleep", "500"
    for var, low, high, beeps in (("centrex_access_pin", 4, 10, 1), ("centrex_access_number", 2, 20, 2)):
        prompt = "tone_stream://" + ";".join(["%(200,100,800)"] * beeps)
        yield "play_and_get_digits", f"{low} {high} 3 5000 # {prompt} silence_stream://250 {var} \\d+ 3000"
    yield "set", f"centrex_access_user={step.extension}"
    yield "transfer", commands.dialplan_destination(ACCESS_EXTENSION, plan.domain)


def _move_to_mobile(step: MoveToMobile, plan: Plan) -> str:
    """In the background (bgapi, so this leg goes on talking): call the mobile and, once it answers,
    intercept this leg, which hangs up the desk phone it was bridged to (PICKED_OFF)."""
    leg_vars = [f"originate_timeout={step.ring_seconds}", "ignore_early_media=true",
                f"tenant_id={plan.tenant_id}", f"accountcode={_var_value(plan.domain)}"]
    if step.caller_id:
        leg_vars.append(f"origination_caller_id_number={_var_value(step.caller_id)}")
    url = commands.gateway_leg(plan.gateway, step.number)
    return f"${{bgapi(originate {{{','.join(leg_vars)}}}{url} &intercept(${{uuid}}))}}"


def _pickup_realm(domain: str) -> str:
    return f"{domain}-last_dial"


def dial_string(step: Ring, plan: Plan) -> str:
    legs = []
    for leg in step.legs:
        leg_vars = [f"leg_timeout={leg.ring_seconds}"]
        if leg.kind == "user":
            legs.append(f"[{','.join(leg_vars)}]{commands.user_leg(leg.address, plan.domain)}")
            continue
        if leg.delay:  # a mobile twin: its INVITE leaves that many seconds after the phones'
            leg_vars.append(f"leg_delay_start={leg.delay}")
        if leg.caller_id:
            leg_vars.append(f"origination_caller_id_number={_var_value(leg.caller_id)}")
        if step.caller_id_name:
            leg_vars.append(f"origination_caller_id_name={_var_value(step.caller_id_name)}")
        legs.append(f"[{','.join(leg_vars)}]{commands.gateway_leg(plan.gateway, leg.address)}")
    separator = "," if step.mode == "simultaneous" else "|"
    prefix = ""
    if len(legs) > 1 and any(leg.kind == "external" for leg in step.legs):
        prefix = "{ignore_early_media=true}"  # the caller hears our ringback, not one mobile network's
    return prefix + separator.join(legs)


def encode_fallback(fallback) -> str:
    """outcome=kind:id:value;… — values percent-encoded, so nothing in them means anything to FreeSWITCH."""
    return ";".join(f"{outcome}={dest.kind}:{'' if dest.id is None else dest.id}:{quote(dest.value or '', safe='+')}"
                    for outcome, dest in fallback)


def decode_fallback(text: str) -> dict[str, Dest]:
    """The fallbacks a previous plan put on the channel; anything malformed is dropped (an unknown kind
    or id is the engine's business: it answers with an error tone, as for any missing destination)."""
    found = {}
    for item in text.split(";")[:len(OUTCOMES) + 2]:  # + then, skip
        m = _FALLBACK_ITEM.match(item.strip())
        if m:
            value = unquote(m.group(4))[:32] or None
            found[m.group(1)] = Dest(m.group(2), int(m.group(3)) if m.group(3) else None, value)
    return found


def _int(value) -> int:
    try:
        return max(0, min(int(value), 1000))
    except (TypeError, ValueError):
        return 0


def _var_value(value: str) -> str:
    return _UNSAFE_VALUE.sub("", str(value))[:80]


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)[:64]


def _regex_literal(text: str) -> str:
    return "".join("\\" + ch if not ch.isalnum() else ch for ch in text)
