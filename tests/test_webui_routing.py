"""Routing pages through the Flask test client: call groups, schedules, forwarding rules (and what the
dialplan then says), the call scenario picture and the dry run (page and JSON)."""

from __future__ import annotations

import html

from lxml import etree
from sqlalchemy import select

from centrex.models import ForwardRule, Number, RingGroup, Schedule, User
from centrex.platform.db import db
from centrex.routing.numbers import assign_number
from test_webui_operator import field_error
from webui_testing import login, post, text

INTERNAL_CALL = "25-dialplan-call-1001-to-1002.http"  # Alain (1001) calls Sophie (1002), captured


def employee(tenant, extension) -> User:
    return db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == extension)
    ).scalar_one()


def test_admin_creates_a_call_group_with_a_cascade(admin, dupont):
    claire, luc = employee(dupont, "1000"), employee(dupont, "1003")
    response = post(
        admin,
        f"/t/{dupont.id}/groups/new",
        {
            "name": "Accueil",
            "extension": "2050",
            "strategy": "sequential",
            "ring_seconds": "25",
            "members.0.who": f"user:{claire.id}",
            "members.1.who": "",
            "members.2.who": f"user:{luc.id}",
            "members.2.ring_seconds": "15",
            "members.3.who": "external",
            "members.3.external": "+41791234569",
            "no_answer.type": "voicemail",
            "no_answer.box": "1000",
        },
    )
    assert response.status_code == 302
    group = db.session.execute(select(RingGroup).where(RingGroup.name == "Accueil")).scalar_one()
    assert (group.extension, group.strategy, group.ring_seconds) == ("2050", "sequential", 25)
    assert [(m.user_id, m.external_number, m.ring_seconds) for m in group.members] == [
        (claire.id, None, None),
        (luc.id, None, 15),
        (None, "+41791234569", None),
    ]
    assert (group.no_answer_type, group.no_answer_value) == ("voicemail", "1000")
    page = text(admin.get(f"/t/{dupont.id}/groups"))
    assert "Accueil" in page and "L’un après l’autre" in page


def test_a_bad_member_is_shown_on_its_row_and_nothing_is_saved(admin, dupont):
    response = post(
        admin,
        f"/t/{dupont.id}/groups/new",
        {
            "name": "Cassé",
            "strategy": "simultaneous",
            "ring_seconds": "30",
            "members.0.who": "",
            "members.1.who": "external",
            "members.1.external": "pas un numéro",
        },
    )
    assert response.status_code == 422
    assert "Ce n’est pas" in text(response) or "Not a phone number." in text(response)
    assert 'name="members.1.external" type="tel" value="pas un numéro"' in text(response)
    assert db.session.execute(select(RingGroup).where(RingGroup.name == "Cassé")).first() is None


def test_a_group_still_in_use_cannot_be_removed(admin, dupont):
    sales = db.session.execute(select(RingGroup).where(RingGroup.name == "Ventes")).scalar_one()
    response = post(admin, f"/t/{dupont.id}/groups/{sales.id}/delete")
    assert "Encore utilisé" in text(admin.get(response.headers["Location"]))  # French half of the message
    assert db.session.get(RingGroup, sales.id) is not None


def test_a_circle_is_refused_in_the_readers_language(admin, dupont):
    support = db.session.execute(select(RingGroup).where(RingGroup.name == "Support")).scalar_one()
    sales = db.session.execute(select(RingGroup).where(RingGroup.name == "Ventes")).scalar_one()
    response = post(
        admin,
        f"/t/{dupont.id}/groups/{sales.id}",
        {
            "name": "Ventes",
            "strategy": "simultaneous",
            "ring_seconds": "30",
            "members.0.who": f"user:{employee(dupont, '1001').id}",
            "no_answer.type": "ring_group",
            "no_answer.id.ring_group": str(support.id),
        },
    )
    assert response.status_code == 409
    assert "Les appels tourneraient en rond" in text(response)
    assert db.session.get(RingGroup, sales.id).no_answer_type == "schedule"


