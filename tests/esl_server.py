"""A small FreeSWITCH event-socket server for tests: real TCP on 127.0.0.1, the inbound ESL wire protocol
as captured in fixtures/freeswitch/esl/ (auth/request, auth, event plain, api, bgapi + BACKGROUND_JOB,
exit, text/disconnect-notice), canned api replies taken from the api-replies*.bin captures, and replay of
captured event bytes. It records every command it receives so tests can assert on them.

Use the `esl_server` fixture (import it into a test module or conftest: `from esl_server import esl_server`):

    def test_x(esl_server):
        esl_server.address          # "127.0.0.1:<port>:ClueCon", as in CENTREX_ESL_NODES
        esl_server.wait_subscribed()
        esl_server.broadcast(capture_events("events-plain-outcome_a-busy.bin"))
        esl_server.commands         # ["auth ClueCon", "event plain ...", "api status", ...]
"""
from __future__ import annotations

import gzip
import itertools
import socket
import socketserver
import threading
import time
import uuid as uuidlib
from collections import defaultdict
from urllib.parse import quote, unquote

import pytest

from conftest import FIXTURES

ESL_DIR = FIXTURES / "esl"
DISCONNECT_NOTICE = b"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"

# The api commands sent while each capture was recorded, in order (esl/NOTES.md); paired with the
# api/response bodies of that file they give the canned replies.
CAPTURED_API_COMMANDS = {
    "api-replies.bin": [
        "status", "version", "uptime", "show registrations as json", "show registrations",
        "show channels as json", "show channels", "show calls as json", "sofia status",
        "sofia status profile internal", "sofia status profile internal reg",
        "sofia_contact */1002@dupont.example", "user_exists id 1001 dupont.example",
        "user_exists id 1099 dupont.example", "vm_boxcount 1002@dupont.example",
        "callcenter_config queue list", "nosuchcommand", "global_getvar domain"],
    "api-replies-2.bin": [
        "xml_flush_cache id 1001 dupont.example", "sofia profile internal check_sync 1001@dupont.example",
        "conference 3000-dupont.example list", "conference 3000-dupont.example mute 1",
        "conference 3000-dupont.example list", "conference 3000-dupont.example unmute 1",
        "conference 3000-dupont.example kick 1", "conference 3000-dupont.example kick 999",
        "uuid_transfer 9273948c-8ce9-4eca-8931-c61f473697eb 7777 XML dupont.example",
        "uuid_getvar 9273948c-8ce9-4eca-8931-c61f473697eb current_application",
        "uuid_transfer 00000000-0000-0000-0000-000000000000 7777 XML dupont.example",
        "uuid_kill 9273948c-8ce9-4eca-8931-c61f473697eb",
        "uuid_kill db85850d-ac3d-4c36-9d88-e630ef8c47ec",
        "sofia status profile internal reg", "sofia profile internal flush_inbound_reg 1001@dupont.example",
        "sofia status profile internal reg", "sofia status"],
    "api-callcenter-config.bin": [
        "callcenter_config queue list", "callcenter_config agent list", "callcenter_config tier list",
        "callcenter_config queue list", "callcenter_config agent list",
        "callcenter_config queue reload support@dupont.example",
        "callcenter_config queue list members support@dupont.example",
        "callcenter_config queue count agents support@dupont.example"],
    "api-conference-list.bin": [
        "conference list", "conference 3000-dupont.example@default list", "conference json_list"],
    "api-show-channels-during-call.bin": ["show channels as json", "show calls as json", "show channels"],
    "api-replies-originate-uuid_kill.bin": [
        "uuid_exists 11111111-2222-3333-4444-555555555555",
        "uuid_getvar 11111111-2222-3333-4444-555555555555 context",
        "uuid_kill 11111111-2222-3333-4444-555555555555", "uuid_kill 11111111-2222-3333-4444-555555555555"],
}
DEFAULT_REPLY_CAPTURES = ("api-replies.bin", "api-replies-2.bin", "api-callcenter-config.bin",
                          "api-conference-list.bin")


