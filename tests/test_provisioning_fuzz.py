"""Path fuzzing: MACs in every case and separator, traversal attempts, other tenants' MACs, huge and
random names. Whatever the path: a 4xx (or the caller's own file), never a 5xx, never another
device's file."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from centrex.directory.users import reveal_secret
from centrex.models import User
from centrex.phones.devices import provisioning_token
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from tests.provisioning_helpers import device_auth, phone

pytestmark = pytest.mark.smoke

MINE, OTHER_SAME_TENANT, OTHER_TENANT = "001565a1b2c3", "001565d4e5f6", "000413778899"


@pytest.fixture
def phones(demo, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROV_LOCKOUT_FAILURES", 10**6)  # fuzzing is not what lockout is about
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    users = {(t.domain, u.extension): u for t in (dupont, martin)
             for u in db.session.execute(scoped(User, t.id)).scalars()}
    mine = phone(dupont, users[("dupont.example", "1001")], mac=MINE)
    same = phone(dupont, users[("dupont.example", "1002")], mac=OTHER_SAME_TENANT)
    other = phone(martin, users[("martin.example", "1001")], vendor="snom", model="D785", mac=OTHER_TENANT)
    for device in (mine, same, other):
        device.bootstrap_until = None  # no open window: only credentials count
    db.session.commit()
    secrets = {device.mac: [reveal_secret(db.session.get(User, device.user_id)), provisioning_token(device)]
               for device in (same, other)}
    return mine, secrets


def mac_spelling(mac: str):
    """The MAC with any case per digit and any separator between pairs."""
    pairs = [mac[i:i + 2] for i in range(0, 12, 2)]
    cased = st.tuples(*[st.sampled_from([p.lower(), p.upper(), p[0].upper() + p[1], p[0] + p[1].upper()])
                        for p in pairs])
    return st.tuples(cased, st.sampled_from(["", ":", "-", ".", " ", "%3A", "_"])).map(
        lambda t: t[1].join(t[0]))


def file_forms(mac_text):
    return st.sampled_from(["{}.cfg", "{}.boot", "{}-local.cfg", "snomD785-{}.htm", "snom-{}.xml",
                            "phonebook/{}/company.xml", "phonebook/{}/personal.xml", "phonebook/{}/index.xml",
                            "../{}.cfg", "..%2f{}.cfg", "%2e%2e/{}.cfg", "{}.cfg/../../wsgi.py",
                            "phonebook/{}/../../{}.cfg", "y000000000066.cfg/../{}.cfg",
                            "{}.cfg%00.txt", "{}.cfg?mac=" + MINE, "./{}.cfg", "{}.CFG"]).flatmap(
        lambda form: mac_text.map(lambda m: form.format(m, m)))


any_mac = st.sampled_from([MINE, OTHER_SAME_TENANT, OTHER_TENANT, "0015650ffff0"]).flatmap(mac_spelling)
names = st.one_of(
    file_forms(any_mac),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=300),
    st.integers(min_value=100, max_value=5000).map(lambda n: "a" * n + ".cfg"),
    st.sampled_from(["etc/passwd", "../../../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\wsgi.py",
                     "phonebook/" + MINE + "/company.xml/..", "phonebook//company.xml", "snom.htm"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, as_me=st.booleans(), pre_encoded=st.booleans())
def test_no_path_yields_a_5xx_or_another_devices_file(client, phones, name, as_me, pre_encoded):
    mine, secrets = phones
    path = "/prov/" + (name if pre_encoded else quote(name, safe="/:%?"))
    headers = device_auth(mine) if as_me else {}
    response = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "198.51.100.99"})
    assert response.status_code < 500, (path, response.status_code)
    body = response.get_data(as_text=True)
    for mac, values in secrets.items():
        assert not any(value in body for value in values), f"{path} leaked the secrets of {mac}"
    if response.status_code == 200 and MINE not in name.lower() and not name.startswith(("y0", "snomD")):
        pytest.fail(f"{path} served a file that is not the caller's own nor a common file")
