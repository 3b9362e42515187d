"""Calls leaving the company through the live switch: what the carrier receives (Request-URI in E.164,
the caller ID in From / P-Asserted-Identity / Remote-Party-ID), what it never receives (refused calls),
emergency numbers for everyone, and the simultaneous-call caps."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import select

pytestmark = pytest.mark.live

DUPONT_MAIN = "+41215550100"
ALAIN_DIRECT = "+41215550102"


@contextmanager
def user_settings(live, extension: str, **values):
    """A Dupont user's fields set for the block (through the users service), restored afterwards."""
    from centrex.directory.users import update_user
    from centrex.models import Tenant, User

    def apply(wanted):
        with live.data() as session:
            user = session.execute(select(User).join(Tenant).where(
                Tenant.domain == "dupont.example", User.extension == extension)).scalar_one()
            before = {key: getattr(user, key) for key in wanted}
            update_user(user, wanted)
            return before

    before = apply(values)
    try:
        yield
    finally:
        apply(before)


def carrier_invites_to(live, number: str) -> list:
    """The calls the carrier received for `number`: the first INVITE of each Call-ID (a loaded switch
    retransmits, and a retransmission is no second call)."""
    calls = {}
    for invite in live.carrier.invites():
        if f"sip:{number}@" in invite.first_line:
            calls.setdefault(invite.header("Call-ID"), invite)
    return list(calls.values())


def caller_ids(invite) -> dict[str, str | None]:
    return {name: invite.header(name) for name in ("From", "P-Asserted-Identity", "Remote-Party-ID")}


def assert_refused_before_carrier(live, result, number: str, code: int = 403,
                                  cause: str = "OUTGOING_CALL_BARRED"):
    """The caller got `code` with FreeSWITCH's Q.850 reason, and the carrier never heard of the call."""
    assert result.final == code, (result.responses(), result.output[-2000:])
    final = [m for m in result.messages if m.status == code][-1]
    assert f'text="{cause}"' in (final.header("Reason") or ""), final.text
    time.sleep(0.5)  # a bridge would have sent its INVITE long before the caller got a final answer
    assert carrier_invites_to(live, number) == [], "the carrier received a refused call"


@pytest.mark.parametrize("dialled, e164", [
    ("0213334455", "+41213334455"),    # national
    ("+41213334454", "+41213334454"),  # national, dialled in E.164
    ("0791112234", "+41791112234"),    # mobile
    ("0033142685310", "+33142685310"),  # France: Alain's class is international
])
def test_an_allowed_call_reaches_the_carrier_in_e164_from_the_direct_line(phones, dialled, e164):
    live = phones
    live.at("2026-12-07 10:00")
    result = live.call("1001", dialled, talk_ms=300)
    assert result.final == 200, result.output[-2000:]
    invite, = carrier_invites_to(live, e164)
    assert invite.first_line.startswith(f"INVITE sip:{e164}@"), invite.first_line
    shown = caller_ids(invite)
    assert f"sip:{ALAIN_DIRECT}@" in shown["From"], shown
    asserted = shown["P-Asserted-Identity"] or shown["Remote-Party-ID"]
    assert asserted and ALAIN_DIRECT in asserted, shown
    assert "1001" not in (shown["From"].split("@")[0] + (asserted or "").split("@")[0]), shown


@pytest.mark.parametrize("extension, number, why", [
    ("1002", "0033142685300", "Sophie's class is national: France is international"),
    ("1002", "0791112233", "Sophie's class is national: a Swiss mobile needs the class mobile"),
    ("1001", "+881612345678", "+881 is a blocked prefix of Dupont SA (satellite)"),
    ("1001", "00882161234567", "+882 is a blocked prefix of Dupont SA, dialled with 00"),
    ("1001", "0901234567", "0901 is premium-rate, refused to the whole company"),
    ("1001", "0900123456", "0900 is premium-rate, refused to the whole company"),
])
def test_a_refused_number_gets_a_sip_refusal_and_never_reaches_the_carrier(phones, extension, number, why):
    live = phones
    live.at("2026-12-07 10:00")
    from centrex.routing.engine import dialing

    e164 = dialing.classify(number, "CH").number
    result = live.call(extension, number, talk_ms=500)
    assert_refused_before_carrier(live, result, e164)


def test_a_number_that_does_not_exist_is_refused_as_such_before_the_carrier(phones):
    live = phones
    live.at("2026-12-07 10:00")
    result = live.call("1001", "02133344", talk_ms=300)  # a Swiss number two digits short
    assert_refused_before_carrier(live, result, "02133344", 484, "INVALID_NUMBER_FORMAT")
    assert carrier_invites_to(live, "+412133344") == []


