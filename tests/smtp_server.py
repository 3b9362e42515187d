"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), recording what it accepted.

`mode` decides how it answers DATA: "accept", "tempfail" (451), "reject" (550), or "hold" (waits until
`release` is set, then accepts: lets a test kill a client in the middle of a send). `stop()` takes the
server down (connections refused); `start()` brings it back on the same port."""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class RecordingHandler:
    mode: str = "accept"
    received: list[Received] = field(default_factory=list)
    data_calls: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.data_calls += 1
        if self.mode == "tempfail":
            return "451 4.3.0 Mail server temporarily unavailable"
        if self.mode == "reject":
            return "550 5.1.1 Mailbox unavailable"
        if self.mode == "hold":
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 2.0.0 Ok: queued"


class TestSMTPServer:
    __test__ = False  # not a test class

    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> TestSMTPServer:
        if self._controller is None:
            self._controller = Controller(self.handler, hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.handler.release.set()
            self._controller.stop()
            self._controller = None

    def config(self) -> dict:
        return {"SMTP_HOST": self.host, "SMTP_PORT": self.port, "SMTP_USER": "", "SMTP_PASSWORD": "",
                "SMTP_STARTTLS": False, "SMTP_TIMEOUT": 5.0}


@pytest.fixture
def smtp_server(app):
    """A running SMTP server the app sends to (its settings are put back afterwards)."""
    server = TestSMTPServer().start()
    saved = {key: app.config[key] for key in server.config()}
    app.config.update(server.config())
    try:
        yield server
    finally:
        server.stop()
        app.config.update(saved)
