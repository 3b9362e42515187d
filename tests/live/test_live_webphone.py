"""« Téléphone » through the live switch: Alain Dupont (1001) logs into the console in Chromium (fake
microphone), opens his web phone, which registers over the internal profile's secure WebSocket as one more
phone of 1001; it calls a desk phone (SIPp 1002, echoing RTP back) from the colleagues list, audio flows
both ways (FreeSWITCH's RTP counters on both legs), dial-pad digits reach the desk phone, hold works; a desk
phone calls 1001 and the browser rings and answers; and nothing the browser received holds the secret."""
from __future__ import annotations

import hashlib
import json
import threading
import time
from urllib.parse import unquote, unquote_plus

import pytest
from live_browser import Received, available, collect, start_chromium
from live_records import CallHistory
from lxml import etree
from sqlalchemy import select

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(not available(), reason="Debian's chromium and chromium-driver are needed")]
ALAIN = "alain.dupont@dupont.example"
G711 = "/usr/share/sip-tester/g711a.pcap"


@pytest.fixture(scope="module")
def web_phone(live, tmp_path_factory):
    """Alain's console in Chromium on « Téléphone », registered (other registrations forgotten first)."""
    from browser.browser_pages import log_in

    live.switch.api("sofia profile internal flush_inbound_reg")
    driver = start_chromium(tmp_path_factory.mktemp("chromium"))
    received = Received()
    try:
        log_in(driver, live.product.url, ALAIN)
        driver.get(live.product.url + "/me/phone")
        wait_for_panel(driver, "data-state", "registered", timeout=30)
        yield driver, received
    finally:
        driver.quit()


def panel(driver):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, "[data-webphone]")


