"""The live suite: a real FreeSWITCH 1.10 configured from freeswitch/ as the README says, the product as
`make run` starts it (on PostgreSQL), a real SMTP server, SIPp phones and a SIPp carrier. Session-scoped:
ready in a few seconds, shared by every live test; each test sets the instant it needs.

Run alone with `make test-live` (its own pytest process: the live app it builds never meets the unit
tests' one). Without FreeSWITCH the suite is skipped with one line, unless CENTREX_REQUIRE_FREESWITCH=1."""
from __future__ import annotations

import itertools
import os
import random
import subprocess
import time
import warnings
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from live_product import LiveProduct, create_database
from live_switch import HOW_TO_GET, LiveSwitch, Ports, faketime_library, find_freeswitch
from sipp import SIPP, Sipp, call_scenario, phone_scenario, register_scenario
from sqlalchemy import event, select

from polling import poll
from smtp_server import TestSMTPServer, free_port

ZURICH = ZoneInfo("Europe/Zurich")
INSTALL = find_freeswitch()
MISSING = HOW_TO_GET if INSTALL is None else (
    "SIPp not found (apt-get install sip-tester)" if SIPP is None else
    "libfaketime not found (apt-get install faketime)" if faketime_library() is None else
    "the live suite needs PostgreSQL: run it through `make test-live`"
    if not os.environ.get("CENTREX_TEST_PG_ADMIN_URL") else None)


def pytest_ignore_collect(collection_path, config):
    if MISSING and not os.environ.get("CENTREX_REQUIRE_FREESWITCH") == "1":
        return collection_path.name.startswith("test_") or None
    return None


def pytest_report_header(config):
    if MISSING:
        if os.environ.get("CENTREX_REQUIRE_FREESWITCH") == "1":
            raise pytest.UsageError(f"CENTREX_REQUIRE_FREESWITCH=1 but {MISSING}")
        return f"live suite SKIPPED: {MISSING}"
    return f"live suite: FreeSWITCH {INSTALL.binary}, SIPp {SIPP}"


CLOCK_SLACK_SECONDS = 300  # how far past the asked instant a test may run (no schedule edge within)


