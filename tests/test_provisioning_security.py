"""Who may fetch what: the bootstrap window, per-device credentials, unknown MACs, other tenants' phones,
the download log, the lockout of a source, the network map, and no secret in any log line."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from centrex.directory.users import reveal_secret
from centrex.models import ProvisioningDownload, ProvisioningLockout, UnknownDevice, User
from centrex.phones.devices import claim_unknown_device, provisioning_token, reprovision_after_factory_reset
from centrex.phones.provisioning import aware, utcnow
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from tests.provisioning_helpers import basic, device_auth, parse_yealink, phone

pytestmark = pytest.mark.smoke
YEALINK_UA = "Yealink SIP-T46S 66.86.0.15 00:15:65:00:00:01"


def users_of(tenant):
    return {u.extension: u for u in db.session.execute(scoped(User, tenant.id)).scalars()}


def downloads():
    return db.session.execute(select(ProvisioningDownload).order_by(ProvisioningDownload.id)).scalars().all()


def settle():
    """Commit the test's setup (only a savepoint: the test still ends rolled back). A request that fails
    rolls its session back, and in tests the request shares the test's session."""
    db.session.commit()


def past_bootstrap(tenant, extension, **device):
    """A phone of that user whose bootstrap window is over: it must prove itself (committed)."""
    added = phone(tenant, users_of(tenant)[extension], **device)
    added.bootstrap_until = None
    settle()
    return added


def get(client, path, *, ip="198.51.100.7", headers=None, ua=YEALINK_UA):
    return client.get(path, headers={"User-Agent": ua, **(headers or {})}, environ_base={"REMOTE_ADDR": ip})


def test_bootstrap_hands_out_credentials_once_then_requires_them(client, demo):
    tenant = demo["dupont.example"]
    device = phone(tenant, users_of(tenant)["1001"])
    first = get(client, f"/prov/{device.mac}.cfg")
    assert first.status_code == 200
    values = parse_yealink(first.get_data(as_text=True))
    token = values["static.auto_provision.server.password"]
    assert values["static.auto_provision.server.username"] == device.mac and token == provisioning_token(device)
    db.session.refresh(device)
    assert device.bootstrap_until is None and device.last_provisioned_at is not None
    assert device.last_ip == "198.51.100.7" and device.last_user_agent == YEALINK_UA
    again = get(client, f"/prov/{device.mac}.cfg")
    assert again.status_code == 401 and again.headers["WWW-Authenticate"].startswith("Basic")
    assert "password" not in again.get_data(as_text=True)
    ok = get(client, f"/prov/{device.mac}.cfg", headers=basic(device.mac, token))
    assert ok.status_code == 200
    assert [(d.result, d.status, d.mac, d.device_id) for d in downloads()] == [
        ("bootstrap", 200, device.mac, device.id), ("challenge", 401, device.mac, device.id),
        ("served", 200, device.mac, device.id)]
    assert all(d.ip == "198.51.100.7" and d.user_agent == YEALINK_UA and d.file == f"{device.mac}.cfg"
               for d in downloads())


def test_factory_reset_reopens_the_window_with_new_credentials(client, demo):
    tenant = demo["dupont.example"]
    device = phone(tenant, users_of(tenant)["1001"])
    old = provisioning_token(device)
    device.bootstrap_until = None
    db.session.flush()
    reprovision_after_factory_reset(device)
    settle()
    assert provisioning_token(device) != old and aware(device.bootstrap_until) > utcnow()
    # the reset phone has no credentials (or stale ones): it gets its file once, with the new token
    response = get(client, f"/prov/{device.mac}.cfg", headers=basic(device.mac, old))
    assert parse_yealink(response.get_data(as_text=True))["static.auto_provision.server.password"] \
        == provisioning_token(device)
    assert get(client, f"/prov/{device.mac}.cfg", headers=basic(device.mac, old)).status_code == 401


def test_unknown_mac_is_404_and_recorded_for_the_admin_to_claim(client, demo):
    response = get(client, "/prov/0015650ABCDE.cfg")
    assert response.status_code == 404
    get(client, "/prov/0015650abcde.cfg", ip="198.51.100.8")
    unknown = db.session.get(UnknownDevice, "0015650abcde")
    assert (unknown.vendor, unknown.hits, unknown.last_ip) == ("yealink", 2, "198.51.100.8")
    get(client, "/prov/snomD785-000413FFEEDD.htm", ua="Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33)")
    assert db.session.get(UnknownDevice, "000413ffeedd").model == "D785"
    device = claim_unknown_device(demo["martin.example"], "00:15:65:0A:BC:DE", {"model": "T46S"})
    assert device.tenant_id == demo["martin.example"].id and db.session.get(UnknownDevice, device.mac) is None