def wait_for_panel(driver, attribute: str, value: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (seen := panel(driver).get_attribute(attribute)) != value:
        assert time.monotonic() < deadline, f"{attribute}={seen!r}, not {value!r}: " + \
            panel(driver).find_element("css selector", ".webphone-status").text
        time.sleep(0.2)


def press(driver, css: str) -> None:
    element = driver.find_element("css selector", css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def idle(driver) -> None:
    """No call left on the page by an earlier test (its assertions may have stopped it half-way)."""
    if panel(driver).get_attribute("data-call") != "idle":
        press(driver, '[data-action="hangup"]')
        wait_for_panel(driver, "data-call", "idle")


def browser_registration(live) -> str:
    """The block of `sofia status profile internal reg` for 1001's WebSocket contact, or ''."""
    blocks = live.switch.api("sofia status profile internal reg").split("\n\n")
    return next((b for b in blocks if "1001@dupont.example" in b and "transport=ws" in b), "")


def legs_since(live, mark: int) -> list[dict]:
    """The variables of every leg FreeSWITCH posted (mod_xml_cdr) since the journal mark."""
    from centrex.models import CdrJournal

    with live.data() as session:
        raws = session.execute(select(CdrJournal.raw).where(CdrJournal.id > mark, CdrJournal.source == "xml_cdr")
                               .order_by(CdrJournal.id)).scalars().all()
    legs = []
    for raw in raws:
        text = unquote_plus(raw.split("cdr=", 1)[-1]) if raw.lstrip().startswith("cdr=") else raw
        variables = etree.fromstring(text.encode()).find("variables")
        legs.append({v.tag: unquote(v.text or "") for v in variables} if variables is not None else {})
    return legs


def is_browser(leg: dict) -> bool:
    return leg.get("media_webrtc") == "true" or leg.get("sip_via_protocol", "").startswith("ws")


def packets(leg: dict) -> tuple[int, int]:
    return int(leg.get("rtp_audio_in_packet_count") or 0), int(leg.get("rtp_audio_out_packet_count") or 0)


def summary(legs: list[dict]) -> list[dict]:
    keys = ("uuid", "direction", "sip_via_protocol", "media_webrtc", "rtp_use_codec_name", "hangup_cause",
            "rtp_audio_in_packet_count", "rtp_audio_out_packet_count", "rtp_audio_out_dtmf_packet_count",
            "rtp_has_crypto", "rtp_use_codec_string")
    return [{k: leg.get(k) for k in keys} for leg in legs]


def test_the_web_phone_registers_over_wss_and_never_receives_the_secret(live, web_phone):
    driver, received = web_phone
    registration = live.wait_for(lambda: browser_registration(live), timeout=10, what="1001's WSS contact")
    assert "WSS" in registration and "JsSIP" in registration, registration
    secret = live.secret("1001", "dupont.example")
    collect(driver, received)
    account = json.loads(next(body for url, body in received.bodies.items() if url.endswith("/me/phone/account.json")))
    assert account["ha1"] == hashlib.md5(f"1001:dupont.example:{secret}".encode()).hexdigest()  # what it got
    assert any(frame.startswith("SIP/2.0 200") and "REGISTER" in frame for frame in received.frames)
    assert secret not in received.everything() and secret not in driver.page_source
    assert len(received.bodies) >= 4, received.urls  # login, the page, its scripts, the account


def test_the_web_phone_calls_a_desk_phone_with_audio_dtmf_and_hold(phones, web_phone):
    live = phones
    driver, received = web_phone
    idle(driver)
    live.at("2026-12-07 10:00")
    desk = live.phone("1002", rtp_echo=True)
    history, log_mark = CallHistory(live), live.switch.log_size()
    press(driver, '[data-dial="1002"]')  # Marie in the colleagues list
    wait_for_panel(driver, "data-call", "in_call")
    assert len(desk.invites()) == 1 and "1001" in desk.invites()[0].header("From")
    time.sleep(2)
    for key in "59":
        press(driver, f'[data-key="{key}"]')
        time.sleep(0.4)
    time.sleep(1)
    press(driver, '[data-action="hold"]')
    wait_for_panel(driver, "data-call", "held")
    live.wait_for(lambda: "HELD" in live.switch.api("show channels"), timeout=10,
                  what="the switch sees the browser's leg HELD")
    press(driver, '[data-action="hold"]')
    wait_for_panel(driver, "data-call", "in_call")
    time.sleep(1)
    press(driver, '[data-action="hangup"]')
    wait_for_panel(driver, "data-call", "idle")
    history.settled()
    legs = legs_since(live, history.mark)
    browser = [leg for leg in legs if is_browser(leg)]
    desk_legs = [leg for leg in legs if not is_browser(leg)]
    assert len(browser) == 1 and len(desk_legs) == 1, summary(legs)
    assert all(n > 50 for n in packets(browser[0]) + packets(desk_legs[0])), summary(legs)
    (live.root / "webphone-call.log").write_text(switch_log := live.switch.log_since(log_mark))
    assert int(desk_legs[0].get("rtp_audio_out_dtmf_packet_count") or 0) > 0, summary(legs)
    for digit in "59":  # each key went to the desk phone as RFC 2833 events
        assert f"Send start packet for [{digit}]" in switch_log, digit


def test_a_desk_phone_calls_1001_and_the_browser_rings_and_answers(phones, web_phone):
    live = phones
    driver, received = web_phone
    idle(driver)
    live.at("2026-12-07 10:00")
    history = CallHistory(live)
    outcome = {}
    caller = threading.Thread(target=lambda: outcome.update(result=live.call("1002", "1001", talk_ms=5000,
                                                                                  media=G711)))
    caller.start()
    try:
        wait_for_panel(driver, "data-call", "ringing")
        press(driver, '[data-action="answer"]')
        wait_for_panel(driver, "data-call", "in_call")
    finally:
        caller.join(timeout=60)
    assert outcome["result"].final == 200, outcome["result"].output
    wait_for_panel(driver, "data-call", "idle")  # the caller hung up: the page is ready again
    history.settled()
    legs = legs_since(live, history.mark)
    browser = [leg for leg in legs if is_browser(leg)]
    assert len(browser) == 1 and packets(browser[0])[1] > 50, summary(legs)  # the caller's voice reached it
    collect(driver, received)
    assert live.secret("1001", "dupont.example") not in received.everything()


def talking_to_1002_with_1003_typed(live, driver, luc: dict):
    """The browser (idle first) calls 1002 from the colleagues list and, once in the call, types 1003 —
    the start of a transfer; the two desk phones (1003 answering as `luc` says)."""
    idle(driver)
    live.at("2026-12-07 10:00")
    sophie, luc_phone = live.phone("1002", talk_ms=40000), live.phone("1003", **luc)
    press(driver, '[data-dial="1002"]')
    wait_for_panel(driver, "data-call", "in_call")
    number = driver.find_element("css selector", "input[name=number]")
    number.clear()
    number.send_keys("1003")
    return sophie, luc_phone


def test_the_web_phone_transfers_a_call_blind(phones, web_phone):
    live = phones
    driver, received = web_phone
    marie, luc = talking_to_1002_with_1003_typed(live, driver, {"ring_ms": 500})
    press(driver, '[data-action="transfer"]')
    wait_for_panel(driver, "data-call", "idle")
    live.wait_for(lambda: luc.invites(), timeout=15, what="Luc's phone ringing")  # Marie, handed over
    assert len(marie.invites()) == 1 and len(luc.invites()) == 1, luc.invites()[0].text


def test_the_web_phone_announces_a_transfer_and_hands_the_call_over(phones, web_phone):
    """Alain talks with Sophie (1002), puts her on hold by calling Luc (1003), talks with Luc, then hands
    Sophie over to him (REFER with Replaces): Sophie and Luc stay connected to each other, the browser is out."""
    live = phones
    driver, _received = web_phone
    sophie, luc = talking_to_1002_with_1003_typed(live, driver, {"talk_ms": 40000})
    press(driver, '[data-action="consult"]')
    wait_for_panel(driver, "data-call", "consulting")  # Luc answered; Sophie waits on hold
    assert len(luc.invites()) == 1 and len(sophie.invites()) == 1
    press(driver, '[data-action="complete"]')
    wait_for_panel(driver, "data-call", "idle")

    def bridged():
        out = live.switch.api("show bridged_calls")
        return out if "1 total" in out and "1002" in out and "1003" in out else ""
    calls = live.wait_for(bridged, timeout=10, what="Sophie and Luc bridged together after the hand-over")
    time.sleep(2)  # still connected a moment later: neither desk phone was hung up
    assert not sophie.uas.received("BYE") and not luc.uas.received("BYE"), calls
