"""The one module that imports python-ESL. A thin wrapper that turns its objects into plain Python values
(str, dispatch.Event) and its silent failures (None, connected() == 0) into exceptions with reasons."""
from __future__ import annotations

import errno
import os
import socket
import struct
from dataclasses import dataclass

import ESL

from esl_handlers.dispatch import Event


class EslError(Exception):
    """The event socket could not be used; the message says why, for people and logs."""


class EslUnreachable(EslError):
    """No TCP connection (refused, timed out, no route, unknown host)."""

    def __init__(self, node: str, reason: str):
        super().__init__(f"FreeSWITCH {node} unreachable ({reason})")
        self.node, self.reason = node, reason


class EslAuthFailed(EslError):
    """FreeSWITCH answered but refused the password (or did not speak ESL)."""


class EslDisconnected(EslError):
    """The connection dropped (FreeSWITCH closed it, sent a disconnect notice, or stopped answering)."""


@dataclass(frozen=True)
class NodeAddress:
    """A FreeSWITCH event socket, configured as "host:port:password"."""
    host: str
    port: int
    password: str

    @classmethod
    def parse(cls, spec: str) -> "NodeAddress":
        host, sep, rest = spec.partition(":")
        port, sep2, password = rest.partition(":")
        if not (sep and sep2 and host and port.isdigit() and password):
            raise ValueError(f"ESL node {spec.split(':')[0]!r}: expected host:port:password")
        return cls(host, int(port), password)

    @property
    def name(self) -> str:
        """host:port, for logs (never the password)."""
        return f"{self.host}:{self.port}"


def _reason(exc: OSError) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    names = {errno.ECONNREFUSED: "connection refused", errno.EHOSTUNREACH: "no route to host",
             errno.ENETUNREACH: "network unreachable", errno.ETIMEDOUT: "timed out"}
    return names.get(exc.errno, exc.strerror or str(exc))


def _tune_socket(fd: int, read_timeout: float) -> None:
    """Keepalive, and a read timeout so a FreeSWITCH that stops mid-message cannot block us for ever
    (libesl reads without one). Options belong to the socket, so setting them on a dup is enough."""
    dup = socket.socket(fileno=os.dup(fd))
    try:
        dup.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        seconds = int(read_timeout)
        dup.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                       struct.pack("ll", seconds, int((read_timeout - seconds) * 1e6)))
    finally:
        dup.close()


class EslConnection:
    """One inbound event-socket connection. Not thread-safe: one thread uses it at a time."""

    def __init__(self, address: NodeAddress, *, connect_timeout: float = 5.0, read_timeout: float = 30.0):
        self.address = address
        self.node = address.name
        self._probe(connect_timeout)
        self._con = ESL.ESLconnection(address.host, str(address.port), address.password)
        if not self._con.connected():
            raise EslAuthFailed(f"FreeSWITCH {self.node} refused the event-socket password "
                                f"(or did not answer as an event socket)")
        _tune_socket(self._con.socketDescriptor(), read_timeout)

    def _probe(self, timeout: float) -> None:
        """libesl connects without a timeout and without saying why it failed: try TCP first."""
        try:
            socket.create_connection((self.address.host, self.address.port), timeout=timeout).close()
        except OSError as exc:
            raise EslUnreachable(self.node, _reason(exc)) from exc

    @property
    def connected(self) -> bool:
        return bool(self._con is not None and self._con.connected())

    def _require(self) -> None:
        if not self.connected:
            raise EslDisconnected(f"FreeSWITCH {self.node}: connection lost")

    def subscribe(self, events: list[str]) -> str:
        """`event plain <events>`; returns FreeSWITCH's reply text."""
        return self.command("event plain " + " ".join(events))

    def command(self, line: str) -> str:
        """Send one socket command (event, filter, nixevent…) and return its Reply-Text (+OK …)."""
        self._require()
        reply = self._con.sendRecv(line)
        if reply is None:
            raise EslDisconnected(f"FreeSWITCH {self.node}: connection lost during {line.split()[0]!r}")
        text = reply.getHeader("Reply-Text") or ""
        if not text.startswith("+OK"):
            raise EslError(f"FreeSWITCH {self.node} refused {line.split()[0]!r}: {text or 'no reply'}")
        return text

    def recv_event(self, timeout: float) -> Event | None:
        """The next event, or None if none came within `timeout` seconds. Raises EslDisconnected."""
        self._require()
        received = self._con.recvEventTimed(max(1, int(timeout * 1000)))
        if received is None:
            self._require()
            return None
        content_type = received.getHeader("Content-Type")
        if content_type:  # an outer message that is not an event (reply, notice)
            if content_type == "text/disconnect-notice":
                raise EslDisconnected(f"FreeSWITCH {self.node} sent a disconnect notice")
            return None
        return Event.from_plain(received.serialize(), node=self.node)

    def api(self, command: str) -> str:
        """`api <command>`; returns the body as FreeSWITCH sent it (+OK…/-ERR… are the caller's business)."""
        self._require()
        reply = self._con.api(command)
        if reply is None:
            raise EslDisconnected(f"FreeSWITCH {self.node}: no answer to api {command.split()[0]!r}")
        return reply.getBody() or ""

    def bgapi(self, command: str) -> str:
        """`bgapi <command>`; returns the Job-UUID (its result comes later as a BACKGROUND_JOB event)."""
        self._require()
        reply = self._con.bgapi(command)
        if reply is None:
            raise EslDisconnected(f"FreeSWITCH {self.node}: no answer to bgapi {command.split()[0]!r}")
        job = reply.getHeader("Job-UUID")
        if not job:
            text = reply.getHeader("Reply-Text") or "no reply"
            raise EslError(f"FreeSWITCH {self.node} refused bgapi {command.split()[0]!r}: {text}")
        return job

    def close(self) -> None:
        if self._con is not None:
            if self._con.connected():
                self._con.disconnect()
            self._con = None