def test_admin_creates_a_schedule(admin, dupont):
    claire = employee(dupont, "1000")
    response = post(
        admin,
        f"/t/{dupont.id}/schedules/new",
        {
            "name": "Hiver",
            "ranges.0.day.mon": "on",
            "ranges.0.day.tue": "on",
            "ranges.0.day.wed": "on",
            "ranges.0.day.thu": "on",
            "ranges.0.day.fri": "on",
            "ranges.0.start": "08:30",
            "ranges.0.end": "17:00",
            "ranges.0.dest.type": "user",
            "ranges.0.dest.id.user": str(claire.id),
            "exceptions.0.day": "2026-12-25",
            "exceptions.0.yearly": "on",
            "exceptions.0.label": "Noël",
            "default.type": "voicemail",
            "default.box": "1000",
        },
    )
    assert response.status_code == 302
    schedule = db.session.execute(select(Schedule).where(Schedule.name == "Hiver")).scalar_one()
    [item] = schedule.ranges
    assert (item.days, item.start_minute, item.end_minute, item.dest_id) == (31, 510, 1020, claire.id)
    assert [(e.day.isoformat(), e.yearly) for e in schedule.exceptions] == [("2026-12-25", True)]
    page = text(admin.get(f"/t/{dupont.id}/schedules"))
    assert "Lun–Ven 08:30–17:00" in page and "Hiver" in page


def test_a_range_without_days_is_refused_next_to_it(admin, dupont):
    response = post(
        admin,
        f"/t/{dupont.id}/schedules/new",
        {
            "name": "Sans jours",
            "ranges.0.start": "08:00",
            "ranges.0.end": "12:00",
            "ranges.0.dest.type": "hangup",
        },
    )
    assert response.status_code == 422
    assert field_error(text(response), "ranges.0.days")
    assert db.session.execute(select(Schedule).where(Schedule.name == "Sans jours")).first() is None


def dialplan_of_a_call_to_sophie(client, post_capture):
    root = etree.fromstring(post_capture(INTERNAL_CALL).data)
    return [(a.get("application"), a.get("data")) for a in root.xpath("//action")]


def test_user_forwards_on_no_answer_after_20_s_and_the_dialplan_follows(app, dupont, post_capture):
    sophie = app.test_client()
    login(sophie, "sophie.martin@dupont.example")
    luc = employee(dupont, "1003")
    response = post(
        sophie,
        "/me/forwarding",
        {"kind": "no_answer", "ring_seconds": "20", "dest.type": "user", "dest.id.user": str(luc.id)},
    )
    assert response.status_code == 302
    rule = db.session.execute(
        select(ForwardRule).where(ForwardRule.user_id == employee(dupont, "1002").id)
    ).scalar_one()
    assert (rule.kind, rule.ring_seconds, rule.dest_type, rule.dest_id, rule.enabled) == (
        "no_answer",
        20,
        "user",
        luc.id,
        True,
    )
    actions = dialplan_of_a_call_to_sophie(app.test_client(), post_capture)
    assert ("bridge", "[leg_timeout=20]user/1002@dupont.example") in actions
    fallback = next(d for a, d in actions if a == "set" and d.startswith("centrex_fallback="))
    assert f"no_answer=user:{luc.id}:" in fallback
    # Switched off: kept, and the dialplan rings the usual 30 s again.
    post(sophie, f"/me/forwarding/{rule.id}/switch", {"enabled": "0"})
    assert db.session.get(ForwardRule, rule.id).enabled is False
    assert ("bridge", "[leg_timeout=30]user/1002@dupont.example") in dialplan_of_a_call_to_sophie(
        app.test_client(), post_capture
    )


def test_forwarding_needs_a_destination_and_respects_the_call_class(app, dupont):
    sophie = app.test_client()
    login(sophie, "sophie.martin@dupont.example")
    missing = post(sophie, "/me/forwarding", {"kind": "always"})
    assert missing.status_code == 422 and "Choisissez où vont les appels." in text(missing)
    abroad = post(
        sophie, "/me/forwarding", {"kind": "always", "dest.type": "external", "dest.value": "+33142685300"}
    )
    assert abroad.status_code == 422
    assert "Non autorisé pour la catégorie d’appels de cet utilisateur." in html.unescape(text(abroad))