def read_capture(name: str) -> bytes:
    data = (ESL_DIR / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def split_messages(data: bytes) -> list[tuple[dict[str, str], bytes, bytes]]:
    """Frame an ESL byte stream: [(outer headers, body, the message's exact bytes)], by Content-Length."""
    messages, pos = [], 0
    while pos < len(data):
        end = data.index(b"\n\n", pos)
        headers = dict(line.split(": ", 1) for line in data[pos:end].decode().split("\n"))
        length = int(headers.get("Content-Length", 0))
        body = data[end + 2:end + 2 + length]
        messages.append((headers, body, data[pos:end + 2 + length]))
        pos = end + 2 + length
    return messages


def event_headers(body: bytes) -> dict[str, str]:
    """The URL-decoded headers of a text/event-plain body."""
    head = body.split(b"\n\n", 1)[0].decode()
    return {k: unquote(v) for k, _, v in (line.partition(": ") for line in head.split("\n"))}


def capture_events(*names: str, event_names: set[str] | None = None) -> list[bytes]:
    """The exact bytes of every text/event-plain message of these captures (optionally only some names)."""
    out = []
    for name in names:
        for headers, body, raw in split_messages(read_capture(name)):
            if headers.get("Content-Type") != "text/event-plain":
                continue
            if event_names is None or event_headers(body).get("Event-Name") in event_names:
                out.append(raw)
    return out


def replies_from_capture(name: str) -> dict[str, list[str]]:
    """{api command: [body, …]} from an api-replies capture and its documented command list."""
    bodies = [body.decode() for headers, body, _ in split_messages(read_capture(name))
              if headers.get("Content-Type") == "api/response"]
    commands = CAPTURED_API_COMMANDS[name]
    assert len(bodies) == len(commands), f"{name}: {len(bodies)} replies for {len(commands)} commands"
    replies: dict[str, list[str]] = defaultdict(list)
    for command, body in zip(commands, bodies):
        replies[command].append(body)
    return dict(replies)


def plain_event(headers: dict[str, str], body: str | None = None) -> bytes:
    """A text/event-plain message built like FreeSWITCH's (outer Content-Length then Content-Type)."""
    text = "".join(f"{k}: {quote(str(v), safe='/,()!*-._~')}\n" for k, v in headers.items())
    text += f"Content-Length: {len(body.encode())}\n\n{body}" if body else "\n"
    data = text.encode()
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(data) + data


def _header(head: bytes, name: bytes) -> str:
    """One header of an event-plain head: FreeSWITCH puts Event-Name/Event-Subclass in its first lines."""
    start = 0 if head.startswith(name) else head.find(b"\n" + name) + 1
    if start == 0 and not head.startswith(name):
        return ""
    end = head.find(b"\n", start)
    return unquote(head[start + len(name):end if end >= 0 else None].decode())


def _event_key(raw: bytes) -> tuple[str, str]:
    head = raw.split(b"\n\n", 2)[1]  # the event's own headers, up to its blank line
    return _header(head, b"Event-Name: "), _header(head, b"Event-Subclass: ")


class Connection:
    """One client of the server: its auth state, subscription and the socket to write to."""

    def __init__(self, server: EslTestServer, sock: socket.socket, number: int):
        self.server, self.sock, self.number = server, sock, number
        self.authed = False
        self.events: set[str] = set()
        self.subclasses: set[str] = set()
        self.closed = False
        self._lock = threading.Lock()

    def wants(self, name: str, subclass: str) -> bool:
        if "ALL" in self.events:
            return True
        if name == "CUSTOM":
            return "CUSTOM" in self.events and (not self.subclasses or subclass in self.subclasses)
        return name in self.events

    def send(self, data: bytes) -> bool:
        with self._lock:
            if self.closed:
                return False
            try:
                self.sock.sendall(data)
                return True
            except OSError:
                self.closed = True
                return False

    def close(self, notice: bool = False) -> None:
        if notice:
            self.send(b"Content-Type: text/disconnect-notice\nContent-Length: %d\n\n" % len(DISCONNECT_NOTICE)
                      + DISCONNECT_NOTICE)
        with self._lock:
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.owner._serve(self.request)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class EslTestServer:
    """The server. `commands` lists what clients sent (auth passwords included, as FreeSWITCH saw them)."""

    def __init__(self, password: str = "ClueCon", reply_captures=DEFAULT_REPLY_CAPTURES):
        self.password = password
        self.api_replies: dict[str, list[str]] = {}
        for name in reply_captures:
            self.load_replies(name)
        self.bgapi_results: dict[str, str] = {}
        self.commands: list[str] = []
        self.connections: list[Connection] = []
        self.send_timeout = 30.0
        self._counter = itertools.count(1)
        self._reply_index: dict[str, int] = defaultdict(int)
        self._lock = threading.Condition()
        self._bind(0)
        self.port = self._tcp.server_address[1]

    # -- configuration -------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}:{self.password}"

    def load_replies(self, capture: str) -> None:
        """Answer the commands of this capture as FreeSWITCH did (replacing earlier canned answers)."""
        self.api_replies.update(replies_from_capture(capture))

    def reply(self, command: str, *bodies: str) -> None:
        """Answer `api <command>` with these bodies in turn (the last one repeats)."""
        self.api_replies[command] = list(bodies)
        self._reply_index.pop(command, None)

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> EslTestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.refuse()
        self.drop()

    def drop(self, notice: bool = False) -> None:
        """Close every client connection (with FreeSWITCH's disconnect notice if asked)."""
        with self._lock:
            connections = list(self.connections)
        for conn in connections:
            conn.close(notice=notice)

    def refuse(self) -> None:
        """Stop listening (clients then get 'connection refused') until `listen()`."""
        self._tcp.shutdown()
        self._tcp.server_close()

    def listen(self) -> None:
        """Listen again on the same port after `refuse()`."""
        self._bind(self.port)
        self._thread.start()

    def _bind(self, port: int) -> None:
        """A listening socket on that port (0: any free one), served by a thread not started yet."""
        self._tcp = _TCPServer(("127.0.0.1", port), _Handler)
        self._tcp.owner = self
        self._thread = threading.Thread(target=self._tcp.serve_forever, args=(0.05,), daemon=True,
                                        name="esl-test-server")

    # -- waiting and sending -------------------------------------------------------------------------
    def live(self, subscribed_to: str | None = None) -> list[Connection]:
        with self._lock:
            return [c for c in self.connections if not c.closed and c.authed
                    and (subscribed_to is None or subscribed_to in c.events or "ALL" in c.events)]

    def wait_subscribed(self, event: str = "CHANNEL_HANGUP_COMPLETE", count: int = 1,
                        timeout: float = 10.0) -> list[Connection]:
        """Wait until `count` live connections are subscribed to `event`; returns them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.connections if not c.closed and c.authed
                         and (event in c.events or "ALL" in c.events)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no client subscribed to {event} within {timeout} s")
                self._lock.wait(remaining)

    def broadcast(self, messages: list[bytes], connections: list[Connection] | None = None) -> int:
        """Send event messages to every live connection subscribed to them; returns how many were sent."""
        targets = connections if connections is not None else self.live()
        sent = 0
        pending: dict[Connection, list[bytes]] = {conn: [] for conn in targets}
        size = 0
        for raw in messages:
            name, subclass = _event_key(raw)
            for conn in targets:
                if conn.wants(name, subclass):
                    pending[conn].append(raw)
                    size += len(raw)
            if size > 1 << 18:  # send in chunks: one sendall per 256 KB, as a busy switch would
                sent += self._flush(pending)
                size = 0
        return sent + self._flush(pending)

    @staticmethod
    def _flush(pending: dict[Connection, list[bytes]]) -> int:
        sent = 0
        for conn, chunk in pending.items():
            if chunk and conn.send(b"".join(chunk)):
                sent += len(chunk)
            chunk.clear()
        return sent

    # -- the protocol --------------------------------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        conn = Connection(self, sock, next(self._counter))
        with self._lock:
            self.connections.append(conn)
            self._lock.notify_all()
        buffer = b""
        sock.settimeout(self.send_timeout)  # a client that stops reading is dropped, never waited on for ever
        conn.send(b"Content-Type: auth/request\n\n")
        try:
            while not conn.closed:
                while b"\n\n" not in buffer:
                    try:
                        chunk = sock.recv(65536)
                    except TimeoutError:
                        continue
                    if not chunk:
                        return
                    buffer += chunk
                line, buffer = buffer.split(b"\n\n", 1)
                self._command(conn, line.decode().strip())
        except OSError:
            return
        finally:
            conn.closed = True
            with self._lock:
                self._lock.notify_all()

    def _command(self, conn: Connection, line: str) -> None:
        with self._lock:
            self.commands.append(line)
        verb, _, rest = line.partition(" ")
        if not conn.authed:
            if verb == "auth" and rest == self.password:
                conn.authed = True
                conn.send(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
                with self._lock:
                    self._lock.notify_all()
            else:  # as in auth-failure.bin: -ERR invalid, then the notice, then FreeSWITCH closes
                conn.send(b"Content-Type: command/reply\nReply-Text: -ERR invalid\n\n")
                conn.close(notice=True)
            return
        if verb == "event":
            fmt, _, names = rest.partition(" ")
            for name in names.split():
                (conn.subclasses if "::" in name else conn.events).add(name)
            reply = f"Content-Type: command/reply\nReply-Text: +OK event listener enabled {fmt}\n\n"
            conn.send(reply.encode())
            with self._lock:
                self._lock.notify_all()
        elif verb == "api":
            self._send_api(conn, self._api_body(rest.strip()))
        elif verb == "bgapi":
            job = str(uuidlib.uuid4())
            reply = f"Content-Type: command/reply\nReply-Text: +OK Job-UUID: {job}\nJob-UUID: {job}\n\n"
            conn.send(reply.encode())
            self._background_job(conn, job, rest.strip())
        elif verb == "exit":
            conn.send(b"Content-Type: command/reply\nReply-Text: +OK bye\n\n")
            conn.close(notice=True)
        elif verb in ("noevents", "nixevent", "filter", "linger", "nolinger"):
            if verb == "noevents":
                conn.events.clear()
                conn.subclasses.clear()
            conn.send(b"Content-Type: command/reply\nReply-Text: +OK\n\n")
        else:
            conn.send(b"Content-Type: command/reply\nReply-Text: -ERR command not found\n\n")

    def _api_body(self, command: str) -> str:
        bodies = self.api_replies.get(command)
        if not bodies:  # FreeSWITCH's answer to an unknown command, as for `api nosuchcommand`
            return f"-ERR {command.split(' ')[0]} Command not found!\n"
        with self._lock:
            index = self._reply_index[command]
            self._reply_index[command] = index + 1
        return bodies[min(index, len(bodies) - 1)]

    @staticmethod
    def _send_api(conn: Connection, body: str) -> None:
        data = body.encode()
        conn.send(b"Content-Type: api/response\nContent-Length: %d\n\n" % len(data) + data)

    def _background_job(self, conn: Connection, job: str, command: str) -> None:
        name, _, arg = command.partition(" ")
        if command in self.bgapi_results:
            result = self.bgapi_results[command]
        elif name == "originate":
            result = f"+OK {uuidlib.uuid4()}\n"
        else:
            result = self._api_body(command)
        headers = {"Event-Name": "BACKGROUND_JOB", "Core-UUID": "296ffabc-5af0-4141-a90c-714a6a274e5b",
                   "Event-Calling-File": "mod_event_socket.c", "Event-Calling-Function": "api_exec",
                   "Job-UUID": job, "Job-Command": name}
        if arg:
            headers["Job-Command-Arg"] = arg
        # FreeSWITCH fires BACKGROUND_JOB like any event: every connection subscribed to it gets it
        self.broadcast([plain_event(headers, result)])


@pytest.fixture
def esl_server():
    """A started EslTestServer (password ClueCon) with FreeSWITCH's captured api replies; stopped after."""
    server = EslTestServer().start()
    yield server
    server.stop()
