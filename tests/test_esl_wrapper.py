"""python-ESL, through our wrapper, against the test server speaking the captured wire protocol over TCP."""
import socket
import time

import pytest

from esl_handlers.dispatch import Event
from esl_handlers.esl_wrapper import (
    EslAuthFailed,
    EslConnection,
    EslDisconnected,
    EslError,
    EslUnreachable,
    NodeAddress,
)
from esl_server import EslTestServer, capture_events, esl_server, event_headers, read_capture, split_messages  # noqa: F401

pytestmark = pytest.mark.smoke


def connect(server, password=None) -> EslConnection:
    spec = server.address if password is None else f"127.0.0.1:{server.port}:{password}"
    return EslConnection(NodeAddress.parse(spec), connect_timeout=2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_node_address_parses_host_port_password_and_never_shows_the_password():
    node = NodeAddress.parse("10.0.0.5:8021:s3cret:with:colons")
    assert (node.host, node.port, node.password, node.name) == ("10.0.0.5", 8021, "s3cret:with:colons",
                                                                 "10.0.0.5:8021")
    with pytest.raises(ValueError) as err:
        NodeAddress.parse("10.0.0.5:port:s3cret")
    assert "s3cret" not in str(err.value)


def test_auth_accepted_then_api_returns_the_captured_bodies(esl_server):
    con = connect(esl_server)
    assert con.connected
    assert con.api("version") == "FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n"
    assert con.api("uptime") == "207\n"
    # no trailing newline here: the next message follows the body directly
    assert con.api("user_exists id 1001 dupont.example") == "true"
    assert con.api("nosuchcommand") == "-ERR nosuchcommand Command not found!\n"
    assert esl_server.commands[:5] == ["auth ClueCon", "api version", "api uptime",
                                       "api user_exists id 1001 dupont.example", "api nosuchcommand"]
    con.close()
    assert not con.connected


def test_wrong_password_is_refused_like_freeswitch(esl_server):
    with pytest.raises(EslAuthFailed) as err:
        connect(esl_server, password="wrongpass")
    assert "refused the event-socket password" in str(err.value)
    assert "wrongpass" not in str(err.value)
    assert esl_server.commands == ["auth wrongpass"]


def test_the_test_server_answers_a_bad_password_with_the_captured_bytes(esl_server):
    with socket.create_connection(("127.0.0.1", esl_server.port), timeout=2) as sock:
        sock.sendall(b"auth wrongpass\n\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data == read_capture("auth-failure.bin")


def test_nobody_listening_is_reported_as_connection_refused():
    port = free_port()
    started = time.monotonic()
    with pytest.raises(EslUnreachable) as err:
        EslConnection(NodeAddress.parse(f"127.0.0.1:{port}:ClueCon"), connect_timeout=2)
    assert str(err.value) == f"FreeSWITCH 127.0.0.1:{port} unreachable (connection refused)"
    assert time.monotonic() - started < 2


def test_subscription_then_captured_events_arrive_parsed(esl_server):
    con = connect(esl_server)
    assert con.subscribe(["CHANNEL_CREATE", "CHANNEL_HANGUP_COMPLETE"]) == "+OK event listener enabled plain"
    esl_server.wait_subscribed()
    sent = esl_server.broadcast(capture_events("events-plain-outcome_a-busy.bin"))
    assert sent == 4  # 2 CHANNEL_CREATE + 2 CHANNEL_HANGUP_COMPLETE; CHANNEL_HANGUP/ANSWER not subscribed
    received = [con.recv_event(2) for _ in range(sent)]
    assert [e.key for e in received] == ["CHANNEL_CREATE", "CHANNEL_CREATE",
                                         "CHANNEL_HANGUP_COMPLETE", "CHANNEL_HANGUP_COMPLETE"]
    last = received[-1]
    assert last.node == f"127.0.0.1:{esl_server.port}"
    assert last.get("Unique-ID") == "3f762c54-c911-4f18-a28f-338549617965"
    assert last.get("variable_originate_disposition") == "USER_BUSY"
    assert con.recv_event(0.05) is None


def test_events_read_through_python_esl_equal_the_captured_headers(esl_server):
    con = connect(esl_server)
    con.subscribe(["ALL"])
    esl_server.wait_subscribed()
    messages = capture_events("events-plain-fax-loopback.bin")
    esl_server.broadcast(messages)
    for raw in messages:
        event = con.recv_event(2)
        captured = event_headers(raw.split(b"\n\n", 1)[1])
        for name, value in captured.items():
            if name != "Content-Length":
                assert event.get(name) == value, name
        assert Event.from_plain(event.raw).headers == event.headers


def test_custom_subclasses_and_event_bodies(esl_server):
    con = connect(esl_server)
    con.subscribe(["BACKGROUND_JOB", "CUSTOM", "spandsp::rxfaxresult"])
    esl_server.wait_subscribed("BACKGROUND_JOB")
    esl_server.broadcast(capture_events("bgapi-originate-fax-with-events.bin"))
    job = con.recv_event(2)
    assert job.key == "BACKGROUND_JOB"
    assert job.body.startswith("+OK ")
    fax = con.recv_event(2)
    assert fax.key == "CUSTOM::spandsp::rxfaxresult"
    assert fax.get("fax-success") == "1"
    assert con.recv_event(0.05) is None  # the other spandsp:: subclasses were not asked for


def test_bgapi_returns_the_job_and_its_result_comes_as_background_job(esl_server):
    con = connect(esl_server)
    con.subscribe(["BACKGROUND_JOB"])
    esl_server.bgapi_results["originate user/1001@dupont.example &park"] = "-ERR USER_NOT_REGISTERED\n"
    job = con.bgapi("originate user/1001@dupont.example &park")
    event = con.recv_event(2)
    assert event.get("Job-UUID") == job
    assert event.get("Job-Command") == "originate"
    assert event.get("Job-Command-Arg") == "user/1001@dupont.example &park"
    assert event.body == "-ERR USER_NOT_REGISTERED\n"


def test_a_dropped_connection_is_reported(esl_server):
    con = connect(esl_server)
    con.subscribe(["ALL"])
    esl_server.wait_subscribed()
    esl_server.drop(notice=True)
    with pytest.raises(EslDisconnected):
        for _ in range(20):
            con.recv_event(0.2)
    assert not con.connected
    with pytest.raises(EslDisconnected):
        con.api("status")


def test_a_silent_close_is_reported_too(esl_server):
    con = connect(esl_server)
    esl_server.wait_subscribed("x", count=0)
    esl_server.drop(notice=False)
    with pytest.raises(EslDisconnected):
        for _ in range(20):
            con.recv_event(0.2)


def test_every_captured_api_reply_file_frames_cleanly():
    for name in ("api-replies.bin", "api-replies-2.bin", "api-callcenter-config.bin",
                 "api-conference-list.bin", "api-show-channels-during-call.bin"):
        messages = split_messages(read_capture(name))
        assert messages[0][0] == {"Content-Type": "auth/request"}
        assert b"".join(raw for _, _, raw in messages) == read_capture(name)


def test_reading_events_directly_gives_the_same_events_and_keeps_libesl_s_queue(esl_server):
    con = connect(esl_server)
    con.subscribe(["ALL"])
    (client,) = esl_server.wait_subscribed()
    messages = capture_events("events-plain-outcome_e-simultaneous.bin")
    esl_server.broadcast(messages[:3])
    assert con.api("version").startswith("FreeSWITCH")  # libesl queues the events read meanwhile
    queued = con.read_events_directly()
    esl_server.broadcast(messages[3:])
    received = queued + [con.recv_event(2) for _ in messages[3:]]
    assert [e.get("Unique-ID") for e in received] == \
        [event_headers(m.split(b"\n\n", 1)[1])["Unique-ID"] for m in messages]
    assert received[-1].raw == messages[-1].split(b"\n\n", 1)[1].decode()  # the text as received
    with pytest.raises(EslError):
        con.api("status")  # commands go on another connection once events are read directly
    con.stop_events()
    assert con.recv_event(0.1) is None
    esl_server.drop(notice=True)
    with pytest.raises(EslDisconnected):
        con.recv_event(2)
    assert not con.connected
