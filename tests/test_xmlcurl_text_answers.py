"""The directory's user answer and the dialplan answer are written as text (a template with escaped
values), not as lxml trees: the same bytes as the trees they replaced for every demo user and many demo
calls, and hostile values escaped as lxml escapes them (then made unreadable to FreeSWITCH's preprocessor
by the same serialiser), control characters refused as lxml refused them."""
from dataclasses import replace
from datetime import datetime
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from lxml import etree
from sqlalchemy import select

from centrex.directory.lookup import DirectoryUser, find_user
from centrex.freeswitch.user_cache import USER_CACHE_MS
from centrex.models import Tenant, User
from centrex.platform.db import db
from centrex.routing.calls import route_call
from centrex.routing.engine import Call
from xmlcurl import dialplan
from xmlcurl.directory import DIAL_STRING, _user_document
from xmlcurl.documents import document, params, serialise, variables

HOSTILE = [
    "Al $${centrex_esl_password} ${uuid}",
    "X-PRE-process cmd=set x-pre-process",
    'quotes " and \' here',
    "<user id=\"1\"/> & &amp; >",
    "tab\there, new\nline, return\rhere",
    "é ü ß \u2028 \U0001F600 \x7f",
]


def tree_document(u: DirectoryUser) -> bytes:
    """The answer as it was built before (lxml elements, serialise)."""
    root, section = document("directory")
    domain = etree.SubElement(section, "domain", name=u.domain)
    params(domain, [("dial-string", DIAL_STRING)])
    variables(domain, [("tenant_id", u.tenant_id), ("user_context", u.domain)])
    group = etree.SubElement(etree.SubElement(domain, "groups"), "group", name="default")
    user = etree.SubElement(etree.SubElement(group, "users"), "user", id=u.extension,
                            cacheable=str(USER_CACHE_MS))
    params(user, [("a1-hash", u.a1_hash), ("vm-a1-hash", u.vm_a1_hash),
                  ("vm-enabled", "true" if u.vm_a1_hash else "false"),
                  ("max-registrations-per-extension", current_app.config["MAX_REGISTRATIONS_PER_EXTENSION"])])
    variables(user, [("user_context", u.domain), ("domain_name", u.domain), ("tenant_id", u.tenant_id),
                     ("accountcode", u.domain), ("effective_caller_id_name", u.name),
                     ("effective_caller_id_number", u.extension), ("outbound_caller_id_name", u.tenant_name),
                     ("outbound_caller_id_number", u.outbound_number), ("user_max_calls", u.max_calls),
                     ("default_language", u.language)])
    return serialise(root)


def same_document(a: bytes, b: bytes) -> bool:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.tostring(etree.fromstring(a, parser), method="c14n") == \
        etree.tostring(etree.fromstring(b, parser), method="c14n")


def test_every_demo_user_gets_the_same_document_as_from_the_tree(demo):
    rows = db.session.execute(select(Tenant.domain, User.extension).join(User, User.tenant_id == Tenant.id)).all()
    users = [find_user(domain, extension) for domain, extension in rows]
    assert len([u for u in users if u]) >= 8  # both demo companies' enabled users
    for u in filter(None, users):
        text, tree = _user_document(u), tree_document(u)
        assert text == tree, (u.extension, u.domain)
        assert same_document(text, tree)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_escaped_as_the_tree_escaped_them(demo, value):
    u = find_user("dupont.example", "1001")
    hostile = replace(u, name=value, tenant_name=value, outbound_number=value, language=value)
    text = _user_document(hostile)
    assert text == tree_document(hostile)
    assert b"$${" not in text and b"x-pre-process" not in text.lower()
    names = etree.fromstring(text).xpath("//variable[@name='effective_caller_id_name']/@value")
    assert names == [value]  # the same value once parsed


@pytest.mark.parametrize("value", ["nul\x00", "bell\x07", "vt\x0b", "esc\x1b[0m"])
def test_control_characters_are_refused_as_the_tree_refused_them(demo, value):
    u = find_user("dupont.example", "1001")
    with pytest.raises(ValueError):
        tree_document(replace(u, name=value))
    with pytest.raises(ValueError):
        _user_document(replace(u, name=value))


def tree_dialplan(plan, call) -> bytes:
    """The dialplan answer as it was built before (lxml elements, serialise)."""
    root, section = document("dialplan", "centrex")

    def extension(context_name: str):
        context = etree.SubElement(section, "context", name=context_name)
        ext = etree.SubElement(context, "extension", name=f"centrex_{dialplan._safe(call.destination)}")
        return etree.SubElement(ext, "condition", field="destination_number",
                                expression=f"^{dialplan._regex_literal(call.destination)}$")
    if plan is None:
        etree.SubElement(extension("public"), "action", application="hangup", data="UNALLOCATED_NUMBER")
        return serialise(root)
    condition = extension(plan.context)
    for step in plan.steps:
        for app, data in dialplan.actions(step, plan):
            etree.SubElement(condition, "action", {"application": app, **({} if data is None else {"data": data})})
    return serialise(root)


CALLS = [Call("dupont.example", dialled, "1001", "1001") for dialled in
         ("1000", "1002", "1003", "1005", "1099", "2001", "2002", "2003", "2100", "3000", "5000", "8000", "*97",
          "0213334455", "+41791112233", "0900123456", "112", "dest-x")] + \
        [Call("public", did, "+41791112233") for did in
         ("+41215550100", "+41215550110", "+41215550101", "+41215550106", "+41215550190", "+41215559999")] + \
        [Call("martin.example", "1002", "1001", "1001")]
MOMENTS = ["2026-12-07 10:00", "2026-12-07 13:00", "2026-12-05 10:00", "2026-12-25 10:00", "2026-12-07 23:00"]


def test_every_demo_call_gets_the_same_dialplan_document_as_from_the_tree(demo):
    zurich = ZoneInfo("Europe/Zurich")
    seen = 0
    for call, moment in product(CALLS, MOMENTS):
        at = datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=zurich)
        plan = route_call(call, at)
        if plan is None:
            if call.context != "public":
                continue
            text = dialplan.render_refusal(call)
        else:
            text = dialplan.render_answer(plan, call)
            seen += 1
        assert text == tree_dialplan(plan, call), (call, moment)
    assert seen >= 100
