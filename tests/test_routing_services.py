"""Routing services: validation per field, tenant scoping of every reference, loops refused on save with
nothing left behind, deletion of what is still used refused, audit rows."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from centrex.models import AuditEntry, ForwardRule, RingGroup, Schedule, User
from centrex.platform.db import db
from centrex.platform.errors import Conflict, Invalid
from centrex.routing.forwards import (
    add_forward_rule,
    delete_forward_rule,
    forward_rules,
    set_forward_enabled,
    update_forward_rule,
)
from centrex.routing.groups import create_ring_group, delete_ring_group, update_ring_group
from centrex.routing.schedules import create_schedule, delete_schedule, update_schedule

pytestmark = pytest.mark.smoke


def user(demo, ext, domain="dupont.example"):
    return db.session.execute(select(User).where(User.tenant_id == demo[domain].id,
                                                 User.extension == ext)).scalar_one()


def group_named(name):
    return db.session.execute(select(RingGroup).where(RingGroup.name == name)).scalar_one()


def count(model):
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_create_group_validates_and_audits(demo):
    dupont = demo["dupont.example"]
    group = create_ring_group(dupont, {"name": "Compta", "extension": "2010", "strategy": "sequential",
                                       "members": [{"user_id": user(demo, "1003").id, "ring_seconds": 10},
                                                   {"external": "079 123 45 99"}],
                                       "no_answer": {"type": "voicemail", "value": "1000"}})
    assert [(m.user_id, m.external_number, m.ring_seconds) for m in group.members] == [
        (user(demo, "1003").id, None, 10), (None, "+41791234599", None)]
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "ring_group",
                                                        AuditEntry.object_id == group.id)).scalar_one()
    assert entry.action == "create" and entry.actor == "test"
    assert entry.changes["members"] == "user 1003, +41791234599"
    assert entry.changes["no_answer"] == "voicemail::1000"


@pytest.mark.parametrize("data, field", [
    ({"name": "", "members": []}, "name"),
    ({"name": "X", "strategy": "random"}, "strategy"),
    ({"name": "X", "ring_seconds": 2}, "ring_seconds"),
    ({"name": "X", "extension": "0123"}, "extension"),
    ({"name": "X", "extension": "1001"}, "extension"),          # a user's extension
    ({"name": "X", "extension": "2002"}, "extension"),          # the sales team's
    ({"name": "X", "extension": "117"}, "extension"),           # an emergency number
    ({"name": "X", "members": [{"external": "0900 123 456"}]}, "members.0"),   # premium rate
    ({"name": "X", "members": [{"external": "12"}]}, "members.0"),
    ({"name": "X", "members": [{"user_id": 1, "external": "+41791234567"}]}, "members"),
    ({"name": "X", "no_answer": {"type": "voicemail", "value": "1099"}}, "no_answer"),  # no such box
    ({"name": "X", "no_answer": {"type": "ivr", "id": 999999}}, "no_answer"),  # no such IVR menu
    ({"name": "X", "no_answer": {"type": "user"}}, "no_answer"),
    ({"name": "X", "no_answer": {"type": "hangup", "value": "CRASH"}}, "no_answer"),
])
def test_bad_group_input_is_refused_per_field(demo, data, field):
    before = count(RingGroup)
    with pytest.raises((Invalid, Conflict)) as err:
        create_ring_group(demo["dupont.example"], data)
    assert any(str(key).split(".")[0] == field.split(".")[0] for key in err.value.fields), err.value.fields
    assert count(RingGroup) == before


def test_references_to_another_tenant_are_unknown(demo):
    pierre = user(demo, "1001", "martin.example")
    dupont = demo["dupont.example"]
    with pytest.raises(Invalid) as err:
        create_ring_group(dupont, {"name": "X", "members": [{"user_id": pierre.id}]})
    assert "members.0" in err.value.fields
    with pytest.raises(Invalid):
        create_ring_group(dupont, {"name": "X", "no_answer": {"type": "user", "id": pierre.id}})
    martin_group = create_ring_group(demo["martin.example"], {"name": "Équipe", "members": []})
    with pytest.raises(Invalid):
        create_ring_group(dupont, {"name": "X", "no_answer": {"type": "ring_group", "id": martin_group.id}})
    with pytest.raises(Invalid):
        add_forward_rule(user(demo, "1002"), {"kind": "busy", "dest": {"type": "ring_group", "id": martin_group.id}})
    # a Martin voicemail box number that also exists at Dupont is Dupont's own box: fine, and scoped
    rule = add_forward_rule(user(demo, "1002"), {"kind": "busy", "dest": {"type": "voicemail", "value": "1000"}})
    assert rule.tenant_id == dupont.id


def test_group_no_answer_circle_is_refused_and_leaves_nothing(demo):
    sales, support = group_named("Ventes"), group_named("Support")  # support -> sales already
    before = count(AuditEntry)
    with pytest.raises(Conflict) as err:
        update_ring_group(sales, {"no_answer": {"type": "ring_group", "id": support.id}, "name": "Vente"})
    assert "Support → Vente" in err.value.message  # named as they would have been
    db.session.expire_all()
    sales = group_named("Ventes")
    assert (sales.no_answer_type, sales.no_answer_id) == ("schedule", db.session.execute(
        select(Schedule.id).where(Schedule.name == "Heures d'ouverture")).scalar_one())
    assert count(AuditEntry) == before


def test_schedule_circle_through_a_group_is_refused(demo):
    office = db.session.execute(select(Schedule).where(Schedule.name == "Heures d'ouverture")).scalar_one()
    sales = group_named("Ventes")  # sales no answer -> office hours
    with pytest.raises(Conflict):
        update_schedule(office, {"default": {"type": "ring_group", "id": sales.id}})
    # office hours ring Claire on weekdays: that is no circle
    update_schedule(office, {"default": {"type": "user", "id": user(demo, "1000").id}})


def test_forwarding_circle_between_two_users_and_through_our_own_number(demo):
    sophie, luc = user(demo, "1002"), user(demo, "1003")
    add_forward_rule(sophie, {"kind": "busy", "dest": {"type": "user", "id": luc.id}})
    with pytest.raises(Conflict):
        add_forward_rule(luc, {"kind": "busy", "enabled": False, "dest": {"type": "user", "id": sophie.id}})
    with pytest.raises(Conflict):  # Luc's direct line points at Luc: an "external" call back to himself
        add_forward_rule(luc, {"kind": "always", "dest": {"type": "external", "value": "021 555 01 04"}})
    assert db.session.execute(select(ForwardRule).where(ForwardRule.user_id == luc.id)).first() is None


def test_forward_to_a_number_the_user_may_not_call(demo):
    sophie = user(demo, "1002")  # call class "national" by default
    with pytest.raises(Invalid) as err:
        add_forward_rule(sophie, {"kind": "always", "dest": {"type": "external", "value": "+33142685300"}})
    assert "dest" in err.value.fields
    with pytest.raises(Invalid):
        add_forward_rule(sophie, {"kind": "always", "dest": {"type": "external", "value": "0791234567"}})
    rule = add_forward_rule(sophie, {"kind": "always", "dest": {"type": "external", "value": "021 555 77 88"}})
    assert rule.dest_value == "+41215557788"


def test_rule_switched_off_and_on_without_deleting(demo):
    alain = user(demo, "1001")
    offline = db.session.execute(select(ForwardRule).where(ForwardRule.user_id == alain.id,
                                                           ForwardRule.kind == "offline")).scalar_one()
    set_forward_enabled(offline, False)
    assert offline.enabled is False and db.session.get(ForwardRule, offline.id) is not None
    set_forward_enabled(offline, True)
    changes = [e.changes for e in db.session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "forward_rule", AuditEntry.object_id == offline.id,
                                 AuditEntry.action == "update").order_by(AuditEntry.id)).scalars()]
    assert changes == [{"user": "1001", "enabled": False}, {"user": "1001", "enabled": True}]
    update_forward_rule(offline, {"ring_seconds": 45})
    assert [r.kind for r in forward_rules(alain)] == ["offline", "no_answer", "busy"]
    delete_forward_rule(offline)
    assert db.session.get(ForwardRule, offline.id) is None
    assert [r.kind for r in forward_rules(alain)] == ["no_answer", "busy"]


def test_rule_limited_to_a_schedule_of_the_same_tenant(demo):
    martin_schedule = create_schedule(demo["martin.example"], {"name": "Soirs"})
    with pytest.raises(Invalid) as err:
        add_forward_rule(user(demo, "1002"), {"kind": "always", "schedule_id": martin_schedule.id,
                                              "dest": {"type": "voicemail", "value": "1002"}})
    assert "schedule_id" in err.value.fields


@pytest.mark.parametrize("ranges, field", [
    ([{"days": "mon-fry", "start": "08:00", "end": "12:00", "dest": {"type": "hangup"}}], "days"),
    ([{"days": "mon", "start": "8", "end": "12:00", "dest": {"type": "hangup"}}], "start"),
    ([{"days": "mon", "start": "08:00", "end": "08:00", "dest": {"type": "hangup"}}], "end"),
    ([{"days": "mon", "start": "24:00", "end": "08:00", "dest": {"type": "hangup"}}], "start"),
    ([{"days": "mon", "start": "08:00", "end": "12:00"}], "dest"),
])
def test_bad_ranges_are_refused(demo, ranges, field):
    with pytest.raises(Invalid) as err:
        create_schedule(demo["dupont.example"], {"name": "Essai", "ranges": ranges})
    assert field in str(err.value.fields)


def test_schedule_across_midnight_and_whole_day(demo):
    schedule = create_schedule(demo["dupont.example"], {"name": "Nuit", "ranges": [
        {"days": "mon-fri", "start": "18:00", "end": "08:00", "dest": {"type": "voicemail", "value": "1000"}},
        {"days": "sat,sun", "start": "00:00", "end": "24:00", "dest": {"type": "voicemail", "value": "1000"}},
        {"days": "fri", "start": "12:00", "end": "00:00", "dest": {"type": "hangup"}}]})
    assert [(r.days, r.start_minute, r.end_minute) for r in schedule.ranges] == [
        (31, 1080, 480), (96, 0, 1440), (16, 720, 1440)]


def test_deleting_what_is_still_used_is_refused(demo):
    sales = group_named("Ventes")
    with pytest.raises(Conflict):
        delete_ring_group(sales)  # support's no-answer and Alain's busy rule point at it
    office = db.session.execute(select(Schedule).where(Schedule.name == "Heures d'ouverture")).scalar_one()
    with pytest.raises(Conflict):
        delete_schedule(office)   # the main number points at it
    spare = create_ring_group(demo["dupont.example"], {"name": "Libre"})
    delete_ring_group(spare)
    assert db.session.get(RingGroup, spare.id) is None
    assert db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "ring_group",
                                                       AuditEntry.object_id == spare.id,
                                                       AuditEntry.action == "delete")).first()


def test_did_can_point_at_groups_and_schedules(demo):
    from centrex.models import Number
    from centrex.routing.numbers import point_number

    number = db.session.execute(select(Number).where(Number.e164 == "+41215550190")).scalar_one()
    point_number(number, demo["dupont.example"], {"dest_type": "ring_group", "dest_id": group_named("Support").id})
    with pytest.raises(Invalid):
        point_number(number, demo["dupont.example"], {"dest_type": "schedule", "dest_id": 999999})


def test_a_group_saved_with_members_as_a_form_sends_them_keeps_external_ones(demo):
    """Audit finding 3: an external member (no user_id) crashed every save of its group (KeyError, 500)."""
    on_call = group_named("Piquet week-end")
    members = [{"external": m.external_number} for m in on_call.members]
    update_ring_group(on_call, {"members": members + [{"user_id": user(demo, "1002").id}]})
    assert [(m.user_id, m.external_number, m.ring_seconds) for m in on_call.members][-2:] == [
        (None, "+41791234571", None), (user(demo, "1002").id, None, None)]


def test_a_schedule_saved_unchanged_or_reordered_keeps_its_holidays(demo):
    """Audit finding 3: saving a schedule with exception dates inserted the new rows before deleting the
    old ones (UNIQUE violation, 500)."""
    office = db.session.execute(select(Schedule).where(Schedule.name == "Heures d'ouverture")).scalar_one()
    holidays = [{"day": e.day.isoformat(), "yearly": e.yearly, "label": e.label, "dest": None}
                for e in office.exceptions]
    update_schedule(office, {"exceptions": holidays})
    update_schedule(office, {"exceptions": list(reversed(holidays))})
    db.session.flush()
    assert sorted(e.day.isoformat() for e in office.exceptions) == sorted(h["day"] for h in holidays)
    update_schedule(office, {"exceptions": holidays[:2]})  # and fewer of them
    db.session.expire(office)
    assert [e.day.isoformat() for e in office.exceptions] == [h["day"] for h in holidays[:2]]

