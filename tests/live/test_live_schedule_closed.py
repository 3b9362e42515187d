"""« Fermé maintenant » on a live switch: on a Monday at 10:00 the carrier's call to Dupont SA's main number
rings the reception (Claire, 1000); the administrator switches the schedule « Heures d'ouverture » to
closed in one click from the schedules list, and the same call goes where the schedule sends calls
outside its hours (Claire's voicemail answers, her phone does not ring); switched back, reception again."""
from __future__ import annotations

import pytest
from test_live_console_api import Console, dupont_ids, rung

pytestmark = pytest.mark.live

MAIN = "+41215550100"


def test_closed_now_sends_office_hours_calls_to_the_answering_machine_until_reopened(phones):
    from centrex.models import Schedule

    live = phones
    live.at("2026-12-07 10:00")  # a Monday morning: office hours
    claire = live.phone("1000", ring_ms=300)
    assert live.carrier_call(MAIN, talk_ms=500).final == 200
    assert len(rung(claire)) == 1, "office hours: the reception rings"

    console = Console(live)
    office = dupont_ids(live, Schedule, name="Heures d'ouverture")
    listing = "/schedules"
    try:
        console.submit(listing, {"closed": "1"}, action=f"/schedules/{office}/closed")
        with live.data() as session:
            assert session.get(Schedule, office).closed_since is not None
        before = len(live.carrier.invites())
        result = live.carrier_call(MAIN, talk_ms=1000)
        assert result.final == 200, result.output  # mod_voicemail answered
        assert len(rung(claire)) == 1, "closed now: the reception must not ring"
        assert len(live.carrier.invites()) == before  # no on-call mobile either
        picture = console.client.get(console.url(f"/scenario?number={_main_id(live)}&day=2026-12-07&time=10:00"))
        assert "Fermé maintenant" in picture.get_data(as_text=True)
    finally:
        console.submit(listing, {"closed": "0"}, action=f"/schedules/{office}/closed")
    assert live.carrier_call(MAIN, talk_ms=500).final == 200
    assert len(rung(claire)) == 2, "open again: the reception rings again"


def _main_id(live) -> int:
    from sqlalchemy import select

    from centrex.models import Number

    with live.data() as session:
        return session.execute(select(Number.id).where(Number.e164 == MAIN)).scalar_one()
