"""The configuration section: what mod_ivr, mod_callcenter, mod_conference and mod_local_stream read from
us. Every other file (and any request we cannot tie to a tenant's object) gets "not found", so FreeSWITCH
falls back to its own autoload_configs. callcenter.conf is always answered, even empty, so the stock
sample queue never loads."""
from __future__ import annotations

from flask import current_app
from lxml import etree

from centrex.features import conferences, ivr, moh, queues
from centrex.features.audio import freeswitch_dir
from centrex.freeswitch import commands, names
from xmlcurl.documents import document, xml_response

# Heard when a menu has no greeting uploaded yet: a short beep, then the keys work.
NO_GREETING = "tone_stream://%(200,0,800)"
CALLER_CONTROLS = "centrex_caller"
MODERATOR_CONTROLS = "centrex_moderator"
# A room that is closed (disabled, outside its period) or unknown: a code no keypad can type, one try.
CLOSED_ROOM = [("pin", "closed"), ("pin-retries", 1), ("max-members", 2),
               ("pin-sound", "conference/conf-pin.wav"), ("bad-pin-sound", "conference/conf-locked.wav")]


def answer(form) -> tuple[object | None, str]:
    if form.get("tag_name") != "configuration" or form.get("key_name") != "name":
        return None, "not a configuration file lookup"
    name = form.get("key_value") or ""
    handler = FILES.get(name)
    if handler is None:
        return None, f"{name or '?'} is left to FreeSWITCH's own file"
    return handler(form)


def _configuration(name: str, description: str):
    root, section = document("configuration")
    return root, etree.SubElement(section, "configuration", name=name, description=description)


def _params(parent, items) -> None:
    for key, value in items:
        if value is not None:
            etree.SubElement(parent, "param", name=key, value=str(value))


# --- ivr.conf ------------------------------------------------------------------------------------

def ivr_conf(form):
    menu = names.parse_ivr_menu(form.get("Menu-Name") or "")
    if menu is None:
        return None, f"Menu-Name {form.get('Menu-Name')!r} is not one of ours"
    domain, menu_id = menu
    for field in ("Caller-Context", "variable_domain_name"):
        if form.get(field) and form.get(field) != domain:
            return None, f"{field}={form.get(field)} asks for a menu of {domain}"
    tree = ivr.menu_tree(domain, menu_id)
    if not tree:
        return None, f"no menu {menu_id} in {domain}"
    root, config = _configuration("ivr.conf", "IVR menus")
    menus = etree.SubElement(config, "menus")
    for view in tree:
        attrs = {
            "name": view.name,
            "greet-long": view.greeting or NO_GREETING,
            "greet-short": view.repeat_greeting or view.greeting or NO_GREETING,
            "timeout": str(view.no_input_ms),
            "inter-digit-timeout": "2000",
            "max-failures": str(view.max_failures),
            "max-timeouts": str(view.max_timeouts),
            "exec-on-max-failures": _app(view.on_failures, domain),
            "exec-on-max-timeouts": _app(view.on_timeouts, domain),
            "digit-len": str(view.digit_len),
        }
        if view.invalid_sound:
            attrs["invalid-sound"] = view.invalid_sound
        menu = etree.SubElement(menus, "menu", attrs)
        for digits, outcome in view.entries:
            entry = {"action": "menu-exec-app", "digits": digits}
            if outcome.action == "sub":
                entry.update(action="menu-sub", param=outcome.target)
            elif outcome.action == "back":
                entry["action"] = "menu-back"
            elif outcome.action == "top":
                entry["action"] = "menu-top"
            else:
                entry["param"] = _app(outcome, domain)
            etree.SubElement(menu, "entry", entry)
    return xml_response(root), f"ivr {tree[0].name}: {len(tree)} menus"


def _app(outcome, domain: str) -> str:
    """An application line for menu-exec-app / exec-on-max-*: `transfer <target> XML <domain>` etc."""
    if outcome.action == "transfer":
        return f"transfer {commands.dialplan_destination(outcome.target, domain)}"
    if outcome.action in ("sub", "menu"):
        return f"ivr {outcome.target}"
    return "hangup NORMAL_CLEARING"


# --- callcenter.conf -----------------------------------------------------------------------------

def callcenter_conf(form):
    wanted_queue = form.get("CC-Queue")
    if wanted_queue is not None and names.parse_queue(wanted_queue) is None:
        return None, f"CC-Queue {wanted_queue!r} is not one of ours"
    queue_views, agents, tiers = queues.callcenter_config(wanted_queue, form.get("CC-Agent"))
    if wanted_queue and not queue_views:
        return None, f"no queue {wanted_queue}"
    root, config = _configuration("callcenter.conf", "CallCenter")
    etree.SubElement(config, "settings")
    queues_el = etree.SubElement(config, "queues")
    for view in queue_views:
        queue = etree.SubElement(queues_el, "queue", name=view.name)
        _params(queue, [
            ("strategy", view.strategy),
            ("moh-sound", view.moh_stream),
            ("time-base-score", "system"),
            ("max-wait-time", view.max_wait_seconds),
            ("max-wait-time-with-no-agent", view.max_wait_seconds),
            ("max-wait-time-with-no-agent-time-reached", 5),
            ("tier-rules-apply", "false"),
            ("tier-rule-wait-second", 300),
            ("tier-rule-wait-multiply-level", "true"),
            ("tier-rule-no-agent-no-wait", "false"),
            ("discard-abandoned-after", 60),
            ("abandoned-resume-allowed", "false"),
        ])
    agents_el = etree.SubElement(config, "agents")
    for agent in agents:
        # max-no-answer 0: a phone that does not answer is skipped, never put "On Break" for good.
        etree.SubElement(agents_el, "agent", {
            "name": agent.name, "type": "callback", "contact": agent.contact, "status": "Available",
            "max-no-answer": "0", "wrap-up-time": "5", "reject-delay-time": "5", "busy-delay-time": "5",
            "no-answer-delay-time": "5"})
    tiers_el = etree.SubElement(config, "tiers")
    for tier in tiers:
        etree.SubElement(tiers_el, "tier", agent=tier.agent, queue=tier.queue, level="1",
                         position=str(tier.position))
    return xml_response(root), f"callcenter {len(queue_views)} queues, {len(agents)} agents"


