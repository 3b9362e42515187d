"""The hot path as gunicorn runs it (real commits, the session on the engine): a phone's own file with its
own credentials is one autocommitted statement on PostgreSQL that also records the download and the
network map; a file that cannot be made takes that record back; failures still write in one transaction."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.pool import Pool

from centrex.directory.users import create_user
from centrex.models import Device, ProvisioningDownload, ProvisioningLockout, User
from centrex.platform.db import db
from centrex.tenants.companies import create_tenant
from tests.provisioning_helpers import basic, device_auth, phone

pytestmark = pytest.mark.smoke
UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:00:00:01"


@pytest.fixture
def office(committed):
    """A tenant with two users and a Yealink for the first one, committed, outside its bootstrap window."""
    tenant = create_tenant({"domain": "hot.example", "name": "Hot SA"})
    alice = create_user(tenant, {"extension": "1001", "name": "Alice"})
    device = phone(tenant, alice, mac="001565000101")
    device.bootstrap_until = None
    values = device.id, device_auth(device), alice.id
    committed.commit()  # and nothing read afterwards: each request starts outside any transaction, as in gunicorn
    return values


class Statements:
    """Every statement any pooled PostgreSQL connection sends while inside, recorded by its cursors
    (SQLAlchemy's and the hot path's own alike), with the connection's autocommit flag at the time
    (psycopg sends no BEGIN/COMMIT in autocommit)."""

    def __init__(self):
        self.seen, self._touched = [], []

    def __enter__(self):
        event.listen(Pool, "checkout", self._checkout)
        return self

    def __exit__(self, *exc):
        event.remove(Pool, "checkout", self._checkout)
        for connection in self._touched:
            connection.cursor_factory = psycopg.Cursor

    def _checkout(self, dbapi_connection, _record, _proxy):
        seen = self.seen

        class Recording(psycopg.Cursor):
            def execute(self, query, params=None, **kwargs):
                seen.append((str(query).split()[0].upper(), self.connection.autocommit))
                return super().execute(query, params, **kwargs)

        dbapi_connection.cursor_factory = Recording
        self._touched.append(dbapi_connection)


def fetch(app, path, headers=None, ip="198.51.100.20"):
    return app.test_client().get(path, headers={"User-Agent": UA, **(headers or {})},
                                 environ_base={"REMOTE_ADDR": ip})


def rows(model, *where):
    db.session.rollback()  # a fresh snapshot of what the requests committed
    return db.session.execute(select(model).where(*where)).scalars().all()


@pytest.mark.postgres
def test_a_served_config_is_one_autocommitted_statement_that_records_it(app, office):
    device_id, auth, _ = office
    with Statements() as statements:
        response = fetch(app, "/prov/001565000101.cfg", auth)
    assert response.status_code == 200 and "account.1.password = " in response.get_data(as_text=True)
    assert statements.seen == [("WITH", True)]
    logged = rows(ProvisioningDownload, ProvisioningDownload.device_id == device_id)
    assert [(d.result, d.status, d.ip, d.user_agent, d.file, d.mac) for d in logged] == [
        ("served", 200, "198.51.100.20", UA, "001565000101.cfg", "001565000101")]
    device = rows(Device, Device.id == device_id)[0]
    assert (device.last_ip, device.last_user_agent) == ("198.51.100.20", UA)
    assert device.last_provisioned_at == device.last_seen_at == logged[0].at


@pytest.mark.postgres
def test_a_file_that_cannot_be_made_is_not_logged_as_served(app, office):
    device_id, auth, alice_id = office
    db.session.execute(update(User).where(User.id == alice_id).values(name="Alice\naccount.1.password = x"))
    db.session.commit()
    response = fetch(app, "/prov/001565000101.cfg", auth)
    assert response.status_code == 409 and "account.1.password" not in response.get_data(as_text=True)
    logged = rows(ProvisioningDownload, ProvisioningDownload.device_id == device_id)
    assert [(d.result, d.status) for d in logged] == [("refused", 409)]
    device = rows(Device, Device.id == device_id)[0]
    assert device.last_provisioned_at is None and device.last_ip == "198.51.100.20"  # seen, not provisioned


@pytest.mark.postgres
def test_failures_still_write_in_one_transaction(app, office, monkeypatch):
    monkeypatch.setitem(app.config, "PROV_LOCKOUT_FAILURES", 2)
    device_id, _, _ = office
    guess = basic("001565000101", "guess")
    with Statements() as statements:
        assert fetch(app, "/prov/001565000101.cfg", guess, ip="203.0.113.50").status_code == 401
    writes = [autocommit for verb, autocommit in statements.seen if verb in ("INSERT", "UPDATE")]
    assert writes and not any(writes)  # the lockout count and the download row commit together
    assert fetch(app, "/prov/001565000101.cfg", guess, ip="203.0.113.50").status_code == 401
    assert rows(ProvisioningLockout, ProvisioningLockout.source == "203.0.113.50")[0].locked_until is not None
    assert [d.result for d in rows(ProvisioningDownload, ProvisioningDownload.device_id == device_id)] == [
        "bad_credentials"] * 2


def test_a_phone_of_another_vendor_is_never_served_under_this_name(client, demo):
    """A Snom's own credentials on the Yealink file name: unknown for that vendor, one download row."""
    tenant = demo["dupont.example"]
    user = db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == "1001")).scalar_one()
    snom = phone(tenant, user, vendor="snom", model="D785", mac="000413000101")
    snom.bootstrap_until = None
    db.session.commit()
    source = {"REMOTE_ADDR": "198.51.100.21"}
    assert client.get(f"/prov/{snom.mac}.cfg", headers=device_auth(snom), environ_base=source).status_code == 404
    ok = client.get(f"/prov/snom-{snom.mac.upper()}.xml", headers=device_auth(snom), environ_base=source)
    assert ok.status_code == 200
    logged = db.session.execute(select(ProvisioningDownload).order_by(ProvisioningDownload.id)).scalars().all()
    assert [(d.result, d.status, d.file) for d in logged] == [
        ("unknown_mac", 404, f"{snom.mac}.cfg"), ("served", 200, f"snom-{snom.mac.upper()}.xml")]


@pytest.mark.postgres
def test_a_served_file_that_fails_unexpectedly_is_logged_as_an_error(app, office):
    """A stored secret the operator's key cannot open (a server fault, not bad input): the request
    fails, and its download row, written by the read, says so instead of "served"."""
    device_id, auth, alice_id = office
    db.session.execute(update(User).where(User.id == alice_id).values(sip_secret_enc="not-a-fernet-token"))
    db.session.commit()
    with pytest.raises(ValueError):
        fetch(app, "/prov/001565000101.cfg", auth)  # TESTING: Flask lets the error through
    logged = rows(ProvisioningDownload, ProvisioningDownload.device_id == device_id)
    assert [(d.result, d.status) for d in logged] == [("error", 500)]
    assert rows(Device, Device.id == device_id)[0].last_provisioned_at is None
