"""Core services: validation, audit rows, secrets at rest, the single commit at the boundary."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from centrex.directory.users import create_user, reveal_secret, update_user
from centrex.models import AuditEntry, Number, Tenant, User
from centrex.phones.devices import add_device
from centrex.platform.crypto import digest_a1, verify_password
from centrex.platform.db import db
from centrex.platform.errors import Conflict, Invalid
from centrex.routing.numbers import add_number, point_number
from centrex.tenants.companies import create_tenant

pytestmark = pytest.mark.smoke


@pytest.fixture
def tenant(session):
    return create_tenant({"domain": "Acme.Example", "name": "Acme"})


def audit_rows(object_type):
    return db.session.execute(select(AuditEntry).where(AuditEntry.object_type == object_type)
                              .order_by(AuditEntry.id)).scalars().all()


def test_tenant_domain_is_normalised_and_audited(tenant):
    assert tenant.domain == "acme.example"
    [row] = audit_rows("tenant")
    assert (row.action, row.actor, row.tenant_id) == ("create", "test", tenant.id)


def test_user_secret_is_encrypted_and_hashes_match(tenant):
    user = create_user(tenant, {"extension": "2001", "name": "Jeanne", "sip_secret": "s3cret-long-enough",
                                "vm_pin": "246813"})
    assert "s3cret-long-enough" not in user.sip_secret_enc
    assert reveal_secret(user) == "s3cret-long-enough"
    assert user.sip_a1_hash == digest_a1("2001", "acme.example", "s3cret-long-enough")
    assert user.vm_a1_hash == digest_a1("2001", "acme.example", "246813")
    assert verify_password(user.vm_pin_hash, "246813") and "246813" not in user.vm_pin_hash
    [row] = audit_rows("sip_user")
    assert row.changes["sip_secret"] == "***" and "vm_pin" not in row.changes
    assert "s3cret-long-enough" not in str(row.changes)


def test_generated_secret_when_none_given(tenant):
    user = create_user(tenant, {"extension": "2002", "name": "Paul"})
    assert len(reveal_secret(user)) >= 16


def test_changing_the_extension_rehashes_the_credential(tenant):
    user = create_user(tenant, {"extension": "2003", "name": "Zoé", "sip_secret": "another-secret-1"})
    update_user(user, {"extension": "2013"})
    assert user.sip_a1_hash == digest_a1("2013", "acme.example", "another-secret-1")


def test_invalid_fields_are_reported_per_field(tenant):
    with pytest.raises(Invalid) as exc:
        create_user(tenant, {"extension": "01", "name": "x\nInjected: 1", "email": "nope",
                             "vm_pin": "12", "mobile": "079 12"})
    assert set(exc.value.fields) == {"extension", "name", "email", "vm_pin", "mobile"}
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_duplicate_extension_in_same_tenant_refused_other_tenant_allowed(tenant):
    create_user(tenant, {"extension": "2004", "name": "A"})
    with pytest.raises(Conflict):
        create_user(tenant, {"extension": "2004", "name": "B"})
    other = create_tenant({"domain": "other.example", "name": "Other"})
    assert create_user(other, {"extension": "2004", "name": "C"}).tenant_id == other.id


def test_seat_limit_is_enforced(session):
    small = create_tenant({"domain": "small.example", "name": "Small", "max_users": 1})
    create_user(small, {"extension": "2001", "name": "One"})
    with pytest.raises(Conflict, match="seats"):
        create_user(small, {"extension": "2002", "name": "Two"})


def test_number_destination_must_exist_in_the_same_tenant(tenant):
    other = create_tenant({"domain": "other.example", "name": "Other"})
    stranger = create_user(other, {"extension": "3001", "name": "Stranger"})
    number = add_number({"e164": "+41215559999"}, tenant)
    with pytest.raises(Invalid):
        point_number(number, tenant, {"dest_type": "user", "dest_id": stranger.id})
    mine = create_user(tenant, {"extension": "3001", "name": "Mine"})
    point_number(number, tenant, {"dest_type": "user", "dest_id": mine.id})
    assert (number.dest_type, number.dest_id) == ("user", mine.id)


def test_device_mac_is_normalised_and_unique(tenant):
    device = add_device(tenant, {"mac": "00:15:65:AB-CD.EF", "vendor": "yealink", "model": "T54W"})
    assert device.mac == "001565abcdef"
    with pytest.raises(Conflict):
        add_device(tenant, {"mac": "001565ABCDEF", "vendor": "yealink", "model": "T54W"})
    with pytest.raises(Invalid) as exc:
        add_device(tenant, {"mac": "../../etc/passwd", "vendor": "yealink", "model": "T54W"})
    assert "mac" in exc.value.fields


def test_a_failed_cli_command_leaves_no_half_row(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tenant", "create", "bad domain", "Bad"])
    assert result.exit_code != 0 and "domain" in result.output
    assert db.session.execute(select(func.count(Tenant.id))).scalar_one() == 0


def test_cli_creates_tenant_and_user_and_shows_secret(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenant", "create", "cli.example", "CLI SA"]).exit_code == 0
    result = runner.invoke(args=["user", "create", "1001@cli.example", "Jean CLI", "--vm-pin", "802417"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.extension == "1001")).scalar_one()
    shown = runner.invoke(args=["user", "secret", "1001@cli.example"])
    assert shown.output.strip() == reveal_secret(user)
    actions = [r.action for r in audit_rows("sip_user")]
    assert actions == ["create", "reveal_secret"]
    assert all(r.actor.startswith("cli:") for r in audit_rows("sip_user"))


def test_cli_suspends_then_reactivates_a_tenant(app, session):
    runner = app.test_cli_runner()
    runner.invoke(args=["tenant", "create", "pause.example", "Pause SA"])
    said = [runner.invoke(args=["tenant", verb, "pause.example"]).output for verb in ("suspend", "activate")]
    assert said == ["Tenant pause.example suspended: its phones can no longer register.\n",
                    "Tenant pause.example active.\n"]
    assert [(r.action, r.changes) for r in audit_rows("tenant")][1:] == [
        ("update", {"status": "suspended"}), ("update", {"status": "active"})]


def test_load_demo_is_idempotent_and_complete(app, session):
    runner = app.test_cli_runner()
    assert "Demo loaded" in runner.invoke(args=["load-demo"]).output
    assert "already" in runner.invoke(args=["load-demo"]).output
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    names = set(db.session.execute(select(User.name).where(User.tenant_id == dupont.id)).scalars())
    assert {"Alain Dupont", "Claire Dumas"} <= names and len(names) == 6
    numbers = db.session.execute(select(Number).where(Number.tenant_id == dupont.id)).scalars().all()
    assert sum(n.is_main for n in numbers) == 1 and len(numbers) >= 9


def test_the_embedded_database_is_readable_by_its_owner_only(tmp_path):
    """Audit finding 9: it was created 0644 beside key files of 0600."""
    import os
    import stat

    from sqlalchemy import create_engine, text

    path = tmp_path / "centrex.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    for name in ("centrex.sqlite", "centrex.sqlite-wal", "centrex.sqlite-shm"):
        if (tmp_path / name).exists():
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
    engine.dispose()