def test_emergency_numbers_reach_the_carrier_even_for_an_internal_only_user(phones):
    live = phones
    live.at("2026-12-07 10:00")
    with user_settings(live, "1003", call_class="internal"):
        refused = live.call("1003", "0213334458", talk_ms=300)
        assert_refused_before_carrier(live, refused, "+41213334458")
        for number in ("112", "117", "118", "144"):
            before = len(carrier_invites_to(live, number))
            result = live.call("1003", number, talk_ms=300)
            assert result.final == 200, (number, result.responses(), result.output[-2000:])
            assert len(carrier_invites_to(live, number)) == before + 1, number
            shown = caller_ids(carrier_invites_to(live, number)[-1])
            assert "+41215550104" in shown["From"], shown  # Luc's direct line: the rescuers can call back


@pytest.fixture
def user_without_direct_line(live):
    """Dupont user 1009 with no direct number of their own (removed after the test)."""
    from centrex.directory.users import create_user
    from centrex.models import Tenant, User

    with live.data() as session:
        dupont = session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
        user = create_user(dupont, {"extension": "1009", "name": "Stagiaire Sans Ligne",
                                    "call_class": "national"})
        user_id = user.id
    yield "1009"
    with live.data() as session:
        session.delete(session.get(User, user_id))


def test_a_user_without_direct_line_shows_the_main_number(phones, user_without_direct_line):
    live = phones
    live.at("2026-12-07 10:00")
    result = live.call(user_without_direct_line, "0213334456", talk_ms=300)
    assert result.final == 200, result.output[-2000:]
    invite, = carrier_invites_to(live, "+41213334456")
    shown = caller_ids(invite)
    assert f"sip:{DUPONT_MAIN}@" in shown["From"], shown
    assert DUPONT_MAIN in (shown["P-Asserted-Identity"] or shown["Remote-Party-ID"] or ""), shown


def test_the_other_company_shows_its_own_number(phones):
    live = phones
    live.at("2026-12-07 10:00")
    result = live.call("1001", "0213334459", "martin.example", talk_ms=300)  # Pierre Martin, same extension
    assert result.final == 200, result.output[-2000:]
    invite, = carrier_invites_to(live, "+41213334459")
    assert "sip:+41225550202@" in invite.header("From"), caller_ids(invite)
    assert "Martin" in invite.header("From"), caller_ids(invite)


def test_caller_id_mode_main_shows_the_main_number(phones):
    live = phones
    live.at("2026-12-07 10:00")
    with user_settings(live, "1001", caller_id_mode="main"):
        result = live.call("1001", "0213334457", talk_ms=300)
    assert result.final == 200, result.output[-2000:]
    invite, = carrier_invites_to(live, "+41213334457")
    assert f"sip:{DUPONT_MAIN}@" in invite.header("From"), caller_ids(invite)


def _open_calls(live, extension: str, numbers: list[str], talk_ms: int):
    """Start calls from `extension` to `numbers` at once; the pool's futures (each a SIPp Result)."""
    pool = ThreadPoolExecutor(max_workers=len(numbers))
    futures = [pool.submit(live.call, extension, number, talk_ms=talk_ms, name=f"{extension}-{i}")
               for i, number in enumerate(numbers)]
    pool.shutdown(wait=False)
    return futures


def test_the_users_call_cap_refuses_the_next_call_before_the_carrier(phones):
    live = phones
    live.at("2026-12-07 10:00")
    with user_settings(live, "1001", max_calls=2):
        talking = _open_calls(live, "1001", ["0213334461", "0213334462"], talk_ms=4000)
        live.wait_for(lambda: len(carrier_invites_to(live, "+41213334461")) == 1
                      and len(carrier_invites_to(live, "+41213334462")) == 1, timeout=15,
                      what="two calls talking through the carrier")
        third = live.call("1001", "0213334463", talk_ms=300)
        assert_refused_before_carrier(live, third, "+41213334463", 486, "USER_BUSY")
        assert [f.result().final for f in talking] == [200, 200]
        after = live.call("1001", "0213334464", talk_ms=300)  # the cap frees up when calls end
        assert after.final == 200, after.output[-2000:]


def test_the_companys_call_cap_refuses_the_next_outside_call(phones):
    from centrex.models import Tenant
    from centrex.tenants.companies import update_tenant

    live = phones
    live.at("2026-12-07 10:00")

    def cap(value):
        with live.data() as session:
            dupont = session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
            update_tenant(dupont, {"max_calls": value})

    cap(2)
    try:
        talking = _open_calls(live, "1001", ["0213334471"], talk_ms=4000)
        talking += _open_calls(live, "1002", ["0213334472"], talk_ms=4000)
        live.wait_for(lambda: len(carrier_invites_to(live, "+41213334471")) == 1
                      and len(carrier_invites_to(live, "+41213334472")) == 1, timeout=15,
                      what="two calls of the company talking through the carrier")
        third = live.call("1003", "0213334473", talk_ms=300)
        assert_refused_before_carrier(live, third, "+41213334473", 503, "NORMAL_CIRCUIT_CONGESTION")
        before = len(carrier_invites_to(live, "144"))
        rescue = live.call("1003", "144", talk_ms=300)  # the ambulance, with the company at its cap
        assert rescue.final == 200 and len(carrier_invites_to(live, "144")) == before + 1, rescue.responses()
        assert [f.result().final for f in talking] == [200, 200]
    finally:
        cap(10)