# --- conference.conf -----------------------------------------------------------------------------

def conference_conf(form):
    if form.get("Action") == "request-controls":
        group = form.get("Controls")
        if group not in (CALLER_CONTROLS, MODERATOR_CONTROLS):
            return None, f"controls {group!r} are FreeSWITCH's own"
        root, config = _configuration("conference.conf", "Audio Conference")
        _controls(config)
        return xml_response(root), f"conference controls {group}"
    room_name, profile = form.get("conference_name"), form.get("profile_name")
    if not room_name or not profile:
        return None, "conference.conf without a room is left to FreeSWITCH's own file"
    if names.parse_conference_profile(profile) is None:
        return None, f"profile {profile!r} is FreeSWITCH's own"
    found = conferences.room_for_profile(room_name, profile)
    root, config = _configuration("conference.conf", "Audio Conference")
    _controls(config)
    profiles = etree.SubElement(config, "profiles")
    if found is None:
        # "not found" would let FreeSWITCH create the room with no profile at all: no code, no limit.
        _params(etree.SubElement(profiles, "profile", name=profile), CLOSED_ROOM)
        return xml_response(root), f"room {room_name} closed or unknown with profile {profile}"
    tenant, room = found
    element = etree.SubElement(profiles, "profile", name=names.conference_profile(tenant.domain))
    _params(element, [
        ("domain", tenant.domain),
        ("rate", 16000),
        ("interval", 20),
        ("energy-level", 100),
        ("comfort-noise", "true"),
        ("max-members", room.max_members),
        ("max-members-sound", "conference/conf-locked.wav"),
        ("pin", room.access_code),
        ("moderator-pin", room.moderator_code),
        ("pin-retries", 3),
        ("pin-sound", "conference/conf-pin.wav"),
        ("bad-pin-sound", "conference/conf-bad-pin.wav"),
        ("caller-controls", CALLER_CONTROLS),
        ("moderator-controls", MODERATOR_CONTROLS),
        ("muted-sound", "conference/conf-muted.wav"),
        ("unmuted-sound", "conference/conf-unmuted.wav"),
        ("alone-sound", "conference/conf-alone.wav"),
        ("kicked-sound", "conference/conf-kicked.wav"),
        ("locked-sound", "conference/conf-locked.wav"),
        ("enter-sound", "tone_stream://%(200,0,500,600,700)"),
        ("exit-sound", "tone_stream://%(500,0,300,200,100,50,25)"),
        ("moh-sound", moh.default_moh_stream(tenant)),
        ("conference-flags", "wait-mod" if room.wait_for_moderator and room.moderator_code else None),
        ("caller-id-name", room.name),
        ("caller-id-number", room.number),
    ])
    return xml_response(root), f"conference {room_name} profile {profile}"


_CALLER_KEYS = [("mute", "0"), ("deaf mute", "*"), ("vol talk dn", "1"), ("vol talk zero", "2"),
                ("vol talk up", "3"), ("vol listen dn", "4"), ("vol listen zero", "5"),
                ("vol listen up", "6"), ("hangup", "#")]


def _controls(config) -> None:
    groups = etree.SubElement(config, "caller-controls")
    for name, extra in ((CALLER_CONTROLS, []), (MODERATOR_CONTROLS, [("lock", "9")])):
        group = etree.SubElement(groups, "group", name=name)
        for action, digits in _CALLER_KEYS + extra:
            etree.SubElement(group, "control", action=action, digits=digits)


# --- local_stream.conf ---------------------------------------------------------------------------

def local_stream_conf(form):
    streams = moh.all_streams()
    if not streams:
        return None, "no hold music class yet: FreeSWITCH's own local_stream.conf"
    root, config = _configuration("local_stream.conf", "stream files from local dir")
    for tenant, moh_class in streams:
        directory = etree.SubElement(config, "directory", name=moh.stream_name(tenant, moh_class),
                                     path=freeswitch_dir(tenant.domain, "moh", moh_class.id))
        _params(directory, [("rate", current_app.config["AUDIO_RATE"]),
                            ("shuffle", "true" if moh_class.shuffle else "false"),
                            ("channels", 1), ("interval", 20), ("timer-name", "soft")])
    return xml_response(root), f"local_stream {len(streams)} classes"


FILES = {
    "ivr.conf": ivr_conf,
    "callcenter.conf": callcenter_conf,
    "conference.conf": conference_conf,
    "local_stream.conf": local_stream_conf,
}
