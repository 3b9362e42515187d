"""Conference rooms: 3 to 16 people, codes, numbers that clash with nothing else of the company, and the
member list parsed from FreeSWITCH's captured `conference <room> list` replies."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.features import conferences
from centrex.freeswitch.commands import parse_conference_list
from centrex.models import AuditEntry, ConferenceRoom
from centrex.platform.db import db
from centrex.platform.errors import DomainError
from esl_switch import api_bodies

pytestmark = pytest.mark.smoke


def test_member_list_of_the_capture():
    listed = api_bodies("api-replies-2.bin")[2]  # conference 3000-dupont.example list, 2 members
    members = parse_conference_list(listed)
    assert [m.member_id for m in members] == [2, 1]
    assert members[0].uuid == "9273948c-8ce9-4eca-8931-c61f473697eb" and members[0].caller_number == "1001"
    assert all(m.can_speak and m.can_hear for m in members)
    after_mute = parse_conference_list(api_bodies("api-replies-2.bin")[4])  # after `mute 1`
    assert {m.member_id: m.can_speak for m in after_mute} == {2: True, 1: False}


def test_member_list_with_the_conference_header_line():
    body = api_bodies("api-conference-list.bin")[0]  # `conference list`: "+OK Conference …" then members
    members = parse_conference_list(body)
    assert [(m.member_id, m.caller_name, m.talking) for m in members] == [(2, "Alice", True), (1, "1002", True)]


@pytest.mark.parametrize("data,field", [
    ({"number": "3001", "name": "Petite", "max_members": 2, "access_code": "1234"}, "max_members"),
    ({"number": "3001", "name": "Grande", "max_members": 17, "access_code": "1234"}, "max_members"),
    ({"number": "3001", "name": "Codes", "access_code": "12"}, "access_code"),
    ({"number": "3001", "name": "Mêmes", "access_code": "1234", "moderator_code": "1234"}, "moderator_code"),
    ({"number": "3001", "name": "Attente", "access_code": "1234", "wait_for_moderator": True,
      "moderator_code": None}, "moderator_code"),
    ({"number": "1001", "name": "Poste", "access_code": "1234"}, "number"),
    ({"number": "8000", "name": "Boîte", "access_code": "1234"}, "number"),
])
def test_room_validation(demo, data, field):
    with pytest.raises(DomainError) as info:
        conferences.create_room(demo["dupont.example"], data)
    assert field in info.value.fields


def test_codes_are_not_written_to_the_audit_log(demo):
    tenant = demo["dupont.example"]
    room = conferences.create_room(tenant, {"number": "3001", "name": "Direction", "max_members": 16,
                                            "access_code": "555111", "moderator_code": "999111"})
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "conference_room",
                                                        AuditEntry.object_id == room.id)).scalar_one()
    assert entry.changes["access_code"] == "***" and "555111" not in str(entry.changes)


def test_controls_refuse_another_companys_room(demo):
    room = db.session.execute(select(ConferenceRoom).where(
        ConferenceRoom.tenant_id == demo["dupont.example"].id)).scalar_one()
    with pytest.raises(DomainError):
        conferences.mute(demo["martin.example"], room, 1)
    with pytest.raises(DomainError):
        conferences.dial_in(demo["martin.example"], room, "1001")
    with pytest.raises(DomainError):
        conferences.dial_in(demo["dupont.example"], room, "1099")  # no such extension, not E.164
