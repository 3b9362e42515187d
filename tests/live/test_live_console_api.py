"""What the console and the API do, heard on the live switch: click-to-call (the user's phone rings, then
the carrier gets the call), a forwarding rule, a ring group member and a schedule changed in the console
and followed by the very next call (no restart, no stale cache), and re-provisioning that makes the
registered phone receive NOTIFY check-sync."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import lxml.html
import pytest
from sqlalchemy import select

pytestmark = pytest.mark.live

ADMIN = "admin@dupont.example"
PASSWORD = "demo-centrex-2026"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---- the console, as an administrator's browser uses it ----
class Console:
    """A logged-in console session on the live app (Flask test client, CSRF tokens as the forms carry)."""

    def __init__(self, live, email: str = ADMIN):
        self.client = live.app.test_client()
        page = self.client.get("/login")
        token = CSRF.search(page.get_data(as_text=True))[1]
        response = self.client.post("/login", data={"email": email, "password": PASSWORD,
                                                    "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with live.data() as session:
            from centrex.models import Tenant

            query = select(Tenant.id).where(Tenant.domain == "dupont.example")
            self.tenant_id = session.execute(query).scalar_one()

    def url(self, path: str) -> str:
        return f"/t/{self.tenant_id}{path}"

    def form(self, path: str, index: int = -1) -> dict[str, str]:
        """The values a browser would send from a form of the page (the last one: the page's own form)."""
        page = self.client.get(self.url(path))
        assert page.status_code == 200, (path, page.status_code)
        form = lxml.html.fromstring(page.get_data(as_text=True)).forms[index]
        return {name: value for name, value in form.form_values()}

    def submit(self, path: str, values: dict, *, action: str | None = None):
        token = CSRF.search(self.client.get(self.url(path)).get_data(as_text=True))[1]
        response = self.client.post(self.url(action or path), data={**values, "csrf_token": token})
        assert response.status_code == 302, (path, response.status_code,
                                             response.get_data(as_text=True)[:3000])
        return response


def rung(phone) -> list:
    """The calls a phone received: its first INVITE of each Call-ID (a loaded switch retransmits)."""
    seen = {}
    for invite in phone.invites():
        seen.setdefault(invite.header("Call-ID"), invite)
    return list(seen.values())


def dupont_ids(live, model, **where) -> int:
    from centrex.models import Tenant

    with live.data() as session:
        query = select(model.id).join(Tenant, Tenant.id == model.tenant_id).where(
            Tenant.domain == "dupont.example")
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.execute(query).scalar_one()


def user_id(live, extension: str) -> int:
    from centrex.models import User

    return dupont_ids(live, User, extension=extension)


# ---- the API, over real HTTP to the product's gunicorn ----
@pytest.fixture(scope="module")
def api_key(live):
    from centrex.access.api_tokens import create_token
    from centrex.models import Tenant

    with live.data() as session:
        dupont = session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
        _, key = create_token(dupont, {"name": "live CRM", "scopes": ["calls:write", "calls:read"]})
    return key


def api(live, key: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{live.product.url}/api/v1{path}", method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_click_to_call_rings_the_users_phone_then_the_carrier(phones, api_key):
    from centrex.models import ApiCall

    live = phones
    live.at("2026-12-07 10:00")
    live.carrier_answers("answer", ring_ms=300, talk_ms=3000)
    alain = live.phone("1001", ring_ms=800)
    status, call = api(live, api_key, "POST", "/calls", {"from_user": "1001", "to": "021 333 44 91"})
    assert status == 202, call
    assert call["progress"] == "ringing_user" and call["to"] == "+41213334491", call
    to_carrier = live.wait_for(lambda: [m for m in rung(live.carrier) if "sip:+41213334491@" in m.first_line],
                               timeout=15, what="the carrier's INVITE")
    rang, = rung(alain)
    assert rang.at < to_carrier[0].at, "the carrier was called before the user picked up"
    assert "+41215550102" in to_carrier[0].header("From"), to_carrier[0].header("From")  # Alain's direct line
    with live.data() as session:
        row = session.get(ApiCall, call["id"])
        assert (row.from_extension, row.to_number) == ("1001", "+41213334491")
    connected = live.wait_for(lambda: progress(live, api_key, call["id"], "connected"), timeout=10,
                              what="the API to say the call is connected")
    assert connected["answered_at"], connected
    ended = live.wait_for(lambda: progress(live, api_key, call["id"], "ended"), timeout=15,
                          what="the API to say the call ended")
    assert ended["duration"] is not None and ended["hangup_cause"] == "NORMAL_CLEARING", ended


def progress(live, key: str, call_id: str, wanted: str) -> dict | None:
    status, shown = api(live, key, "GET", f"/calls/{call_id}")
    assert status == 200, shown
    return shown if shown["progress"] == wanted else None


def test_click_to_call_to_a_refused_number_is_refused_and_rings_nobody(phones, api_key):
    live = phones
    alain = live.phone("1001")
    before = len(rung(live.carrier))
    status, body = api(live, api_key, "POST", "/calls", {"from_user": "1001", "to": "+881612345678"})
    assert status == 403, body
    status, body = api(live, api_key, "POST", "/calls", {"from_user": "1002", "to": "0033142685300"})
    assert status == 403, body
    assert rung(alain) == [] and len(rung(live.carrier)) == before


def test_click_to_call_from_a_phone_that_is_not_registered_says_it_failed(phones, api_key):
    live = phones
    live.at("2026-12-07 10:00")
    before = len(rung(live.carrier))
    status, call = api(live, api_key, "POST", "/calls", {"from_user": "1004", "to": "0213334492"})
    assert status == 202, call
    failed = live.wait_for(lambda: (lambda c: c if c["progress"] == "failed" else None)(
        api(live, api_key, "GET", f"/calls/{call['id']}")[1]), timeout=15, what="the click-to-call to fail")
    assert failed["reason"], failed
    assert len(rung(live.carrier)) == before


# ---- console changes, heard on the next call ----
def test_call_rights_changed_in_the_console_apply_to_the_next_call(phones):
    live = phones
    live.at("2026-12-07 10:00")
    refused = live.call("1002", "0033142685301", talk_ms=300)  # Sophie: national only
    assert refused.final == 403, refused.responses()
    console = Console(live)
    form = console.form("/call-rights")
    sophie = f"users.{user_id(live, '1002')}.call_class"
    assert form[sophie] == "national", form
    console.submit("/call-rights", {**form, sophie: "international"})
    try:
        allowed = live.call("1002", "0033142685302", talk_ms=300)
        assert allowed.final == 200, allowed.responses()
        assert [m for m in rung(live.carrier) if "sip:+33142685302@" in m.first_line]
    finally:
        console.submit("/call-rights", form)
    again = live.call("1002", "0033142685303", talk_ms=300)
    assert again.final == 403, again.responses()
    assert not [m for m in rung(live.carrier) if "sip:+33142685303@" in m.first_line]


def test_a_forwarding_rule_added_in_the_console_is_followed_by_the_next_call(phones):
    live = phones
    live.at("2026-12-07 10:00")
    sophie, luc = live.phone("1002", ring_ms=300), live.phone("1003", ring_ms=300)
    live.phone("1001")
    assert live.call("1001", "1002", talk_ms=500).final == 200  # the answers are cached now
    assert (len(rung(sophie)), len(rung(luc))) == (1, 0)
    console, sophie_id = Console(live), user_id(live, "1002")
    page = f"/users/{sophie_id}/forwarding"
    console.submit(page, {"kind": "always", "dest.type": "user", "dest.id.user": str(user_id(live, "1003"))})
    try:
        assert live.call("1001", "1002", talk_ms=500).final == 200
        assert (len(rung(sophie)), len(rung(luc))) == (1, 1), "the new forwarding was not followed"
    finally:
        from centrex.models import ForwardRule

        rule = dupont_ids(live, ForwardRule, user_id=sophie_id, kind="always")
        console.submit(page, {}, action=f"{page}/{rule}/delete")
    assert live.call("1001", "1002", talk_ms=500).final == 200
    assert (len(rung(sophie)), len(rung(luc))) == (2, 1), "the removed forwarding was still followed"


def test_a_ring_group_member_changed_in_the_console_rings_on_the_next_call(phones):
    from centrex.models import RingGroup

    live = phones
    live.at("2026-12-07 10:00")
    luc, julie, marc = (live.phone(ext, ring_ms=400) for ext in ("1003", "1004", "1005"))
    live.phone("1001")
    assert live.call("1001", "2001", talk_ms=500).final == 200  # Support: Luc and Julie
    assert [len(rung(p)) for p in (luc, julie, marc)] == [1, 1, 0]
    console = Console(live)
    page = f"/groups/{dupont_ids(live, RingGroup, extension='2001')}"
    form = console.form(page)
    member = f"user:{user_id(live, '1004')}"
    julie_row = next(k for k, v in form.items() if k.endswith(".who") and v == member)
    console.submit(page, {**form, julie_row: f"user:{user_id(live, '1005')}"})
    try:
        assert live.call("1001", "2001", talk_ms=500).final == 200
        assert [len(rung(p)) for p in (luc, julie, marc)] == [2, 1, 1], "the group still rang its old member"
    finally:
        console.submit(page, form)


def test_a_schedule_changed_in_the_console_routes_the_next_call(phones):
    from centrex.models import Schedule

    live = phones
    live.at("2026-12-07 12:30")  # Monday lunch time: the main number goes to the answering machine
    claire = live.phone("1000", ring_ms=300)
    assert live.carrier_call("+41215550100", talk_ms=1500).final == 200
    assert rung(claire) == []
    console = Console(live)
    schedule_id = dupont_ids(live, Schedule, name="Heures d'ouverture")
    page = f"/schedules/{schedule_id}"
    form = console.form(page)
    morning = next(k for k, v in form.items() if k.endswith(".end") and v == "12:00")
    console.submit(page, {**form, morning: "13:00"})  # the morning now lasts until 13:00
    try:
        assert live.carrier_call("+41215550100", talk_ms=1000).final == 200
        assert len(rung(claire)) == 1, "the main number did not follow the new office hours"
    finally:
        console.submit(page, form)
    assert live.carrier_call("+41215550100", talk_ms=1000).final == 200
    assert len(rung(claire)) == 1, "the restored schedule was not followed"


# ---- provisioning ----
def test_reprovisioning_a_device_sends_check_sync_to_the_registered_phone(phones):
    from centrex.models import Device, Tenant
    from centrex.phones.devices import add_device

    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001")
    with live.data() as session:
        dupont = session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
        device = session.execute(select(Device).where(Device.mac == "805EC0ABCD01")).scalar_one_or_none() \
            or add_device(dupont, {"mac": "80:5E:C0:AB:CD:01", "vendor": "yealink", "model": "T54W",
                                   "user_id": user_id(live, "1001")})
        device_id = device.id
    console = Console(live)
    response = console.submit(f"/devices/{device_id}", {}, action=f"/devices/{device_id}/reprovision")
    shown = console.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be told" not in shown and "ne peut" not in shown, shown[:2000]
    notify, = live.wait_for(lambda: [m for m in alain.uas.received("NOTIFY")
                                     if m.header("Event") == "check-sync"],
                            timeout=10, what="a NOTIFY with Event: check-sync")
    assert "sip:1001@" in notify.first_line, notify.first_line
