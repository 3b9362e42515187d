"""An employee's Chromium for the live suite: Debian's headless Chromium through chromedriver, with a fake
microphone (a beep) it may use without asking, the switch's self-signed WSS certificate accepted, and
every network event recorded (CDP, through chromedriver's performance log) so a test can read all that
the browser received: response bodies and WebSocket frames. Additive helper for test_live_webphone.py."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=fr-FR",
         "--window-size=1280,900",
         "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",  # a microphone, no prompt
         "--ignore-certificate-errors",  # the live switch's wss.pem is self-signed
         "--autoplay-policy=no-user-gesture-required",
         # host candidates as addresses (not mDNS names FreeSWITCH cannot resolve)
         "--disable-features=WebRtcHideLocalIpsWithMdns")


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def start_chromium(profile_root: Path):
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(dir=profile_root)}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@dataclass
class Received:
    """What the browser received so far: every response body and WebSocket frame (text)."""
    bodies: dict[str, str] = field(default_factory=dict)  # url -> body (the last of that URL)
    frames: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def everything(self) -> str:
        return "\n".join([*self.bodies.values(), *self.frames])


def collect(driver, received: Received) -> Received:
    """Read the performance log since the last call into `received` (bodies fetched while still held)."""
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.responseReceived":
            received.urls.append(params["response"]["url"])
            try:
                body = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": params["requestId"]})
            except Exception:  # a redirect or a body Chromium did not keep: nothing to read
                continue
            received.bodies[params["response"]["url"]] = body.get("body", "")
        elif method == "Network.webSocketFrameReceived":
            received.frames.append(params["response"].get("payloadData", ""))
    return received
