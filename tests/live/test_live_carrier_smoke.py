import pytest

pytestmark = pytest.mark.live


def test_carrier_call_to_a_direct_line_rings_the_user(phones):
    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001")
    result = live.carrier_call("+41215550102", talk_ms=1000)
    assert result.final == 200, result.output
    assert len(alain.invites()) == 1


def test_outbound_call_reaches_the_carrier(phones):
    live = phones
    live.at("2026-12-07 10:00")
    live.phone("1001")
    result = live.call("1001", "0791112233", talk_ms=1000)
    assert result.final == 200, result.output
    invite = live.carrier.invites()[-1]
    assert "+41791112233" in invite.first_line, invite.text
