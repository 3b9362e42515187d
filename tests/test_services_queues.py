"""Queues: saved with their ordered agents, and the mod_callcenter commands that apply each change live
are queued for after the commit (none if the transaction rolls back)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.features import queues
from centrex.freeswitch.sync import pending_commands
from centrex.models import AuditEntry, CallQueue, QueueAgent, User
from centrex.platform.db import db
from centrex.platform.errors import DomainError

# the demo's own commands are sent (or logged) before each test: each test starts clean
pytestmark = [pytest.mark.smoke, pytest.mark.commit_demo]


def user_id(tenant, extension):
    return db.session.execute(select(User.id).where(User.tenant_id == tenant.id,
                                                    User.extension == extension)).scalar_one()


def test_new_queue_is_loaded_and_its_agents_added_in_order(dupont):
    queue = queues.create_queue(dupont, {"name": "Commandes", "strategy": "round-robin",
                                         "max_wait_seconds": 60, "after_dest_type": "hangup"})
    queues.set_agents(dupont, queue, [user_id(dupont, "1004"), user_id(dupont, "1000")])
    name = f"q{queue.id}@dupont.example"
    assert pending_commands() == [
        f"callcenter_config queue load {name}",
        "callcenter_config agent add 1004@dupont.example callback",
        "callcenter_config agent set contact 1004@dupont.example [leg_timeout=15]user/1004@dupont.example",
        "callcenter_config agent set status 1004@dupont.example Available",
        f"callcenter_config tier add {name} 1004@dupont.example 1 1",
        "callcenter_config agent add 1000@dupont.example callback",
        "callcenter_config agent set contact 1000@dupont.example [leg_timeout=15]user/1000@dupont.example",
        "callcenter_config agent set status 1000@dupont.example Available",
        f"callcenter_config tier add {name} 1000@dupont.example 1 2",
    ]
    assert [a.position for a in queues.agents_of(queue)] == [1, 2]


def test_reordering_and_removing_agents(dupont):
    support = db.session.execute(select(CallQueue).where(CallQueue.tenant_id == dupont.id,
                                                         CallQueue.name == "Réclamations")).scalar_one()
    name = f"q{support.id}@dupont.example"
    queues.set_agents(dupont, support, [user_id(dupont, "1004")])
    assert pending_commands() == [
        f"callcenter_config tier del {name} 1003@dupont.example",
        "callcenter_config agent del 1003@dupont.example",       # 1003 answers no other queue
        f"callcenter_config tier set position {name} 1004@dupont.example 1",
    ]
    audit = db.session.execute(select(AuditEntry).where(AuditEntry.action == "set_agents")
                               .order_by(AuditEntry.id.desc())).scalars().first()
    assert audit.object_id == support.id and audit.tenant_id == dupont.id


def test_agent_in_another_queue_keeps_its_agent(dupont, session):
    sales = queues.create_queue(dupont, {"name": "Ventes"})
    queues.set_agents(dupont, sales, [user_id(dupont, "1001")])
    support = db.session.execute(select(CallQueue).where(CallQueue.tenant_id == dupont.id,
                                                         CallQueue.name == "Réclamations")).scalar_one()
    queues.set_agents(dupont, support, [user_id(dupont, "1003"), user_id(dupont, "1004"), user_id(dupont, "1001")])
    session.commit()
    queues.set_agents(dupont, support, [user_id(dupont, "1003"), user_id(dupont, "1004")])
    assert pending_commands() == [f"callcenter_config tier del q{support.id}@dupont.example 1001@dupont.example"]
    # no `agent del 1001@dupont.example`: Alain still answers the Ventes queue


def test_changing_a_queue_reloads_it_and_deleting_unloads(dupont, session):
    sales = queues.create_queue(dupont, {"name": "Ventes", "strategy": "ring-all"})
    queues.set_agents(dupont, sales, [user_id(dupont, "1004"), user_id(dupont, "1005")])
    session.commit()
    name = f"q{sales.id}@dupont.example"
    queues.update_queue(dupont, sales, {"strategy": "longest-idle-agent"})
    assert pending_commands() == [f"callcenter_config queue reload {name}"]
    queues.update_queue(dupont, sales, {"strategy": "longest-idle-agent"})  # no change, nothing more
    assert pending_commands() == [f"callcenter_config queue reload {name}"]
    queues.delete_queue(dupont, sales)
    assert pending_commands()[-1] == f"callcenter_config queue unload {name}"
    assert f"callcenter_config tier del {name} 1005@dupont.example" in pending_commands()
    assert "callcenter_config agent del 1005@dupont.example" in pending_commands()
    assert "callcenter_config agent del 1004@dupont.example" not in pending_commands()  # in Réclamations
    assert db.session.execute(select(QueueAgent).where(QueueAgent.queue_id == sales.id)).first() is None


def test_rollback_sends_nothing(dupont, session):
    queues.create_queue(dupont, {"name": "Brouillon"})
    assert pending_commands()
    session.rollback()
    assert pending_commands() == []


def test_validation(dupont, demo):
    martin_user = user_id(demo["martin.example"], "1001")
    support = db.session.execute(select(CallQueue).where(CallQueue.tenant_id == dupont.id,
                                                         CallQueue.name == "Réclamations")).scalar_one()
    cases = [
        ({"name": "Réclamations"}, 409),                                         # name taken in this company
        ({"name": "X", "extension": "2001"}, 409),                               # the support group's number
        ({"name": "X", "strategy": "random"}, 422),
        ({"name": "X", "after_dest_type": "user", "after_dest_id": martin_user, "max_wait_seconds": 30}, 422),
        ({"name": "X", "after_dest_type": "user", "after_dest_id": user_id(dupont, "1000")}, 422),  # no max wait
        ({"name": "X", "moh_class_id": 999999}, 404),
    ]
    for data, status in cases:
        with pytest.raises(DomainError) as info:
            queues.create_queue(dupont, data)
        assert info.value.status == status, data
    with pytest.raises(DomainError):
        queues.set_agents(dupont, support, [martin_user])
    with pytest.raises(DomainError):
        queues.update_queue(demo["martin.example"], support, {"strategy": "ring-all"})
    # Martin may have a queue with the same name and short number.
    assert queues.create_queue(demo["martin.example"], {"name": "Ventes", "extension": "2101"}).id
    assert queues.create_queue(dupont, {"name": "Ventes", "extension": "2101"}).id
