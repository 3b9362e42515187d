"""Schedules in the console: any number of ranges and holidays (rows added and removed as typed), the
"closed now" switch, public holidays imported from the `holidays` library, a copy of a schedule."""

from __future__ import annotations

import html

from sqlalchemy import select

from api_testing import bearer, key_for
from centrex.models import AuditEntry, Number, Schedule
from centrex.platform.db import db
from test_webui_routing import employee
from webui_testing import post, text


def a_range(row: int, days: tuple[str, ...], start: str, end: str, **dest) -> dict:
    p = f"ranges.{row}"
    return {**{f"{p}.day.{d}": "on" for d in days}, f"{p}.start": start, f"{p}.end": end,
            **{f"{p}.dest.{k.replace('_', '.')}": v for k, v in dest.items()}}


def schedule_named(name: str) -> Schedule:
    db.session.expire_all()
    return db.session.execute(select(Schedule).where(Schedule.name == name)).scalar_one()


def test_a_schedule_takes_more_ranges_and_holidays_than_the_form_first_shows(admin, dupont):
    claire = employee(dupont, "1000")
    ranges = {}
    # Rows 0, 1, 2, 5, 9: numbers with gaps, as when rows were added and others removed in the browser.
    for row, (days, start, end) in zip((0, 1, 2, 5, 9), [(("mon", "tue"), "08:00", "12:00"),
                                                         (("mon", "tue"), "13:30", "17:30"),
                                                         (("wed",), "08:00", "12:00"),
                                                         (("thu", "fri"), "08:00", "17:00"),
                                                         (("sat",), "09:00", "11:00")]):
        ranges.update(a_range(row, days, start, end, type="user", id_user=str(claire.id)))
    holidays = {f"exceptions.{row}.day": day for row, day in ((0, "2027-01-01"), (3, "2027-08-01"),
                                                              (4, "2027-12-25"))}
    response = post(admin, f"/t/{dupont.id}/schedules/new", {"name": "Cinq plages", **ranges, **holidays,
                                                             "default.type": "voicemail", "default.box": "1000"})
    assert response.status_code == 302, text(response)[:2000]
    schedule = schedule_named("Cinq plages")
    assert [(r.days, r.start_minute, r.end_minute) for r in schedule.ranges] == [
        (3, 480, 720), (3, 810, 1050), (4, 480, 720), (24, 480, 1020), (32, 540, 660)]
    assert [e.day.isoformat() for e in schedule.exceptions] == ["2027-01-01", "2027-08-01", "2027-12-25"]

    page = text(admin.get(f"/t/{dupont.id}/schedules/{schedule.id}"))
    assert 'name="ranges.4.start" type="time" value="09:00"' in page
    assert 'name="ranges.5.start" type="time" value=""' in page, "one empty row after the five saved ones"
    assert 'name="ranges.6.start"' not in page
    assert 'name="exceptions.2.day" type="date" value="2027-12-25"' in page


def test_add_a_row_keeps_what_was_typed_and_saves_nothing(admin, dupont):
    typed = {"name": "En cours", **a_range(0, ("mon",), "08:00", "12:00", type="hangup"),
             "ranges.0.label": "Matin", "edit_rows": "ranges"}
    response = post(admin, f"/t/{dupont.id}/schedules/new", typed)
    page = text(response)
    assert response.status_code == 200
    assert 'value="Matin"' in page and 'value="En cours"' in page and 'value="08:00"' in page
    assert 'name="ranges.1.start"' in page, "the added row"
    assert db.session.execute(select(Schedule).where(Schedule.name == "En cours")).first() is None


def test_remove_a_row_redraws_the_form_without_it(admin, dupont):
    typed = {"name": "Retrait", **a_range(0, ("mon",), "08:00", "12:00", type="hangup"),
             **a_range(1, ("tue",), "14:00", "18:00", type="hangup"), "ranges.1.label": "À enlever",
             "edit_rows": "ranges.1"}
    page = text(post(admin, f"/t/{dupont.id}/schedules/new", typed))
    assert 'value="À enlever"' not in page and "À enlever" not in page
    assert 'name="ranges.0.start"' in page and 'value="08:00"' in page
    assert db.session.execute(select(Schedule).where(Schedule.name == "Retrait")).first() is None


def main_schedule(dupont) -> Schedule:
    return db.session.execute(select(Schedule).where(Schedule.tenant_id == dupont.id,
                                                     Schedule.name == "Heures d'ouverture")).scalar_one()


def dry_run(admin, dupont, day: str, time: str) -> str:
    main = db.session.execute(select(Number).where(Number.e164 == "+41215550100")).scalar_one()
    return text(admin.get(f"/t/{dupont.id}/scenario?number={main.id}&caller=%2B41791234567&day={day}&time={time}"))


