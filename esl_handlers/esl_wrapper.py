"""The one module that imports python-ESL. A thin wrapper that turns its objects into plain Python values
(str, dispatch.Event) and its silent failures (None, connected() == 0) into exceptions with reasons."""
from __future__ import annotations

import errno
import os
import select
import socket
import struct
import time
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
    def parse(cls, spec: str) -> NodeAddress:
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
        self._direct: socket.socket | None = None  # see read_events_directly()
        self._buffer = bytearray()

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

    def _require_commands(self) -> None:
        self._require()
        if self._direct is not None:
            raise EslError(f"FreeSWITCH {self.node}: this connection reads events directly; "
                           "send commands on another one")

    def command(self, line: str) -> str:
        """Send one socket command (event, filter, nixevent…) and return its Reply-Text (+OK …)."""
        self._require_commands()
        reply = self._con.sendRecv(line)
        if reply is None:
            raise EslDisconnected(f"FreeSWITCH {self.node}: connection lost during {line.split()[0]!r}")
        text = reply.getHeader("Reply-Text") or ""
        if not text.startswith("+OK"):
            raise EslError(f"FreeSWITCH {self.node} refused {line.split()[0]!r}: {text or 'no reply'}")
        return text

    def read_events_directly(self) -> list[Event]:
        """From now on read event messages from the connection's socket with our own framing, not libesl's.

        libesl reads every header byte with its own recv() call, then re-serialises the event; on a
        syscall-expensive host that caps a reader near 1,000 events/s. python-ESL keeps the connection,
        authentication, subscription and disconnect notices; it must send no more commands on it (use
        another connection). Returns the events libesl had already queued, which come first."""
        self._require()
        pending = []
        while (received := self._con.recvEventTimed(1)) is not None:  # libesl reads whole messages only
            if not received.getHeader("Content-Type"):
                pending.append(Event.from_plain(received.serialize(), node=self.node))
        try:  # FreeSWITCH may have closed the connection meanwhile (the descriptor is then gone)
            descriptor = os.dup(self._con.socketDescriptor())
        except OSError as exc:
            raise EslDisconnected(f"FreeSWITCH {self.node}: connection lost ({exc.strerror or exc})") from exc
        self._direct = socket.socket(fileno=descriptor)
        self._direct.setblocking(False)
        return pending

    def stop_events(self) -> None:
        """`noevents`: FreeSWITCH sends nothing more; what it sent before can still be read."""
        if self._direct is None:
            self.command("noevents")
            return
        try:
            self._direct.sendall(b"noevents\n\n")  # its reply is skipped by the reader
        except OSError as exc:
            raise EslDisconnected(f"FreeSWITCH {self.node}: connection lost ({exc.strerror or exc})") from exc

    def _next_message(self) -> tuple[dict[str, str], bytes] | None:
        end = self._buffer.find(b"\n\n")
        if end < 0:
            return None
        lines = self._buffer[:end].decode().split("\n")
        headers = dict(line.split(": ", 1) for line in lines if ": " in line)
        length = int(headers.get("Content-Length", 0))
        if len(self._buffer) < end + 2 + length:
            return None
        body = bytes(self._buffer[end + 2:end + 2 + length])
        del self._buffer[:end + 2 + length]
        return headers, body

    def _recv_direct(self, timeout: float) -> Event | None:
        deadline = time.monotonic() + timeout
        while True:
            message = self._next_message()
            if message is not None:
                headers, body = message
                kind = headers.get("Content-Type")
                if kind == "text/event-plain":
                    return Event.from_plain(body.decode("utf-8", "replace"), node=self.node)
                if kind == "text/disconnect-notice":
                    self.close()
                    raise EslDisconnected(f"FreeSWITCH {self.node} sent a disconnect notice")
                continue  # a reply nobody waits for
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._direct], [], [], remaining)[0]:
                return None
            try:
                data = self._direct.recv(1 << 18)
            except BlockingIOError:
                continue
            except OSError as exc:
                self.close()
                reason = exc.strerror or exc
                raise EslDisconnected(f"FreeSWITCH {self.node}: connection lost ({reason})") from exc
            if not data:
                self.close()
                raise EslDisconnected(f"FreeSWITCH {self.node} closed the connection")
            self._buffer += data

    def recv_event(self, timeout: float) -> Event | None:
        """The next event, or None if none came within `timeout` seconds. Raises EslDisconnected."""
        if self._direct is not None:
            return self._recv_direct(timeout)
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
        self._require_commands()
        reply = self._con.api(command)
        if reply is None:
            raise EslDisconnected(f"FreeSWITCH {self.node}: no answer to api {command.split()[0]!r}")
        return reply.getBody() or ""

    def bgapi(self, command: str) -> str:
        """`bgapi <command>`; returns the Job-UUID (its result comes later as a BACKGROUND_JOB event)."""
        self._require_commands()
        reply = self._con.bgapi(command)
        if reply is None:
            raise EslDisconnected(f"FreeSWITCH {self.node}: no answer to bgapi {command.split()[0]!r}")
        job = reply.getHeader("Job-UUID")
        if not job:
            text = reply.getHeader("Reply-Text") or "no reply"
            raise EslError(f"FreeSWITCH {self.node} refused bgapi {command.split()[0]!r}: {text}")
        return job

    def close(self) -> None:
        if self._direct is not None:
            self._direct.close()
            self._direct = None
        if self._con is not None:
            if self._con.connected():
                self._con.disconnect()
            self._con = None
