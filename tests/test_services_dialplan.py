"""The routing engine reaches this area's objects by their short numbers (captured dialplan request 59,
1001 dialling): menu 5000, queue 2100, room 3000, shared box 8000 — each named for FreeSWITCH as the
configuration section answers it, so what the dialplan starts is what ivr.conf / callcenter.conf /
conference.conf define; and Martin's same numbers lead to Martin's objects."""
from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from centrex.models import CallQueue, IvrMenu
from centrex.platform.db import db

pytestmark = pytest.mark.smoke
CAPTURE = "59-dialplan-ivr-5000.http"


def dial(post_capture, number: str, domain: str = "dupont.example") -> list[tuple[str, str]]:
    response = post_capture(CAPTURE, replace={"5000": number, "dupont.example": domain})
    assert response.status_code == 200
    doc = etree.fromstring(response.data)
    return [(a.get("application"), a.get("data")) for a in doc.xpath("//action")]


def test_short_numbers_start_the_services(demo, post_capture):
    dupont = demo["dupont.example"]
    root = db.session.execute(select(IvrMenu.id).where(IvrMenu.tenant_id == dupont.id,
                                                       IvrMenu.extension == "5000")).scalar_one()
    queue = db.session.execute(select(CallQueue.id).where(CallQueue.tenant_id == dupont.id,
                                                          CallQueue.extension == "2100")).scalar_one()
    assert ("ivr", f"dupont.example_ivr{root}") in dial(post_capture, "5000")
    assert ("callcenter", f"q{queue}@dupont.example") in dial(post_capture, "2100")
    assert ("conference", "3000-dupont.example@dupont.example_conf") in dial(post_capture, "3000")
    assert ("voicemail", "default dupont.example 8000") in dial(post_capture, "8000")


def test_the_same_numbers_in_martins_company(demo, post_capture):
    martin = demo["martin.example"]
    menu = db.session.execute(select(IvrMenu.id).where(IvrMenu.tenant_id == martin.id,
                                                       IvrMenu.extension == "5000")).scalar_one()
    assert ("ivr", f"martin.example_ivr{menu}") in dial(post_capture, "5000", "martin.example")
    assert ("conference", "3000-martin.example@martin.example_conf") in dial(post_capture, "3000",
                                                                                "martin.example")
    assert ("voicemail", "default martin.example 8000") in dial(post_capture, "8000", "martin.example")


@pytest.mark.parametrize("number", ["5000", "2100", "3000", "8000"])  # menu, queue, room, shared box
def test_a_service_number_cannot_be_given_to_a_user_or_a_group(demo, number):
    """Else the extension would silently shadow the service (or the reverse) in the dialplan."""
    from centrex.directory.users import create_user, update_user
    from centrex.models import RingGroup, User
    from centrex.platform.errors import Conflict
    from centrex.routing.groups import create_ring_group
    dupont = demo["dupont.example"]
    with pytest.raises(Conflict) as refused:
        create_user(dupont, {"extension": number, "name": "Nouveau"})
    assert refused.value.fields == {"extension": ["Already used in this company."]}
    alain = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1001")).scalar_one()
    with pytest.raises(Conflict):
        update_user(alain, {"extension": number})
    with pytest.raises(Conflict):
        create_ring_group(dupont, {"name": "Doublon", "extension": number, "strategy": "simultaneous"})
    assert db.session.execute(select(RingGroup).where(RingGroup.name == "Doublon")).first() is None
    assert alain.extension == "1001"


def test_a_service_taken_out_of_the_licence_is_no_longer_reached_by_calls(demo, post_capture):
    """Audit finding 6: menus, queues and rooms stayed routed after the operator removed the service."""
    from centrex.tenants.licences import set_features

    dupont = demo["dupont.example"]
    set_features(dupont, {"fax", "api"})
    for number, application in (("5000", "ivr"), ("2100", "callcenter"), ("3000", "conference")):
        assert application not in [app for app, _ in dial(post_capture, number)], number
    assert ("ivr", f"martin.example_ivr{_menu_of(demo['martin.example'])}") in dial(post_capture, "5000",
                                                                                       "martin.example")


def _menu_of(tenant) -> int:
    return db.session.execute(select(IvrMenu.id).where(IvrMenu.tenant_id == tenant.id,
                                                       IvrMenu.extension == "5000")).scalar_one()


def test_a_conference_speaks_the_companys_language(demo, post_capture):
    """mod_conference plays "you are muted", "you are the only person"… through the channel's sound prefix:
    the company's language (Dupont: French), not FreeSWITCH's default English (seen live)."""
    actions = dial(post_capture, "3000")
    assert ("set", "sound_prefix=${sounds_dir}/fr/ca/june") in actions
    assert actions.index(("set", "sound_prefix=${sounds_dir}/fr/ca/june")) < [a for a, _ in actions].index("conference")