def test_admin_manages_a_users_forwarding_but_not_through_another_user(admin, dupont):
    alain, sophie = employee(dupont, "1001"), employee(dupont, "1002")
    page = text(admin.get(f"/t/{dupont.id}/users/{alain.id}/forwarding"))
    assert "Si occupé" in page and "Ventes" in page
    rule = db.session.execute(select(ForwardRule).where(ForwardRule.user_id == alain.id)).scalars().first()
    assert post(admin, f"/t/{dupont.id}/users/{sophie.id}/forwarding/{rule.id}/delete").status_code == 404
    assert post(admin, f"/t/{dupont.id}/users/{alain.id}/forwarding/{rule.id}/delete").status_code == 302
    assert db.session.get(ForwardRule, rule.id) is None


def test_scenario_picture_of_the_main_number(admin, dupont):
    page = text(admin.get(f"/t/{dupont.id}/scenario"))
    assert "<svg" in page and "+41215550100" in page
    for step in (
        "Heures d&#39;ouverture",
        "Piquet week-end",
        "1000 · Claire Dumas",
        "Lun–Ven 08:00–12:00",
        "Messagerie vocale",
    ):
        assert step in page, step


def test_dry_run_on_a_saturday_reaches_the_on_call_group(admin, dupont):
    main = db.session.execute(select(Number).where(Number.e164 == "+41215550100")).scalar_one()
    page = text(
        admin.get(
            f"/t/{dupont.id}/scenario?number={main.id}&caller=%2B41791234567" "&day=2026-12-05&time=10:00"
        )
    )
    assert "Piquet week-end" in page and "Appel de +41791234567 vers +41215550100" in page
    bad = admin.get(f"/t/{dupont.id}/scenario?number={main.id}&day=demain&time=10:00")
    assert bad.status_code == 422


def test_dry_run_as_json(admin, dupont):
    response = admin.get(
        f"/t/{dupont.id}/scenario/explain.json?destination=%2B41215550100"
        "&caller=%2B41791234567&at=2026-12-01T09:00"
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["tenant"]["domain"] == "dupont.example" and body["at"].startswith("2026-12-01T09:00")
    assert any("user/1000@dupont.example" in str(step) or "Claire" in str(step) for step in body["steps"])
    assert admin.get(f"/t/{dupont.id}/scenario/explain.json?destination=1002&at=hier").status_code == 422
    bad = admin.get(f"/t/{dupont.id}/scenario/explain.json?destination=%3Cscript%3E&at=2026-12-01T09:00")
    assert bad.status_code == 422 and "destination" in bad.get_json()["fields"]


def test_scenario_of_another_companys_number_is_not_found(admin, demo, dupont):
    martin_main = db.session.execute(select(Number).where(Number.e164 == "+41225550200")).scalar_one()
    assert admin.get(f"/t/{dupont.id}/scenario?number={martin_main.id}").status_code == 404


def test_a_new_number_routed_to_a_group_shows_in_the_picture(admin, dupont):
    free = db.session.execute(select(Number).where(Number.e164 == "+41215550120")).scalar_one()
    assign_number(free, dupont)
    db.session.commit()
    support = db.session.execute(select(RingGroup).where(RingGroup.name == "Support")).scalar_one()
    post(
        admin,
        f"/t/{dupont.id}/numbers/{free.id}",
        {"dest_type": "ring_group", "dest_id_ring_group": str(support.id)},
    )
    page = text(admin.get(f"/t/{dupont.id}/scenario?number={free.id}"))
    assert "Support" in page and "Ventes" in page  # Support cascades to Sales


def test_users_list_marks_who_forwards(admin, dupont):
    page = text(admin.get(f"/t/{dupont.id}/users"))
    alain_row = page[page.index("Alain Dupont") : page.index("Sophie Martin")]
    assert "↪" in alain_row
    sophie_row = page[page.index("Sophie Martin") : page.index("Luc Favre")]
    assert "↪" not in sophie_row