def test_another_phone_or_tenant_never_gets_this_file(client, demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    mine = phone(dupont, users_of(dupont)["1001"], mac="001565000011")
    theirs = phone(martin, users_of(martin)["1001"], mac="001565000022")  # same extension, other tenant
    for device in (mine, theirs):
        device.bootstrap_until = None
    settle()
    response = get(client, f"/prov/{theirs.mac}.cfg", headers=device_auth(mine))
    assert response.status_code == 403
    assert reveal_secret(users_of(martin)["1001"]) not in response.get_data(as_text=True)
    assert get(client, f"/prov/phonebook/{theirs.mac}/company.xml", headers=device_auth(mine)).status_code == 403
    # a MAC in the User-Agent proves nothing
    spoof = get(client, f"/prov/{mine.mac}.cfg", ua="Yealink SIP-T46S 66.86.0.15 00:15:65:00:00:11")
    assert spoof.status_code == 401
    own = get(client, f"/prov/{mine.mac}.cfg", headers=device_auth(mine))
    assert parse_yealink(own.get_data(as_text=True))["account.1.sip_server.1.address"] == "dupont.example"


def test_repeated_failures_lock_the_source_out(client, demo, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROV_LOCKOUT_FAILURES", 5)
    device = past_bootstrap(demo["dupont.example"], "1001")
    for _ in range(4):
        assert get(client, f"/prov/{device.mac}.cfg", ip="203.0.113.9",
                   headers=basic(device.mac, "guess")).status_code == 401
    assert get(client, "/prov/001565999999.cfg", ip="203.0.113.9").status_code == 404  # 5th failure
    locked = get(client, f"/prov/{device.mac}.cfg", ip="203.0.113.9", headers=basic(device.mac, "guess-5"))
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert get(client, "/prov/001565999998.cfg", ip="203.0.113.9").status_code == 429
    # a phone proving itself with its own credentials is never locked out, from that address or another
    assert get(client, f"/prov/{device.mac}.cfg", ip="203.0.113.9", headers=device_auth(device)).status_code == 200
    results = [d.result for d in downloads() if d.ip == "203.0.113.9"]
    assert results == ["bad_credentials"] * 4 + ["unknown_mac", "locked", "locked", "served"]
    assert get(client, f"/prov/{device.mac}.cfg", ip="203.0.113.10", headers=device_auth(device)).status_code == 200
    # the lock ends
    db.session.execute(update(ProvisioningLockout).values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert get(client, "/prov/001565999998.cfg", ip="203.0.113.9").status_code == 404


def test_guesses_on_one_phone_from_many_addresses_lock_that_phone_not_its_owner(client, demo, app, monkeypatch):
    """Audit finding 9: failures count per device as well as per address; the phone itself, with its own
    credentials, still gets its file from behind the same address as the guesser."""
    monkeypatch.setitem(app.config, "PROV_LOCKOUT_FAILURES", 3)
    device = past_bootstrap(demo["dupont.example"], "1001")
    for n in range(3):  # three addresses, one guess each: no address is locked, the device is
        assert get(client, f"/prov/{device.mac}.cfg", ip=f"203.0.113.{20 + n}",
                   headers=basic(device.mac, f"guess-{n}")).status_code == 401
    assert get(client, f"/prov/{device.mac}.cfg", ip="203.0.113.30",
               headers=basic(device.mac, "guess-again")).status_code == 429
    assert get(client, f"/prov/{device.mac}.cfg", ip="203.0.113.30", headers=device_auth(device)).status_code == 200
    other = past_bootstrap(demo["dupont.example"], "1002", mac="001565000002")
    assert get(client, f"/prov/{other.mac}.cfg", ip="203.0.113.30", headers=basic(other.mac, "x")).status_code == 401


def test_a_challenge_is_not_a_failure(client, demo, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROV_LOCKOUT_FAILURES", 2)
    device = past_bootstrap(demo["dupont.example"], "1001")
    for _ in range(5):
        assert get(client, f"/prov/{device.mac}.cfg").status_code == 401
        assert get(client, "/prov/y000000000000.boot").status_code == 404  # asked by every Yealink
    assert get(client, f"/prov/{device.mac}.cfg", headers=device_auth(device)).status_code == 200


def test_secrets_never_reach_the_logs(client, demo, caplog):
    tenant = demo["dupont.example"]
    user = users_of(tenant)["1001"]
    device = phone(tenant, user)
    settle()
    caplog.set_level(logging.DEBUG)
    get(client, f"/prov/{device.mac}.cfg")
    get(client, f"/prov/{device.mac}.cfg", headers=basic(device.mac, "wrong-guess-123"))
    get(client, f"/prov/{device.mac}.cfg", headers=device_auth(device))
    text = caplog.text + " ".join(f"{d.file} {d.user_agent} {d.result}" for d in downloads())
    assert caplog.records, "the requests were logged"
    for secret in (reveal_secret(user), provisioning_token(device), "wrong-guess-123"):
        assert secret not in text


def test_control_characters_never_reach_a_key_value_file(client, demo):
    tenant = demo["dupont.example"]
    user = users_of(tenant)["1001"]
    device = phone(tenant, user)
    # a value stored by a path that skipped validation: the renderer refuses it instead of injecting a key
    db.session.execute(update(User).where(User.id == user.id).values(name="Alain\naccount.1.password = x"))
    settle()
    response = get(client, f"/prov/{device.mac}.cfg", headers=device_auth(device))
    assert response.status_code == 409 and "account.1.password = x" not in response.get_data(as_text=True)
    assert downloads()[-1].result == "refused"


@pytest.mark.postgres
def test_lockout_count_is_shared_by_concurrent_workers(app, committed, monkeypatch):
    """Two threads with their own connections (as two gunicorn workers) fail at once: every failure
    counts, none is lost to a race, and the source ends locked out."""
    monkeypatch.setitem(app.config, "PROV_LOCKOUT_FAILURES", 40)
    barrier = threading.Barrier(2)
    statuses = []

    def worker():
        client = app.test_client()
        barrier.wait()
        for _ in range(20):
            statuses.append(client.get("/prov/00156500dead.cfg", environ_base={"REMOTE_ADDR": "192.0.2.77"})
                            .status_code)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [404] * 40
    with app.app_context():
        row = db.session.get(ProvisioningLockout, "192.0.2.77")  # an address as the source
        assert row.locked_until is not None and row.failures == 0
        assert db.session.execute(select(func.count()).select_from(ProvisioningDownload)).scalar_one() == 40
        assert app.test_client().get("/prov/00156500dead.cfg",
                                     environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code == 429
