"""The sales number +41215550110 plays an announcement before ringing (early media, 183), then rings the
sales team (Mon–Fri 08–12). The carrier sends no RTP while the call is not answered: the playback and
the ring timers must still run on the switch's own clock (rtp-timer-name soft on the profiles)."""
from contextlib import contextmanager

import pytest
from live_routing import (
    group_changed,
    seconds_between,
    tenant,
)
from sqlalchemy import select

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("no_stale_registrations")]

SALES_NUMBER = "+41215550110"
ANNOUNCEMENT_SECONDS = 4


@contextmanager
def announcement_of(live, seconds: float):
    """A real audio file of `seconds` (a tone), uploaded as the console does (audio service: decoded,
    converted, stored under CENTREX_AUDIO_DIR) and set as the sales number's announcement; put back after."""
    from centrex.demo.services import tone_wav
    from centrex.features import audio
    from centrex.features.moh import set_number_announcement
    from centrex.models import AudioFile, Number, NumberAnnouncement

    with live.data() as session:
        company = tenant(session)
        number = session.execute(select(Number).where(Number.e164 == SALES_NUMBER)).scalar_one()
        current = session.execute(select(NumberAnnouncement).where(
            NumberAnnouncement.number_id == number.id)).scalar_one_or_none()
        previous = current.audio_id if current is not None else None
        upload = audio.store_upload(company, kind="prompt", name="Annonce test ventes", filename="annonce.wav",
                                    data=tone_wav(523, seconds))
        assert upload.duration_ms >= seconds * 1000 - 50
        assert audio.local_path(upload, company).exists()
        set_number_announcement(company, number, upload)
    try:
        yield
    finally:
        with live.data() as session:
            number = session.execute(select(Number).where(Number.e164 == SALES_NUMBER)).scalar_one()
            set_number_announcement(tenant(session), number,
                                    session.get(AudioFile, previous) if previous is not None else None)


def sent_invite_at(result):
    return next(m.at for m in result.messages if m.direction == "sent" and m.method == "INVITE")


def test_after_the_announcement_the_sales_team_rings_though_the_caller_sends_no_rtp(phones):
    live = phones
    live.at("2026-12-07 10:00")  # Monday morning: announcement, then the sales team
    alain, sophie = live.phone("1001", behaviour="ring"), live.phone("1002", behaviour="ring")
    marc = live.phone("1005", ring_ms=500)
    with announcement_of(live, ANNOUNCEMENT_SECONDS):
        result = live.carrier_call(SALES_NUMBER, talk_ms=500, timeout=30)
    assert 183 in result.responses(), result.responses()  # early media: the announcement, not answered
    assert result.final == 200, f"{result.responses()} {result.output[-500:]}"
    assert [len(p.invites()) for p in (alain, sophie, marc)] == [1, 1, 1]
    waited = seconds_between([sent_invite_at(result), marc.invites()[0].at])[0]
    assert ANNOUNCEMENT_SECONDS - 0.5 <= waited <= ANNOUNCEMENT_SECONDS + 4, waited


def test_ring_timer_after_the_announcement_hands_over_to_the_main_number(phones):
    """Nobody in sales answers: after the group's time the main number's schedule rings Claire."""
    live = phones
    live.at("2026-12-07 10:00")
    sales = [live.phone(ext, behaviour="ring") for ext in ("1001", "1002", "1005")]
    claire = live.phone("1000", ring_ms=300)
    with announcement_of(live, ANNOUNCEMENT_SECONDS), group_changed(live, "Ventes", ring_seconds=5):
        result = live.carrier_call(SALES_NUMBER, talk_ms=500, timeout=40)
    assert result.final == 200, f"{result.responses()} {result.output[-500:]}"
    assert all(len(p.invites()) == 1 for p in sales)
    assert len(claire.invites()) == 1
    rang = seconds_between([min(p.invites()[0].at for p in sales), claire.invites()[0].at])[0]
    assert 3.5 <= rang <= 7.5, rang  # (the group's 5 s run from the dial, the INVITEs leave ~1 s later)