class Live:
    """Everything a live test reaches: the switch, the product, the mail server, phones and the carrier."""

    def __init__(self, root: Path, switch: LiveSwitch, product: LiveProduct, smtp: TestSMTPServer,
                 carrier_port: int):
        self.root, self.switch, self.product, self.smtp = root, switch, product, smtp
        self.sipp = Sipp(root / "sipp")
        self.carrier_port = carrier_port
        self._ports = itertools.count(random.randrange(40000, 55000, 10), 10)  # SIP, then RTP pairs above
        self._phones: list[Phone] = []
        self.carrier: Phone | None = None
        self._app = None

    # ---- the product's data, as the console and the CLI see it ----
    @property
    def app(self):
        if self._app is None:
            from wsgi import create_app

            env = self.product.env
            self._app = create_app({
                "SQLALCHEMY_DATABASE_URI": env["CENTREX_DATABASE_URL"], "SECRET_KEY": env["CENTREX_SECRET_KEY"],
                "SIP_SECRET_KEY": env["CENTREX_SIP_SECRET_KEY"], "ANSWER_CACHE": False,
                "XMLCURL_PASSWORD": env["CENTREX_XMLCURL_PASSWORD"], "ESL_NODES": [env["CENTREX_ESL_NODES"]],
                "WTF_CSRF_ENABLED": True, "INSTANCE": env["CENTREX_INSTANCE"],
                # Where the product keeps uploaded audio (and FreeSWITCH opens it): the same folder.
                "AUDIO_DIR": env["CENTREX_AUDIO_DIR"], "AUDIO_FS_DIR": env["CENTREX_AUDIO_DIR"]})
        return self._app

    @contextmanager
    def data(self):
        """An app context on the live database, acting as the operator; commits what the block changed."""
        from centrex.platform.audit import Actor, acting_as
        from centrex.platform.db import db

        with self.app.app_context(), acting_as(Actor("live-test")):
            flushed = []
            event.listen(db.session(), "after_flush", lambda *_: flushed.append(True))
            try:
                yield db.session
                changed = bool(flushed or db.session.new or db.session.dirty or db.session.deleted)
                db.session.commit()
                if changed:  # the product's workers drop their answer caches on PostgreSQL NOTIFY: let them
                    time.sleep(1.0)
            finally:
                db.session.remove()

    def secret(self, extension: str, domain: str) -> str:
        from centrex.directory.users import reveal_secret
        from centrex.models import Tenant, User

        with self.data() as session:
            user = session.execute(select(User).join(Tenant).where(
                Tenant.domain == domain, User.extension == extension)).scalar_one()
            return reveal_secret(user)

    @staticmethod
    def wait_for(check, timeout: float = 20.0, interval: float = 0.3, what: str = "condition"):
        """Poll `check()` until it returns something truthy; that value, or AssertionError after timeout."""
        return poll(check, timeout, interval, what)

    # ---- time ----
    def at(self, when: str | datetime) -> datetime:
        """Move FreeSWITCH's clock to a Zurich wall time ("2026-12-07 10:00") or an aware datetime; left
        as it is when it already reads that instant or a few minutes past it (a test after another at the
        same hour): every move of the switch's clock, above all backwards, may stall it for a moment."""
        at = when if isinstance(when, datetime) else datetime.fromisoformat(when).replace(tzinfo=ZURICH)
        try:
            if 0 <= self.switch.clock() - at.timestamp() < CLOCK_SLACK_SECONDS:
                return at
        except (subprocess.SubprocessError, ValueError):  # not read: moved, as set_clock retries
            pass
        self.switch.set_clock(at)
        for phone in self._phones:  # registrations made at the old instant would look expired or odd
            if phone.registered:
                phone.register()
        return at

    # ---- SIP ----
    @property
    def internal(self) -> str:
        return f"127.0.0.1:{self.switch.ports.internal}"

    @property
    def external(self) -> str:
        return f"127.0.0.1:{self.switch.ports.external}"

    def port(self) -> int:
        return next(self._ports)

    def phone(self, extension: str, domain: str = "dupont.example", behaviour: str = "answer", *,
              ring_ms: int = 500, talk_ms: int = 0, register: bool = True, rtp_echo: bool = False,
              dtmf: str = "") -> Phone:
        """`rtp_echo`: the phone sends back every RTP packet it gets (audio and DTMF events), as a person
        talking back: RTP then flows both ways through the switch. `dtmf`: digits it sends once answered."""
        phone = Phone(self, extension, domain, self.port())
        phone.sipp_args = ("-rtp_echo",) if rtp_echo else ()
        phone.behaviour = (behaviour, ring_ms, talk_ms)
        phone.listen(behaviour, ring_ms=ring_ms, talk_ms=talk_ms, dtmf=dtmf)
        if register:
            result = phone.register()
            assert result.final == 200, f"{extension}@{domain} did not register: {result.responses('REGISTER')}"
            self.until_reachable(phone)
        self._phones.append(phone)
        return phone

    def until_reachable(self, phone: Phone, timeout: float = 5.0) -> None:
        """Until the switch finds the phone's contact. Sofia answers 200 to a REGISTER before its queued
        INSERT has run, so on a loaded machine a call placed at once can find the user not registered;
        a person's first call comes seconds later. Registered again once if the contact never shows."""
        port = f":{phone.port}"
        for attempt in (1, 2):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if port in self.switch.api(f"sofia_contact */{phone.extension}@{phone.domain}"):
                    return
                time.sleep(0.1)
            if attempt == 1:
                assert phone.register().final == 200
        raise AssertionError(f"{phone.extension}@{phone.domain}: the switch never found the contact on {port}")

    def register(self, extension: str, domain: str, password: str, *, username: str | None = None):
        """One REGISTER with these credentials, from a port nobody listens on; the SIPp result."""
        return self.sipp.run(f"register-{extension}", self.internal, register_scenario(),
                             [extension, domain], self.port(), "-au", username or extension, "-ap", password)

    def call(self, extension: str, number: str, domain: str = "dupont.example", *, talk_ms: int = 3000,
             dtmf: str = "", media: str = "", timeout: float = 60, name: str = ""):
        """A registered user's phone dials `number` (digest-authenticated as the user)."""
        return self.sipp.run(f"call-{extension}-{number}", self.internal,
                             call_scenario(auth=True, talk_ms=talk_ms, dtmf=dtmf, media=media),
                             [extension, number, domain, name or extension, domain], self.port(),
                             "-au", extension, "-ap", self.secret(extension, domain), timeout=timeout)

    def carrier_call(self, did: str, caller: str = "+41791112233", *, talk_ms: int = 3000, dtmf: str = "",
                     media: str = "", timeout: float = 90):
        """The carrier delivers a call to one of our DIDs on the external profile (admitted by its ACL)."""
        return self.sipp.run(f"carrier-{did}", self.external,
                             call_scenario(auth=False, talk_ms=talk_ms, dtmf=dtmf, media=media),
                             [caller, did, self.external, "", "carrier.example"], self.port(), timeout=timeout)

    def carrier_answers(self, behaviour: str = "answer", **kwargs) -> Phone:
        """The carrier's side of outbound calls: a SIPp UAS where the `carrier` gateway points."""
        if self.carrier is not None:
            self.carrier.stop()
        self.carrier = Phone(self, "carrier", "carrier.example", self.carrier_port)
        self.carrier.listen(behaviour, **kwargs)
        return self.carrier

    def cleanup(self) -> None:
        self.hang_up_what_is_left()
        if self.carrier is not None and self.carrier.behaviour != ("answer", 500, 0):
            self.carrier_answers()
        for phone in self._phones:
            if phone.registered:
                phone.register(expires=0)
            phone.stop()
        self._phones.clear()

    def hang_up_what_is_left(self, timeout: float = 15.0) -> None:
        """End the calls a test left on the switch (it failed midway, or its caller is still talking), so
        that none of them rings a phone or calls out during the next test."""
        if self.switch.channel_count() == 0:
            return
        self.switch.api("hupall NORMAL_CLEARING")
        deadline = time.monotonic() + timeout
        while self.switch.channel_count() and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.switch.channel_count():
            warnings.warn(f"calls still on the switch {timeout:.0f} s after hupall: "
                          f"{self.switch.api('show channels')[:2000]}", stacklevel=1)