def test_closed_now_in_one_click_from_the_list_overrides_the_hours_until_opened_again(admin, dupont):
    office = main_schedule(dupont)
    assert "Claire Dumas" in dry_run(admin, dupont, "2026-12-08", "10:00")  # a Tuesday: reception
    listing = text(admin.get(f"/t/{dupont.id}/schedules"))
    assert f'action="/t/{dupont.id}/schedules/{office.id}/closed"' in listing and "Fermer maintenant" in listing

    response = post(admin, f"/t/{dupont.id}/schedules/{office.id}/closed", {"closed": "1"})
    assert response.status_code == 302
    office = main_schedule(dupont)
    assert office.closed_since is not None and office.closed_by == "admin@dupont.example"
    listing = text(admin.get(f"/t/{dupont.id}/schedules"))
    assert "Fermé maintenant" in listing and "Rouvrir" in listing and "admin@dupont.example" in listing
    page = dry_run(admin, dupont, "2026-12-08", "10:00")
    assert "fermé par « Fermé maintenant », destination par défaut" in html.unescape(page)
    assert "Messagerie" in page
    picture = html.unescape(text(admin.get(f"/t/{dupont.id}/scenario")))
    assert "fermé maintenant" in picture and "Lun–Ven 08:00–12:00" not in picture

    assert post(admin, f"/t/{dupont.id}/schedules/{office.id}/closed", {"closed": "0"}).status_code == 302
    assert main_schedule(dupont).closed_since is None
    assert "fermé par" not in html.unescape(dry_run(admin, dupont, "2026-12-08", "10:00"))
    actions = db.session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "schedule",
                                                                 AuditEntry.object_id == office.id)
                                 .order_by(AuditEntry.id)).scalars().all()
    assert actions[-2:] == ["close_now", "reopen"]
    history = html.unescape(text(admin.get(f"/t/{dupont.id}/history")))
    assert "Fermé maintenant : tous les appels vers la destination par défaut" in history


def test_closed_now_through_the_api_patch_changes_nothing_else(client, dupont):
    office = main_schedule(dupont)
    key = key_for(dupont, ["groups:read", "groups:write"])
    before = client.get(f"/api/v1/schedules/{office.id}", headers=bearer(key)).get_json()
    assert before["closed"] is False and before["closed_since"] is None and len(before["ranges"]) == 3
    answer = client.patch(f"/api/v1/schedules/{office.id}", json={"closed": True}, headers=bearer(key))
    assert answer.status_code == 200, answer.get_json()
    after = answer.get_json()
    assert after["closed"] is True and after["closed_by"] == "api:CRM" and after["closed_since"]
    assert {k: v for k, v in after.items() if not k.startswith("closed")} == \
        {k: v for k, v in before.items() if not k.startswith("closed")}
    listed = client.get("/api/v1/schedules", headers=bearer(key)).get_json()
    assert [s["closed"] for s in listed["items"] if s["id"] == office.id] == [True]
    reopened = client.patch(f"/api/v1/schedules/{office.id}", json={"closed": False}, headers=bearer(key))
    assert reopened.get_json()["closed"] is False


VAUD_2027_NEW = ["2027-03-26", "2027-03-29", "2027-05-06", "2027-05-17", "2027-09-20"]


def test_public_holidays_of_vaud_are_imported_in_french_without_the_days_already_there(admin, dupont):
    office = main_schedule(dupont)
    before = {e.day.isoformat(): e.label for e in office.exceptions}
    page = text(admin.get(f"/t/{dupont.id}/schedules/{office.id}/holidays"))
    assert '<option value="VD">Vaud</option>' in page and "Tout le pays (CH)" in page
    response = post(admin, f"/t/{dupont.id}/schedules/{office.id}/holidays", {"year": "2027", "subdivision": "VD"})
    assert response.status_code == 302
    flashed = html.unescape(text(admin.get(response.headers["Location"])))
    assert "5 jours fériés ajoutés à Heures d'ouverture :" in flashed
    office = main_schedule(dupont)
    after = {e.day.isoformat(): e.label for e in office.exceptions}
    # New Year, Berchtold, 1 August and Christmas are yearly in the demo: kept, not doubled.
    assert sorted(set(after) - set(before)) == VAUD_2027_NEW
    assert after["2027-03-26"] == "Vendredi saint" and after["2027-09-20"] == "Lundi du Jeûne fédéral"
    assert all(after[day] == label for day, label in before.items())
    again = post(admin, f"/t/{dupont.id}/schedules/{office.id}/holidays", {"year": "2027", "subdivision": "VD"})
    assert "Aucun jour férié ajouté" in html.unescape(text(admin.get(again.headers["Location"])))
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "import_holidays")).scalar_one()
    assert "2027-05-06 Ascension" in entry.changes["exceptions"]


def test_an_unknown_region_or_year_is_refused_on_the_form(admin, dupont):
    office = main_schedule(dupont)
    response = post(admin, f"/t/{dupont.id}/schedules/{office.id}/holidays", {"year": "2027", "subdivision": "XX"})
    assert response.status_code == 422 and "Région inconnue." in text(response)
    response = post(admin, f"/t/{dupont.id}/schedules/{office.id}/holidays", {"year": "deux mille"})
    assert response.status_code == 422 and "Année invraisemblable." in text(response)


def test_duplicate_makes_an_open_copy_with_the_same_ranges_holidays_and_destinations(admin, dupont):
    office = main_schedule(dupont)
    post(admin, f"/t/{dupont.id}/schedules/{office.id}/closed", {"closed": "1"})
    response = post(admin, f"/t/{dupont.id}/schedules/{office.id}/copy")
    assert response.status_code == 302
    copy = schedule_named("Heures d'ouverture (copie)")
    assert response.headers["Location"].endswith(f"/schedules/{copy.id}")
    office = main_schedule(dupont)

    def shape(s):
        return ([(r.label, r.days, r.start_minute, r.end_minute, r.dest_type, r.dest_id, r.dest_value)
                 for r in s.ranges],
                [(e.day, e.yearly, e.label, e.dest_type, e.dest_id, e.dest_value) for e in s.exceptions],
                (s.default_type, s.default_id, s.default_value))
    assert shape(copy) == shape(office) and copy.closed_since is None
    assert post(admin, f"/t/{dupont.id}/schedules/{office.id}/copy").status_code == 302
    assert schedule_named("Heures d'ouverture (copie) 2").ranges
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "schedule",
                                                        AuditEntry.object_id == copy.id)).scalar_one()
    assert entry.action == "create" and entry.changes["copied_from"] == "Heures d'ouverture"
