"""« Commutateurs »: the operator sees each FreeSWITCH node's health from its own `status` (a real
FreeSWITCH 1.10's reply, captured), its phones and calls from the live state, its place in the edge's pool,
and drains or returns a node of the pool (audited, refused to anyone else)."""
from __future__ import annotations

from sqlalchemy import select

from centrex.cluster.nodes import add_node
from centrex.cluster.status import esl_address
from centrex.freeswitch.commands import parse_status
from centrex.models import AuditEntry, LiveChannel, LiveRegistration, SwitchNode
from centrex.platform.db import db
from esl_switch import api_bodies, api_commands, switch_on_esl  # noqa: F401 - fixture
from webui_testing import login, post, text

CAPTURED_STATUS = api_bodies("api-replies.bin")[0]  # `api status` of FreeSWITCH 1.10.12, 3 min after start


def test_a_nodes_status_is_read_from_what_freeswitch_answers():
    status = parse_status(CAPTURED_STATUS)
    assert (status.uptime_seconds, status.ready, status.sessions, status.peak) == (207, True, 0, 2)
    assert (status.max_sessions, status.max_per_second) == (100, 30)
    assert parse_status("-ERR no reply\n").ready is False


def test_the_operator_sees_each_node_and_drains_one(app, client, dupont, switch_on_esl, monkeypatch):  # noqa: F811
    switch_on_esl.reply("status", CAPTURED_STATUS)
    here = esl_address(switch_on_esl.address)
    monkeypatch.setitem(app.config, "ESL_NODES", [switch_on_esl.address])
    fs_a = add_node("fs-a", "sip:127.0.0.1:5070", here)
    add_node("fs-b", "sip:127.0.0.1:5072", "127.0.0.1:1")  # in the pool, but not a node this console asks
    db.session.add_all([LiveRegistration(tenant_id=dupont.id, extension="1001", call_id="c1", node=here),
                        LiveRegistration(tenant_id=dupont.id, extension="1002", call_id="c2", node=here),
                        LiveChannel(uuid="u1", node=here, tenant_id=dupont.id)])
    db.session.commit()
    login(client, "operator@centrex.example")

    page = text(client.get("/operator/nodes", headers={"Cookie": "console_lang=fr"}))
    assert "status" in api_commands(switch_on_esl)
    row_a = page[page.index("fs-a"):page.index("fs-b")]
    assert "Prêt" in row_a and "en marche depuis 3 min" in row_a and "max. 100, 30 nouvelles par seconde" in row_a
    assert "<td>2</td>" in row_a and "Reçoit des appels" in row_a and "Mettre de côté" in row_a
    row_b = page[page.index("fs-b"):]
    assert "Injoignable" in row_b and "Absent de CENTREX_ESL_NODES" in row_b

    drained = post(client, f"/operator/nodes/{fs_a.id}/drain", headers={"Cookie": "console_lang=fr"},
                   follow_redirects=True)
    assert "fs-a est mis de côté" in text(drained) and "Chaque edge suit en quelques secondes" in text(drained)
    db.session.expire_all()
    assert db.session.get(SwitchNode, fs_a.id).drained is True
    assert "Remettre en service" in text(drained)[text(drained).index("fs-a"):text(drained).index("fs-b")]
    post(client, f"/operator/nodes/{fs_a.id}/return")
    db.session.expire_all()
    assert db.session.get(SwitchNode, fs_a.id).drained is False
    history = db.session.execute(select(AuditEntry.actor, AuditEntry.changes).where(
        AuditEntry.object_type == "switch_node", AuditEntry.action == "update").order_by(AuditEntry.id)).all()
    assert [tuple(row) for row in history] == [("operator@centrex.example", {"drained": True}),
                                               ("operator@centrex.example", {"drained": False})]
    assert post(client, "/operator/nodes/999999/drain").status_code == 404


def test_only_the_operator_sees_or_drains_the_switches(app, client, dupont):
    node = add_node("fs-a", "sip:127.0.0.1:5070", "127.0.0.1:8021")
    db.session.commit()
    login(client, "admin@dupont.example")
    assert client.get("/operator/nodes").status_code == 403
    assert post(client, f"/operator/nodes/{node.id}/drain").status_code == 403
    db.session.expire_all()
    assert db.session.get(SwitchNode, node.id).drained is False
