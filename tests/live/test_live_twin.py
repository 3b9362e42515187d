"""One number for desk and mobile through the live switch: a carrier call to Alain Dupont's direct line
rings his desk phone and, after the twin's delay, his mobile at the carrier (showing the caller); whoever
answers first takes the call and the other stops ringing (CANCEL)."""
from contextlib import contextmanager

import pytest
from live_routing import carrier_numbers, in_background, seconds_between, user

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("no_stale_registrations")]

ALAIN_DIRECT = "+41215550102"
ALAIN_MOBILE = "+41791234567"
CALLER = "+41791112233"


@contextmanager
def twin_on(live, extension: str, delay: int):
    """The user's mobile twin switched on (update_user, as the console does) for the block; off after."""
    from centrex.directory.users import update_user

    with live.data() as session:
        update_user(user(session, extension), {"twin_enabled": True, "twin_delay": delay})
    try:
        yield
    finally:
        with live.data() as session:
            update_user(user(session, extension), {"twin_enabled": False, "twin_delay": 0})


def received(phone, method: str) -> list:
    return [m for uas in phone.past + ([phone.uas] if phone.uas else []) for m in uas.received(method)]


def test_the_mobile_rings_after_its_delay_and_takes_the_call(phones):
    live = phones
    live.at("2026-12-07 10:00")
    desk = live.phone("1001", behaviour="ring")
    carrier = live.carrier_answers("answer", ring_ms=500)
    with twin_on(live, "1001", delay=2):
        result = live.carrier_call(ALAIN_DIRECT, caller=CALLER, talk_ms=1500)
    assert result.final == 200, result.output
    assert carrier_numbers(live) == [ALAIN_MOBILE]
    invite = carrier.invites()[0]
    assert CALLER in invite.header("From")  # the mobile shows who calls, as a forward does
    # the twin's INVITE leaves 2 s after the desk phone's (FreeSWITCH counts whole seconds: up to 3 s)
    assert 1.5 <= seconds_between([desk.invites()[0].at, invite.at])[0] <= 4.5
    assert len(received(desk, "CANCEL")) == 1  # the desk phone stopped ringing when the mobile answered
    assert len(desk.invites()) == 1


def test_the_desk_answers_first_and_the_mobile_stops_ringing(phones):
    live = phones
    live.at("2026-12-07 10:00")
    desk = live.phone("1001", ring_ms=4000)
    carrier = live.carrier_answers("ring")
    with twin_on(live, "1001", delay=1):
        result = live.carrier_call(ALAIN_DIRECT, caller=CALLER, talk_ms=1500)
    assert result.final == 200, result.output
    assert carrier_numbers(live) == [ALAIN_MOBILE]  # both rang together…
    assert carrier.invites()[0].at < received(desk, "ACK")[0].at
    live.wait_for(lambda: received(carrier, "CANCEL"), 10, what="the carrier's CANCEL for the mobile")
    assert len(received(carrier, "CANCEL")) == 1  # …and the desk took the call


def test_without_the_twin_only_the_desk_rings(phones):
    live = phones
    live.at("2026-12-07 10:00")
    live.phone("1001", ring_ms=300)
    live.carrier_answers("answer")
    result = live.carrier_call(ALAIN_DIRECT, caller=CALLER, talk_ms=500)
    assert result.final == 200, result.output
    assert carrier_numbers(live) == []


def caller_was_hung_up(result) -> bool:
    return any(m.direction == "received" and m.method == "BYE" for m in result.messages)


def test_the_desk_moves_the_call_to_the_mobile_and_takes_it_back_while_the_caller_stays(phones):
    """*1 on the desk phone: the mobile is called and, when it answers, takes the call (the desk is
    released); then the desk dials its own pickup code (**1001) and takes the call back from the mobile."""
    live = phones
    live.at("2026-12-07 10:00")
    desk = live.phone("1001", ring_ms=300, dtmf="*1")
    carrier = live.carrier_answers("answer", ring_ms=300)
    with twin_on(live, "1001", delay=30):  # the desk answers long before the twin would ring
        call = in_background(live.carrier_call, ALAIN_DIRECT, caller=CALLER, talk_ms=20000)
        live.wait_for(lambda: received(desk, "BYE"), 20, what="the desk phone released after *1")
        assert carrier_numbers(live) == [ALAIN_MOBILE]  # the move called the mobile…
        assert CALLER in carrier.invites()[0].header("From")
        assert received(carrier, "ACK") and not received(carrier, "BYE")  # …which now has the call
        back = live.call("1001", "**1001", talk_ms=30000)  # ends when the caller hangs up
        result = call.result(timeout=60)
    assert result.final == 200, result.output
    assert back.final == 200, back.output
    assert len(received(carrier, "BYE")) == 1  # the mobile was released when the desk took the call back
    assert received(carrier, "BYE")[0].at < max(m.at for m in result.messages)
    assert not caller_was_hung_up(result), "the caller's leg was hung up by the switch"


SALES_NUMBER = "+41215550110"
DEMO_PIN = "400066"  # the demo's voicemail PIN of Alain Dupont
# SIPp replays one pcap per digit: the same digit twice in a row has the same RTP timestamp and FreeSWITCH
# takes the second for a retransmission of the first. So no repeated digit in what the caller types.
ALAIN_PIN, DIALLED, DIALLED_E164 = "246813", "0791234560", "+41791234560"


@contextmanager
def access_number(live, e164: str):
    """A company number made the access number for the employees' mobiles (point_number), and Alain's
    voicemail PIN one SIPp can type, for the block."""
    from live_routing import tenant
    from sqlalchemy import select

    from centrex.directory.users import update_user
    from centrex.models import Number
    from centrex.routing.numbers import point_number

    with live.data() as session:
        number = session.execute(select(Number).where(Number.e164 == e164)).scalar_one()
        before = {"dest_type": number.dest_type, "dest_id": number.dest_id, "dest_value": number.dest_value}
        point_number(number, tenant(session), {"dest_type": "access", "dest_id": None, "dest_value": None})
        update_user(user(session, "1001"), {"vm_pin": ALAIN_PIN})
    try:
        yield
    finally:
        with live.data() as session:
            number = session.execute(select(Number).where(Number.e164 == e164)).scalar_one()
            point_number(number, tenant(session), before)
            update_user(user(session, "1001"), {"vm_pin": DEMO_PIN})


@pytest.mark.parametrize("pin, dialled", [(ALAIN_PIN, [DIALLED_E164]), ("123456", [])])
def test_a_call_from_the_mobile_through_the_access_number_leaves_with_the_company_number(phones, pin, dialled):
    live = phones
    live.at("2026-12-07 10:00")
    carrier = live.carrier_answers("answer", ring_ms=300)
    with access_number(live, SALES_NUMBER):
        result = live.carrier_call(SALES_NUMBER, caller=ALAIN_MOBILE, dtmf=f"{pin}#{DIALLED}#", talk_ms=5000)
    assert result.final == 200, result.output  # the access number answers, then asks the PIN and the number
    assert carrier_numbers(live) == dialled
    if dialled:
        assert ALAIN_DIRECT in carrier.invites()[0].header("From")  # Alain's company number, not his mobile
        assert ALAIN_MOBILE not in carrier.invites()[0].text
