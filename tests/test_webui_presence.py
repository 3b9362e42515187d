"""Presence pages from the live state (centrex.calls.live, as the ESL listener writes it): colleagues on the
phone, phones online on the network map; Martin Sàrl's live state (same extensions) never shows at Dupont."""

from __future__ import annotations

import pytest

from centrex.calls import live
from centrex.phones.devices import add_device
from centrex.platform.db import db
from webui_testing import ADMIN_DUPONT, USER_DUPONT, login, text


@pytest.fixture
def live_state(demo):
    dupont = demo["dupont.example"]
    from sqlalchemy import select

    from centrex.models import User

    user_1002 = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1002")
                                   ).scalar_one()
    add_device(dupont, {"mac": "001565aa0002", "vendor": "yealink", "model": "T54W", "user_id": user_1002.id})
    add_device(dupont, {"mac": "001565aa0009", "vendor": "yealink", "model": "T54W"})  # nobody's: offline
    live.upsert_registrations("127.0.0.1:8021", [
        live.RegistrationState("1002", "dupont.example", "call-a", user_agent="Yealink SIP-T54W",
                               network_ip="192.0.2.12", network_port=5062),
        live.RegistrationState("1003", "dupont.example", "call-b", network_ip="192.0.2.13"),
        live.RegistrationState("1002", "martin.example", "call-c", network_ip="198.51.100.99"),
    ])
    live.upsert_channels("127.0.0.1:8021", [
        live.ChannelState("chan-1", call_uuid="chan-1", presence="1003@dupont.example",
                          domains=["dupont.example"], state="active"),
        live.ChannelState("chan-2", call_uuid="chan-2", presence="1004@martin.example",
                          domains=["martin.example"], state="active"),
    ])
    db.session.commit()
    return dupont


def state_of(page: str, extension: str) -> str:
    line = next(row for row in page.splitlines() if f"<b>{extension}</b>" in row)
    return line.split('class="presence-', 1)[1].split('"', 1)[0]


def test_a_user_sees_who_is_on_the_phone(client, live_state):
    login(client, USER_DUPONT)
    page = text(client.get("/me/colleagues"))
    assert (state_of(page, "1002"), state_of(page, "1003"), state_of(page, "1004")) == \
        ("online", "active", "offline")
    assert "en communication" in page and "Pierre Martin" not in page and "Martin Sàrl" not in page


def test_the_network_map_shows_registered_phones_and_their_address(client, live_state):
    login(client, ADMIN_DUPONT)
    page = text(client.get(f"/t/{live_state.id}/network"))
    row = page.split("001565aa0002", 1)[1].split("</tr>", 1)[0]
    assert "en ligne" in row and "192.0.2.12:5062" in row
    assert "198.51.100.99" not in page
    unassigned = page.split("001565aa0009", 1)[1].split("</tr>", 1)[0]
    assert "hors ligne" in unassigned and "en ligne" not in unassigned.replace("hors ligne", "")
    assert state_of(text(client.get(f"/t/{live_state.id}/presence")), "1003") == "active"
