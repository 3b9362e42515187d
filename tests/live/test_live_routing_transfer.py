"""A blind transfer from a desk phone (in-dialog REFER, SIPp) to a short number: the switch hands the
caller to the dialplan again, the product routes the short number (support team 2001) and its phones
ring, showing the outside caller."""
import pytest
from live_refer import transferring_phone

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("no_stale_registrations")]

MARC_DIRECT = "+41215550106"


def test_blind_transfer_to_the_support_short_number(phones):
    live = phones
    live.at("2026-12-07 10:00")
    marc = transferring_phone(live, "1005", "sip:2001@dupont.example", after_ms=1000)
    luc, julie = live.phone("1003", ring_ms=500), live.phone("1004", behaviour="ring")
    result = live.carrier_call(MARC_DIRECT, talk_ms=6000)
    assert result.final == 200, result.output  # Marc answered
    sent = [m for m in marc.uas.messages() if m.direction == "sent" and m.method == "REFER"]
    accepted = [m for m in marc.uas.messages() if m.direction == "received" and m.status == 202]
    assert sent and accepted, [m.first_line for m in marc.uas.messages()]
    assert len(luc.invites()) == 1 and len(julie.invites()) == 1  # the support team, both at once
    assert luc.invites()[0].at > sent[0].at
    assert "+41791112233" in luc.invites()[0].header("From")  # the caller, not Marc
    assert not [m for m in result.messages if m.direction == "received" and m.method == "BYE"
                and m.at < luc.invites()[0].at]  # the caller was not hung up by the transfer
