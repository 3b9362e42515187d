"""Call park, as the phones' park keys use it: a call sent to *61 waits on slot 1 of the company's lot
(FreeSWITCH's valet_park); a colleague who dials *61 takes it back and talks with the caller."""
from __future__ import annotations

import pytest
from live_routing import in_background

pytestmark = pytest.mark.live


def _received_bye(result) -> bool:
    return any(m.direction == "received" and m.method == "BYE" for m in result.messages)


def test_a_parked_call_waits_on_its_slot_and_a_colleague_takes_it_back(live):
    live.at("2026-12-07 10:00")
    lot = "dupont.example-park"
    parked = in_background(live.call, "1001", "*61", talk_ms=20000, timeout=60)

    def waiting():
        info = live.switch.api(f"valet_info {lot}")
        return info if ">1<" in info else None
    live.wait_for(waiting, 15, what=f"a call waiting on slot 1 of {lot}")
    assert ">1<" not in live.switch.api("valet_info martin.example-park")  # each company its own lot

    taker = in_background(live.call, "1002", "*61", talk_ms=3000, timeout=60)
    live.wait_for(lambda: ">1<" not in live.switch.api(f"valet_info {lot}"), 15,
                  what="slot 1 emptied: the call was taken back")
    bridged = live.wait_for(lambda: "1 total" in live.switch.api("show bridged_calls"), 10,
                            what="the parked caller and the colleague bridged")
    assert bridged

    took = taker.result(timeout=60)
    assert took.final == 200, took.output
    first = parked.result(timeout=60)
    assert first.final == 200, first.output
    # The colleague hung up after 3 s: the switch ended the parked caller's call too (it had 20 s to talk).
    assert _received_bye(first), first.output
