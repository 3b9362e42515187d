"""The deployment the README describes, as FreeSWITCH runs it: nothing stock left listening or answering,
every module it loads present, the clock the tests move."""
import re

import pytest

pytestmark = pytest.mark.live


def test_only_the_two_centrex_profiles_listen(live):
    profiles = sorted(line.split()[0] for line in live.switch.api("sofia status").splitlines()
                      if "\tprofile\t" in line)
    assert profiles == ["external", "internal"]  # not internal-ipv6 / external-ipv6 of the stock conf


def test_every_module_the_conf_loads_is_there(live):
    startup = live.switch.log_since(0)
    assert "Error Loading module" not in startup, re.findall(r"Error Loading module \S+", startup)


def test_the_clock_moves_where_a_test_puts_it(live):
    at = live.at("2026-12-25 10:30")
    try:
        epoch = int(live.switch.api("strepoch").strip())
        assert abs(epoch - at.timestamp()) < 5
    finally:
        live.switch.set_clock(None)
