"""The live dashboard in French: Dupont's « Vue d’ensemble » shows the phones registered, the calls up now
and today's calls per hour from the call records; « Qui est au téléphone » follows the live state by
itself (the test changes it as the ESL listener would, through centrex.calls.live) without a reload."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from browser.browser_pages import click_link, log_in, wait_for, wait_text
from centrex.calls import live
from centrex.models import CallRecord, Tenant
from centrex.platform.db import db

pytestmark = pytest.mark.slow
NODE = "127.0.0.1:8021"


def _today_at(hour: int) -> datetime:
    zurich = datetime.now(ZoneInfo("Europe/Zurich")).replace(hour=hour, minute=10, second=0, microsecond=0)
    return zurich.astimezone(timezone.utc)


def _calls(dupont: Tenant, martin: Tenant) -> None:
    """Today: two calls at 00:xx and one at 01:xx (Zurich: hours already past whenever the test runs);
    yesterday's call and Martin Sàrl's call count for nobody here."""
    for n, (tenant, started) in enumerate([(dupont, _today_at(0)), (dupont, _today_at(0)), (dupont, _today_at(1)),
                                           (dupont, _today_at(1) - timedelta(days=1)), (martin, _today_at(1))]):
        db.session.add(CallRecord(tenant_id=tenant.id, call_uuid=f"dash-{n}", direction="inbound",
                                  caller_number="+41791112233", did="+41215550100", started_at=started,
                                  duration=30, billsec=20))


def _state(browser, extension: str) -> tuple[str, str]:
    item = browser.find_element(By.CSS_SELECTOR, f"li[data-extension='{extension}']")
    return item.get_attribute("class"), item.find_element(By.CSS_SELECTOR, ".state").text


def test_dashboard_and_presence_follow_the_switch(live_server, browser):
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    martin = db.session.execute(select(Tenant).where(Tenant.domain == "martin.example")).scalar_one()
    live.upsert_registrations(NODE, [
        live.RegistrationState("1001", "dupont.example", "reg-1", user_agent="Yealink SIP-T54W"),
        live.RegistrationState("1002", "dupont.example", "reg-2"),
        live.RegistrationState("1003", "martin.example", "reg-3"),
    ])
    live.upsert_channels(NODE, [
        live.ChannelState("leg-a", call_uuid="call-1", presence="1001@dupont.example", state="active"),
        live.ChannelState("leg-b", call_uuid="call-1", domains=["dupont.example"], state="active"),
        live.ChannelState("leg-m", call_uuid="call-m", presence="1001@martin.example", state="active"),
    ])
    _calls(dupont, martin)
    db.session.commit()

    log_in(browser, live_server, "admin@dupont.example")
    wait_for(browser, ".menu-client")
    click_link(browser, "Vue d’ensemble")
    wait_text(browser, "Appels d’aujourd’hui par heure")
    stat = lambda name: browser.find_element(By.CSS_SELECTOR, f"[data-live={name}]").text  # noqa: E731
    assert (stat("registered"), stat("calls_now")) == ("2", "1")
    bars = {int(b.get_attribute("data-hour")): int(b.get_attribute("data-calls"))
            for b in browser.find_elements(By.CSS_SELECTOR, ".hour-chart .hour")}
    assert len(bars) == 24 and (bars[0], bars[1], sum(bars.values())) == (2, 1, 3)
    wait_text(browser, "3 appels")
    browser.snap("dashboard-1366")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return window.innerWidth") <= 400)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.snap("dashboard-390")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    browser.get(f"{live_server}/t/{dupont.id}/presence")
    wait_text(browser, "Qui est au téléphone")
    assert _state(browser, "1001") == ("presence-active", "en communication")
    assert _state(browser, "1002") == ("presence-online", "disponible")
    assert _state(browser, "1003") == ("presence-offline", "téléphone hors ligne")
    browser.execute_script("document.body.setAttribute('data-not-reloaded', 'yes')")

    # The switch: 1001 hangs up, 1003 registers and its phone rings (as the ESL listener records it).
    live.remove_channels(["leg-a", "leg-b"])
    live.upsert_registrations(NODE, [live.RegistrationState("1003", "dupont.example", "reg-4")])
    live.upsert_channels(NODE, [live.ChannelState("leg-c", call_uuid="call-2", presence="1003@dupont.example",
                                                  state="ringing")])
    db.session.commit()
    WebDriverWait(browser, 10).until(lambda d: _state(d, "1003")[0] == "presence-ringing")
    assert _state(browser, "1003") == ("presence-ringing", "sonne")
    assert _state(browser, "1001") == ("presence-online", "disponible")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-not-reloaded") == "yes"
    browser.snap("presence-followed")

    live.remove_channels(["leg-c"])
    live.remove_registration("1003", "dupont.example", None)
    db.session.commit()
    WebDriverWait(browser, 10).until(lambda d: _state(d, "1003")[0] == "presence-offline")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-not-reloaded") == "yes"