class Phone:
    """A desk phone: a SIPp UAS on its own port that answers as told, registered with its user's secret."""

    def __init__(self, live: Live, extension: str, domain: str, port: int):
        self.live, self.extension, self.domain, self.port = live, extension, domain, port
        self.uas = None
        self.behaviour: tuple = ("answer", 500, 0)
        self.dtmf = ""  # digits sent once a call is answered
        self.past: list = []  # earlier UAS processes of this phone (their traces still count)
        self.registered = False
        self.sipp_args: tuple[str, ...] = ()

    def listen(self, behaviour: str = "answer", *, ring_ms: int = 500, talk_ms: int = 0, dtmf: str = "") -> None:
        self.stop()
        self.behaviour, self.dtmf = (behaviour, ring_ms, talk_ms), dtmf
        self.uas = self.live.sipp.start(f"phone-{self.extension}-{self.domain}", self.live.internal,
                                        phone_scenario(behaviour, ring_ms, talk_ms, dtmf), [self.extension],
                                        self.port, "-s", self.extension, *self.sipp_args)

    def register(self, expires: int = 3600):
        """REGISTER from the phone's own port (its UAS steps aside meanwhile), then listen again."""
        self.stop()
        result = self.live.sipp.run(f"register-{self.extension}", self.live.internal, register_scenario(expires),
                                    [self.extension, self.domain], self.port, "-au", self.extension, "-ap",
                                    self.live.secret(self.extension, self.domain))
        behaviour, ring_ms, talk_ms = self.behaviour
        self.listen(behaviour, ring_ms=ring_ms, talk_ms=talk_ms, dtmf=self.dtmf)
        self.registered = result.final == 200 and expires > 0
        return result

    def invites(self) -> list:
        """Every INVITE this phone received, oldest first."""
        return sorted((m for uas in self.past + [self.uas] for m in uas.received("INVITE")), key=lambda m: m.at)

    def stop(self) -> None:
        if self.uas is not None:
            self.uas.stop()
            self.past.append(self.uas)
            self.uas = None


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("live")
    smtp = TestSMTPServer().start()
    database = create_database(os.environ["CENTREX_TEST_PG_ADMIN_URL"], "centrex_live")
    base = random.randrange(21000, 31000, 10)
    ports = Ports(internal=base, external=base + 2, esl=base + 4, rtp_start=random.randrange(33000, 39000, 1000))
    esl_password = "live-esl-secret"
    product = LiveProduct(root / "product", database, port=free_port(),
                          esl_node=f"127.0.0.1:{ports.esl}:{esl_password}", smtp_port=smtp.port,
                          fax_intake_port=free_port(), voicemail_storage=root / "switch" / "storage" / "voicemail",
                          cdr_spool=root / "switch" / "log" / "centrex-cdr-spool", cdr_port=free_port())
    product.env["CENTREX_WEBPHONE_WSS_URL"] = f"wss://127.0.0.1:{ports.wss}"  # the console's web phone
    product.root.mkdir(parents=True)
    carrier_port = base + 6
    switch = LiveSwitch(INSTALL, root / "switch", ports, centrex_url=product.url, credentials="",
                        esl_password=esl_password, carrier=f"127.0.0.1:{carrier_port}", cdr_url=product.cdr_url)
    product.prepare()
    switch.credentials = product.credentials
    product.start_web()
    switch.configure()
    live = Live(root, switch, product, smtp, carrier_port)
    live.carrier_answers()
    try:
        switch.start()
        product.start_workers()
        yield live
    finally:
        live.cleanup()
        if live.carrier:
            live.carrier.stop()
        switch.stop()
        product.stop()
        smtp.stop()


@pytest.fixture
def phones(live):
    """Phones a test registers are unregistered and stopped after it."""
    yield live
    live.cleanup()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    live = item.funcargs.get("live") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and isinstance(live, Live):
        offsets = getattr(item, "_live_offsets", {})
        report.sections.append(("FreeSWITCH log (this test)",
                                live.switch.log_since(offsets.get("freeswitch", 0))[-30000:]))
        for name in live.product.processes:
            report.sections.append((f"{name} log (this test)",
                                    live.product.log_since(name, offsets.get(name, 0))[-15000:]))


@pytest.fixture
def no_stale_registrations(live):
    """Forget every registration on the phones' profile before the test: a one-shot REGISTER of another
    test (live.register, never unregistered) was dialled instead of the test's phone of that user."""
    live.switch.api("sofia profile internal flush_inbound_reg")
    yield


@pytest.fixture(autouse=True)
def _live_log_offsets(request):
    if "live" in request.fixturenames:
        live = request.getfixturevalue("live")
        request.node._live_offsets = {"freeswitch": live.switch.log_size(), **live.product.log_sizes()}
    yield
