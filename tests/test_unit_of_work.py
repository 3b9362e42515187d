"""The unit of work: one commit as the acting person, a rollback on error, and after-commit hooks that run
because the app factory registered them (not because a module was imported)."""
from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from centrex.freeswitch import sync as switch_sync
from centrex.models import AuditEntry, Tenant
from centrex.platform.audit import Actor, current_actor
from centrex.platform.db import db
from centrex.platform.errors import Invalid
from centrex.platform.unit_of_work import TransactionHook, register_hooks, registered_hooks, unit_of_work
from centrex.tenants.companies import create_tenant


def _queue_both(ran: list) -> None:
    switch_sync.call_after_commit(lambda: ran.append("after commit"))
    switch_sync.call_on_rollback(lambda: ran.append("on rollback"))


def test_create_app_registers_the_answer_cache_and_switch_sync_hooks(app):
    assert {hook.name for hook in registered_hooks(app)} == {"answer_cache", "switch_sync", "switch_user_cache"}


def test_a_hook_registered_in_create_app_runs_after_a_commit_and_not_after_a_rollback(session):
    ran: list[str] = []
    with unit_of_work():
        _queue_both(ran)
        create_tenant({"domain": "uow-commit.example", "name": "Commit SA"})
    assert ran == ["after commit"]

    ran.clear()
    with pytest.raises(Invalid), unit_of_work():
        _queue_both(ran)
        create_tenant({"domain": "uow-rollback.example", "name": "Rollback SA"})
        raise Invalid("changed my mind")
    assert ran == ["on rollback"]
    domains = set(session.execute(select(Tenant.domain).where(Tenant.domain.like("uow-%"))).scalars())
    assert domains == {"uow-commit.example"}


def test_the_work_is_audited_as_the_actor_given(session):
    with unit_of_work(Actor("cli:alice", "192.0.2.7")):
        assert current_actor() == Actor("cli:alice", "192.0.2.7")
        tenant = create_tenant({"domain": "uow-audit.example", "name": "Audit SA"})
    assert current_actor() == Actor("test")  # back to whoever acted before
    entry = session.execute(select(AuditEntry).where(AuditEntry.object_type == "tenant",
                                                     AuditEntry.object_id == tenant.id)).scalar_one()
    assert (entry.actor, entry.source_ip, entry.action) == ("cli:alice", "192.0.2.7", "create")


def test_a_hook_sees_commits_and_rollbacks_of_the_outermost_transaction_only(app, session):
    seen: list[str] = []
    register_hooks(app, TransactionHook("probe", committed=lambda _s: seen.append("committed"),
                                        rolled_back=lambda _s: seen.append("rolled back")))
    try:
        with unit_of_work():
            with session.begin_nested():  # a savepoint released: not the end of the transaction
                create_tenant({"domain": "uow-nested.example", "name": "Nested SA"})
            assert seen == []
        assert seen == ["committed"]
        with pytest.raises(Invalid), unit_of_work():
            session.execute(select(Tenant.id))
            raise Invalid("no")
        assert seen == ["committed", "rolled back"]
    finally:
        app.extensions["centrex_transaction_hooks"].pop("probe")


def test_an_app_that_registers_no_hook_runs_none(tmp_path):
    bare = Flask("bare")
    bare.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'bare.sqlite'}"
    db.init_app(bare)
    ran: list[str] = []
    with bare.app_context():
        with unit_of_work():
            _queue_both(ran)
            db.session.execute(select(1))
        db.session.remove()
        db.engine.dispose()
    assert ran == []
