"""The real command client (EslSwitch over python-ESL) wired as the core's switch port and talking to the
test ESL server: what tests of live changes use to see the commands FreeSWITCH would get."""
from __future__ import annotations

import pytest

from centrex.platform import ports
from conftest import FIXTURES
from esl_handlers.commands import EslSwitch
from esl_server import esl_server  # noqa: F401 - the fixture switch_on_esl stands on


@pytest.fixture
def switch_on_esl(esl_server):  # noqa: F811
    try:
        previous = ports.switch()
    except ports.SwitchError:
        previous = None
    ports.set_switch(EslSwitch([esl_server.address], connect_timeout=2, reply_timeout=5))
    try:
        yield esl_server
    finally:
        ports.switch().close()
        ports.set_switch(previous)


def api_commands(server) -> list[str]:
    """The `api …` commands the server received, without the prefix."""
    return [c[len("api "):] for c in server.commands if c.startswith("api ")]


def api_bodies(name: str) -> list[str]:
    """The api/response bodies of a captured ESL connection (fixtures/esl/<name>), in order."""
    data, bodies, pos = (FIXTURES / "esl" / name).read_bytes(), [], 0
    while pos < len(data):
        end = data.index(b"\n\n", pos)
        headers = dict(line.split(": ", 1) for line in data[pos:end].decode().split("\n"))
        length = int(headers.get("Content-Length", 0))
        if headers.get("Content-Type") == "api/response":
            bodies.append(data[end + 2:end + 2 + length].decode())
        pos = end + 2 + length
    return bodies
