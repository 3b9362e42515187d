"""Live state from the captured bytes: snapshot parsers, registration events (register, expire), the
queries the console uses (who is busy, registrations, IP per device), tenant by tenant."""
from datetime import datetime, timedelta, timezone

import pytest

from centrex.calls import live
from centrex.phones.devices import add_device
from esl_handlers.dispatch import Event
from esl_handlers.live import apply_events, channels_from_json, registration_from_event, registrations_from_status
from esl_server import capture_events, replies_from_capture

pytestmark = pytest.mark.smoke
NOW = datetime(2026, 11, 29, 10, 39, tzinfo=timezone.utc)


def events(name: str, *, only: set[str] | None = None, node="127.0.0.1:8021") -> list[Event]:
    out = [Event.from_plain(m.split(b"\n\n", 1)[1].decode(), node=node) for m in capture_events(name)]
    return [e for e in out if only is None or e.key in only]


def test_registrations_from_sofia_status_as_captured():
    body = replies_from_capture("api-replies-2.bin")["sofia status profile internal reg"][0]
    regs = registrations_from_status(body, now=NOW)
    assert [(r.extension, r.domain, r.call_id, r.network_ip, r.network_port, r.user_agent) for r in regs] == [
        ("1001", "dupont.example", "1-16265@127.0.0.1", "127.0.0.1", 5074, "SIPp-capture"),
        ("1002", "dupont.example", "1-16269@127.0.0.1", "127.0.0.1", 5072, "SIPp-capture")]
    assert regs[0].expires_at == NOW + timedelta(seconds=3546)
    assert regs[0].contact == '"" <sip:1001@127.0.0.1:5074>'
    after_flush = replies_from_capture("api-replies-2.bin")["sofia status profile internal reg"][1]
    assert [r.extension for r in registrations_from_status(after_flush)] == ["1002"]


def test_channels_from_show_channels_as_captured():
    body = replies_from_capture("api-show-channels-during-call.bin")["show channels as json"][0]
    channels = channels_from_json(body)
    assert [(c.uuid, c.presence, c.state, c.call_uuid) for c in channels] == [
        ("2d40f615-40fc-41da-ada8-c03158c7a001", "1001@dupont.example", "active",
         "2d40f615-40fc-41da-ada8-c03158c7a001"),
        ("fbf1cb99-f342-46bc-a434-aedb4f3d0826", "1002@dupont.example", "active",
         "2d40f615-40fc-41da-ada8-c03158c7a001")]
    assert channels_from_json(replies_from_capture("api-replies.bin")["show channels as json"][0]) == []


def test_register_then_expire_as_captured(session, demo):
    dupont = demo["dupont.example"].id
    register = events("events-plain-all-2.bin.gz", only={"CUSTOM::sofia::register"})
    reg = registration_from_event(register[0])
    assert (reg.extension, reg.domain, reg.network_port, reg.user_agent) == ("1001", "dupont.example", 5074,
                                                                           "SIPp-capture")
    apply_events(register)
    assert sorted((r.extension, r.network_port) for r in live.registrations(dupont)) == \
        [("1001", 5074), ("1002", 5072)]
    # then `sofia profile internal flush_inbound_reg 1001@dupont.example`
    apply_events(events("events-plain-all-2.bin.gz", only={"CUSTOM::sofia::expire"}))
    assert [r.extension for r in live.registrations(dupont)] == ["1002"]
    assert live.registrations(dupont, at=datetime.now(timezone.utc) + timedelta(hours=2)) == []  # expired


def test_busy_follows_a_call_and_only_its_tenant_sees_it(session, demo):
    dupont, martin = demo["dupont.example"].id, demo["martin.example"].id
    call = events("events-plain-outcome_e-simultaneous.bin")
    ringing = [e for e in call if e.key == "CHANNEL_CREATE"]
    apply_events(ringing)
    assert live.busy(dupont) == {"1001": "ringing", "1002": "ringing"}
    answered = call[:[e.key for e in call].index("CHANNEL_BRIDGE") + 1]
    apply_events(answered[len(ringing):])
    assert live.busy(dupont)["1002"] == "active"
    assert live.busy(martin) == {} and live.channels(martin) == []
    apply_events(call)
    assert live.busy(dupont) == {} and live.channels(dupont) == []


def test_ip_per_device_from_the_registrations(session, demo):
    from sqlalchemy import select

    from centrex.models import User

    tenant = demo["dupont.example"]
    alain = session.execute(select(User).where(User.tenant_id == tenant.id,
                                                User.extension == "1001")).scalar_one()
    phone = add_device(tenant, {"mac": "805ec0a1b2c3", "vendor": "yealink", "model": "T46U",
                                "user_id": alain.id})
    spare = add_device(tenant, {"mac": "000413a1b2c3", "vendor": "snom", "model": "D785"})
    apply_events(events("events-plain-register.bin", only={"CUSTOM::sofia::register"}))
    mapping = {device.mac: [(r.network_ip, r.network_port) for r in regs]
               for device, regs in live.device_addresses(tenant.id)}
    assert mapping == {phone.mac: [("127.0.0.1", 5070)], spare.mac: []}
    assert live.device_addresses(demo["martin.example"].id) == []
