"""Hypothesis: random tenant configurations and calls. The engine always terminates, stays in its
tenant, and the dialplan it gives FreeSWITCH is always valid XML; random requests never make a 5xx."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from centrex.routing.engine import Call, Continuation, Dest, route
from centrex.routing.engine.plan import (
    OUTCOMES,
    Application,
    ExceptionEntry,
    ForwardEntry,
    GroupEntry,
    Limit,
    MemberEntry,
    RangeEntry,
    Ring,
    RoutingSettings,
    ScheduleEntry,
    ServiceTarget,
    TenantConfig,
    Transfer,
    UserEntry,
    Voicemail,
)
from xmlcurl.dialplan import decode_fallback, encode_fallback, render

pytestmark = pytest.mark.smoke

IDS = st.integers(min_value=1, max_value=6)  # small ids: references hit and miss existing rows
EXTERNALS = st.sampled_from(["+41791234567", "0791234568", "+41900123456", "12", "+33142685300",
                             "+41215550100", "garbage", ""])
KINDS = ["user", "ring_group", "schedule", "external", "voicemail", "ivr", "queue", "conference", "fax",
         "hangup", "bogus"]


@st.composite
def dests(draw):
    kind = draw(st.sampled_from(KINDS))
    if kind == "external":
        return Dest(kind, None, draw(EXTERNALS))
    if kind == "voicemail" and draw(st.booleans()):
        return Dest(kind, None, draw(st.sampled_from(["1000", "1001", "1002", "9999"])))
    if kind == "hangup":
        return Dest(kind, None, draw(st.sampled_from([None, "USER_BUSY", "bad cause"])))
    return Dest(kind, draw(IDS))


@st.composite
def configs(draw, domain):
    n_users = draw(st.integers(0, 4))
    users = {f"100{i}": UserEntry(i + 1, f"100{i}", f"U{i}", has_voicemail=draw(st.booleans()),
                                  call_class=draw(st.sampled_from(["internal", "national", "mobile",
                                                                   "international"])))
             for i in range(n_users)}
    maybe_dest = st.one_of(st.none(), dests())
    forwards = {}
    for uid in range(1, 6):
        rules = draw(st.lists(st.tuples(st.sampled_from(["always", "busy", "no_answer", "offline"]), dests(),
                                        st.booleans(), st.one_of(st.none(), IDS)), max_size=3))
        forwards[uid] = tuple(ForwardEntry(k, uid, kind, d, enabled, 15, sched)
                              for k, (kind, d, enabled, sched) in enumerate(rules))
    groups = {}
    for gid in range(1, draw(st.integers(1, 4))):
        members = draw(st.lists(st.one_of(IDS.map(lambda u: MemberEntry(user_id=u)),
                                          EXTERNALS.map(lambda e: MemberEntry(external=e))), max_size=4))
        groups[gid] = GroupEntry(gid, f"G{gid}", draw(st.sampled_from(["simultaneous", "sequential", "round_robin"])),
                                 draw(st.integers(5, 60)), tuple(members), draw(maybe_dest), f"20{gid:02d}",
                                 draw(st.integers(0, 10)))
    schedules = {}
    for sid in range(1, draw(st.integers(1, 4))):
        ranges = draw(st.lists(st.builds(RangeEntry, st.integers(1, 127), st.integers(0, 1439),
                                         st.integers(1, 1440), maybe_dest), max_size=3))
        exceptions = draw(st.lists(st.builds(ExceptionEntry, st.dates(date(2026, 1, 1), date(2027, 12, 31)),
                                             maybe_dest, st.booleans()), max_size=2))
        schedules[sid] = ScheduleEntry(sid, f"S{sid}", tuple(ranges), tuple(exceptions), draw(maybe_dest))
    numbers = {f"+4121555010{i}": draw(maybe_dest) for i in range(3)}
    targets = {(k, i): ServiceTarget(k, i, str(i)) for k in ("ivr", "queue", "conference", "fax", "voicemail")
               for i in (1, 2) if draw(st.booleans())}
    return TenantConfig(tenant_id=draw(IDS), domain=domain, name="T", users=users, forwards=forwards,
                        groups=groups, schedules=schedules, numbers=numbers, targets=targets,
                        settings=RoutingSettings(hop_limit=draw(st.integers(1, 12))))


CALLS = st.tuples(
    st.sampled_from(["1000", "1001", "1003", "2001", "2002", "+41215550100", "0215550101", "+41215550102",
                     "0791234567", "112", "0900123456", "x", "centrex-continue", "*97", "**1001"]),
    st.sampled_from([None, "1000", "1001"]),
    st.one_of(st.none(), st.tuples(st.sampled_from(OUTCOMES), st.dictionaries(
        st.sampled_from([*OUTCOMES, "then"]), dests(), max_size=5), st.integers(0, 15))),
)
INSTANTS = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(timezone.utc))


def walk(plan, depth=0):
    yield plan, depth
    for branches in plan.branches.values():
        for _, sub in branches:
            yield from walk(sub, depth + 1)


def bridge_legs(data: str) -> list[str]:
    """Split a bridge dial string on , and | outside [] and {} (leg variables contain commas)."""
    legs, depth, current = [], 0, ""
    for ch in data:
        depth += ch in "[{"
        depth -= ch in "]}"
        if ch in ",|" and depth == 0:
            legs.append(current)
            current = ""
        else:
            current += ch
    return legs + [current]


def check_stays_home(plan, config):
    domain = config.domain
    for node, depth in walk(plan):
        assert depth <= config.settings.hop_limit + 1
        for step in node.steps:
            if isinstance(step, Ring):
                for leg in step.legs:
                    assert leg.kind == "external" or leg.address in config.users
                    assert leg.ring_seconds >= (20 if leg.kind == "external" and step.fallback else 5)
            elif isinstance(step, Transfer):
                assert step.context == domain
            elif isinstance(step, Limit):
                assert (step.scope, step.owner) == ("tenant", domain) or (
                    step.scope == "user" and step.owner in config.users)
            elif isinstance(step, Application):
                assert (step.kind, step.id) in config.targets
            elif isinstance(step, Voicemail):
                assert step.box in config.users or any(t.kind == "voicemail" and t.key == step.box
                                                        for t in config.targets.values())
    text = etree.tostring(render(plan, Call(plan.context, "x")))
    document = etree.fromstring(text)  # valid XML, always
    assert document.xpath("/document/section[@name='dialplan']/context/@name") == [plan.context]
    for action in document.iter("action"):
        data = action.get("data") or ""
        if action.get("application") == "bridge":
            for leg in bridge_legs(data):
                assert "sofia/gateway/carrier/" in leg or leg.endswith(f"@{domain}")
        if action.get("application") == "transfer":
            assert data.endswith(f" XML {domain}")
        if action.get("application") in ("hash", "intercept", "voicemail", "limit", "ivr", "callcenter",
                                         "conference"):
            assert domain in data
    assert b"other.example" not in text


@pytest.fixture(scope="module")
def app_context(app):
    with app.app_context():  # rendering a fax reception reads the spool root from the app config
        yield


@settings(max_examples=150, deadline=None)
@given(configs("home.example"), configs("other.example"), CALLS, INSTANTS, st.booleans())
def test_random_configurations_terminate_and_stay_in_their_tenant(app_context, home, other, call_spec, at, expand):
    destination, caller, cont = call_spec
    continuation = Continuation(cont[0], cont[1], cont[2]) if cont and destination == "centrex-continue" else None
    call = Call(home.domain, destination, caller_user=caller, continuation=continuation)
    plan = route(home, call, at, expand=expand)
    assert plan.steps, "every plan does something"
    check_stays_home(plan, home)
    # FreeSWITCH coming back after each failure: follow the chain of continuations to its end.
    for _ in range(home.settings.hop_limit + 2):
        ring = plan.last
        if not isinstance(ring, Ring) or not ring.fallback:
            break
        fallback = decode_fallback(encode_fallback(ring.fallback))
        assert fallback == dict(ring.fallback)
        plan = route(home, Call(home.domain, "centrex-continue",
                                continuation=Continuation("no_answer", fallback, ring.hops)),
                     at + timedelta(seconds=30))
        check_stays_home(plan, home)
    else:
        pytest.fail("continuations did not end within the hop limit")
    # The other tenant, given the same call, only ever speaks of itself.
    other_plan = route(other, Call(other.domain, destination, caller_user=caller), at)
    assert b"home.example" not in etree.tostring(render(other_plan, Call(other.domain, destination)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(context=st.sampled_from(["dupont.example", "martin.example", "public", "DUPONT.example", "x" * 300, ""]),
       destination=st.text(min_size=0, max_size=80),
       fallback=st.text(max_size=60), disposition=st.text(max_size=20))
def test_random_requests_never_fail(demo, client, caplog, context, destination, fallback, disposition):
    from conftest import xmlcurl_headers

    form = {"section": "dialplan", "Caller-Context": context, "Hunt-Context": context,
            "Caller-Destination-Number": destination, "variable_sip_authorized": "true",
            "variable_domain_name": context, "variable_user_name": "1001",
            "variable_centrex_fallback": fallback, "variable_originate_disposition": disposition,
            "Event-Date-Timestamp": "1795948713968491"}
    response = client.post("/xmlcurl", data=form, headers={k: v for k, v in xmlcurl_headers().items()
                                                            if k != "Content-Type"},
                           environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 200
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # no exception turned into "not found"
    document = etree.fromstring(response.data)
    contexts = document.xpath("//context/@name")
    assert contexts in ([], [context.strip().lower()])
