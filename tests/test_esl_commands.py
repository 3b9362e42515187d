"""The command client (centrex.platform.ports.SwitchCommands over ESL) against the test server's captured replies."""
import socket

import pytest

from centrex.freeswitch import commands
from centrex.platform.ports import SwitchError, switch
from esl_handlers.commands import EslSwitch, channel_variables
from esl_server import EslTestServer, esl_server, read_capture, split_messages  # noqa: F401

pytestmark = pytest.mark.smoke


@pytest.fixture
def second_server():
    server = EslTestServer().start()
    yield server
    server.stop()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_composition_root_wires_the_esl_client_without_connecting(app):
    assert isinstance(switch(), EslSwitch)
    assert switch()._connections == {}


def test_api_returns_bodies_and_refusals_become_clear_errors(esl_server):
    client = EslSwitch([esl_server.address])
    assert client.api("uuid_getvar 9273948c-8ce9-4eca-8931-c61f473697eb current_application") == "park"
    with pytest.raises(SwitchError) as err:
        client.api("uuid_transfer 00000000-0000-0000-0000-000000000000 7777 XML dupont.example")
    assert str(err.value) == (f"FreeSWITCH 127.0.0.1:{esl_server.port} a refusé « uuid_transfer "
                              f"00000000-0000-0000-0000-000000000000 7777 » / refused it: No such channel!")
    assert "ClueCon" not in str(err.value)
    client.close()


def test_no_freeswitch_is_an_error_for_people_not_a_crash():
    client = EslSwitch([f"127.0.0.1:{closed_port()}:ClueCon"])
    with pytest.raises(SwitchError) as err:
        client.api("status")
    assert str(err.value).endswith("injoignable / unreachable (connection refused)")
    with pytest.raises(SwitchError):
        EslSwitch([]).api_all("status")


def test_a_stale_connection_is_reopened(esl_server):
    client = EslSwitch([esl_server.address])
    assert client.api("version").startswith("FreeSWITCH Version 1.10.12")
    esl_server.drop()
    assert client.api("version").startswith("FreeSWITCH Version 1.10.12")
    assert esl_server.commands.count("auth ClueCon") == 2
    client.close()


def test_resync_reaches_every_node(esl_server, second_server):
    client = EslSwitch([esl_server.address, second_server.address])
    replies = client.check_sync("1001", "dupont.example")
    assert len(replies) == 2
    for server in (esl_server, second_server):
        assert server.commands[1:] == ["api sofia profile internal check_sync 1001@dupont.example"]
    client.close()


def test_a_node_down_is_named_and_the_others_still_get_the_command(esl_server):
    down = f"127.0.0.1:{closed_port()}"
    client = EslSwitch([esl_server.address, f"{down}:ClueCon"])
    with pytest.raises(SwitchError) as err:
        client.check_sync("1001", "dupont.example")
    assert str(err.value) == f"FreeSWITCH {down} injoignable / unreachable (connection refused)"
    assert "api sofia profile internal check_sync 1001@dupont.example" in esl_server.commands
    client.close()


def test_conference_member_control(esl_server):
    client = EslSwitch([esl_server.address])
    room = "3000-dupont.example"
    members = client.conference_members(room)
    assert [(m.member_id, m.caller_number, m.can_speak) for m in members] == \
        [(2, "1001", True), (1, "1001", True)]
    assert client.conference_member_action(room, "mute", 1) == "+OK mute 1"
    assert {m.member_id: m.can_speak for m in client.conference_members(room)} == {2: True, 1: False}
    assert client.conference_member_action(room, "unmute", 1) == "+OK unmute 1"
    assert client.conference_member_action(room, "kick", 1) == "+OK kicked 1"
    with pytest.raises(SwitchError) as err:
        client.conference_member_action(room, "kick", 999)
    assert str(err.value).endswith("refused it: Non-Existant ID 999")
    sent = len(esl_server.commands)
    with pytest.raises(SwitchError):
        client.conference_member_action(room, "hangup; shutdown", 1)
    assert len(esl_server.commands) == sent  # refused before anything was sent
    client.close()


def test_callcenter_commands_are_the_ones_freeswitch_answered(esl_server):
    client = EslSwitch([esl_server.address])
    assert [row["name"] for row in client.callcenter_table("queue")] == ["support@dupont.example"]
    reply = client.api_all(commands.queue_reload("support@dupont.example"))
    assert esl_server.commands[-1] == "api callcenter_config queue reload support@dupont.example"
    assert list(reply.values()) == ["+OK\n"]
    client.close()


def test_originate_waits_for_its_background_job(esl_server):
    client = EslSwitch([esl_server.address])
    job = client.originate("user/1001@dupont.example", "&bridge(user/1002@dupont.example)",
                           variables={"origination_caller_id_number": "1001"})
    assert job
    # the same command as the captured click-to-call (esl/NOTES.md, api-replies-2.bin)
    assert "bgapi originate {origination_caller_id_number=1001}user/1001@dupont.example "\
           "&bridge(user/1002@dupont.example)" in esl_server.commands
    assert "event plain BACKGROUND_JOB" in esl_server.commands


def test_a_failed_originate_says_why(esl_server):
    failed = [body.decode() for headers, body, _ in split_messages(read_capture("api-replies.bin"))
              if b"Job-Command: originate" in body][0].split("\n\n", 1)[1]
    assert failed == "-ERR NO_ROUTE_DESTINATION\n"  # what FreeSWITCH answered for loopback/1099
    esl_server.bgapi_results["originate loopback/1099/default &park"] = failed
    with pytest.raises(SwitchError) as err:
        EslSwitch([esl_server.address]).originate("loopback/1099/default", "&park")
    assert str(err.value).endswith("refused it: NO_ROUTE_DESTINATION")


def test_channel_variables_cannot_break_out_of_the_originate_string():
    assert channel_variables({"a": "1", "b": "x,y"}) == "{a=1,b=x\\,y}"
    # FreeSWITCH's API splits on spaces outside single quotes (live: "Parse Error!" for fax_header=Dupont SA)
    assert channel_variables({"fax_header": "Dupont SA"}) == "{fax_header='Dupont SA'}"
    for bad in ({"a}b": "1"}, {"a": "1}sofia/gateway/x"}, {"a": "x\nexit"}):
        with pytest.raises(SwitchError):
            channel_variables(bad)


def test_the_originate_s_background_job_reaches_every_subscriber_like_freeswitch(esl_server):
    from esl_handlers.esl_wrapper import EslConnection, NodeAddress

    listener = EslConnection(NodeAddress.parse(esl_server.address))
    listener.subscribe(["BACKGROUND_JOB"])
    job = EslSwitch([esl_server.address]).originate("user/1001@dupont.example", "&park")
    event = listener.recv_event(2)
    assert (event.get("Job-UUID"), event.get("Job-Command")) == (job, "originate")
    assert event.body.startswith("+OK ")
    listener.close()
