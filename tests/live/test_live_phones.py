"""A desk phone configured only by the file it fetched: it registers with the account the file carries,
subscribes to its voicemail's message-summary as the file says, and its lamp lights (a NOTIFY inside that
subscription saying Messages-Waiting: yes) when a caller leaves a message."""
from __future__ import annotations

import time
from datetime import datetime

import pytest
from live_phones import YEALINK_UA, ProvisionedPhone, fetch, parse_cfg
from sqlalchemy import select
from test_live_voicemail import leave_message

pytestmark = pytest.mark.live

MAC = "805ec0f00d02"


@pytest.fixture
def sophies_t46u(phones):
    """A Yealink T46U of Dupont given to Sophie (1002); retired afterwards."""
    from centrex.models import Device, Tenant, User
    from centrex.phones.devices import add_device, retire_device

    with phones.data() as session:
        tenant = session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
        sophie = session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == "1002")).scalar_one()
        add_device(tenant, {"mac": MAC, "vendor": "yealink", "model": "T46U", "user_id": sophie.id})
    yield f"{phones.product.url}/prov/{MAC}.cfg"
    with phones.data() as session:
        retire_device(session.execute(select(Device).where(Device.mac == MAC)).scalar_one())


def test_a_phone_set_up_by_its_file_registers_subscribes_and_its_lamp_lights(phones, sophies_t46u):
    live = phones
    live.at("2026-12-07 10:00")
    status, bootstrap = fetch(sophies_t46u, user_agent=YEALINK_UA)  # factory phone: bootstrap window
    assert status == 200, status
    first = parse_cfg(bootstrap)
    credentials = (first["static.auto_provision.server.username"], first["static.auto_provision.server.password"])
    status, own = fetch(sophies_t46u, user_agent=YEALINK_UA, credentials=credentials)  # then MAC + token
    assert status == 200, status
    values = parse_cfg(own)
    assert values["account.1.user_name"] == "1002" and values["account.1.subscribe_mwi"] == "1"

    phone = ProvisionedPhone(live, values, live.port())
    try:
        registered = phone.register()
        assert registered.final == 200, registered.output
        started = time.monotonic()
        dialog = subscribe_until_notified(live, phone)

        calling = datetime.now()
        result = leave_message(live, "1001", "1002")  # Sophie's phone answers busy: her voicemail
        assert result.final == 200, result.output

        def lamp_on():
            return [m for m in phone.notifies() if m.at >= calling and m.header("Call-ID") == dialog
                    and "Messages-Waiting: yes" in m.text]
        notify = live.wait_for(lamp_on, 20, what="a NOTIFY in the subscription with Messages-Waiting: yes")[-1]
        assert (notify.header("Event") or "").startswith("message-summary")
        assert "1002@dupont.example" in notify.text
        print(f"subscribed, message left and lamp lit in {time.monotonic() - started:.1f} s")
    finally:
        if phone.registered:
            phone.register(expires=0)
        phone.stop()


def subscribe_until_notified(live, phone, attempts: int = 3) -> str:
    """SUBSCRIBE as the file says (each accepted) until the switch's first NOTIFY (the state now) comes in
    that dialog, as a phone that gets none subscribes again; the Call-ID of the last dialog. That first
    NOTIFY is FreeSWITCH's own business (sofia queries its subscriptions table and asks mod_voicemail):
    late in a whole live run it was seen not to come at all in three dialogs in a row (twice, 2026-12-07).
    So it is waited for, not required: what the phone's user sees is the lamp, which the caller checks in
    the returned dialog when a message is left."""
    dialog = ""
    for attempt in range(1, attempts + 1):
        subscribed = phone.subscribe_mwi()
        answers = subscribed.responses("SUBSCRIBE")
        assert answers and answers[-1] in (200, 202), (answers, subscribed.output)
        dialog = next(m.header("Call-ID") for m in subscribed.messages
                      if m.direction == "sent" and m.method == "SUBSCRIBE")
        try:
            live.wait_for(lambda call_id=dialog: [m for m in phone.notifies() if m.header("Call-ID") == call_id], 8,
                          what="the subscription's first NOTIFY")
            return dialog
        except AssertionError:
            print(f"no first NOTIFY in subscription {attempt} ({dialog}) within 8 s")
    return dialog
