"""Both sofia profiles pace media on the switch's clock (rtp-timer-name soft, as the stock profiles do):
without it a caller that sends no RTP during early media stalls a pre-answer playback and leg_timeout
(seen live: tests/live/test_live_routing_early_media.py)."""
from pathlib import Path

import pytest
from lxml import etree

PROFILES = Path(__file__).resolve().parents[1] / "freeswitch" / "sip_profiles"


@pytest.mark.parametrize("name", ["internal", "external"])
def test_profile_sets_a_soft_rtp_timer(name):
    settings = etree.parse(str(PROFILES / f"{name}.xml")).find("settings")
    params = {p.get("name"): p.get("value") for p in settings.iter("param")}
    assert params.get("rtp-timer-name") == "soft"
