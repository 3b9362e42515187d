"""Conference rooms in the console, in French: Dupont's administrator adds a room with codes and a
moderator, sees who is in room 3000 now, mutes a participant and puts one out, through the switch port
(the test ESL server answers as FreeSWITCH did in the captures)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import click, click_link, fill, log_in, submit, wait_for, wait_text
from centrex.models import AuditEntry, ConferenceRoom, Tenant
from centrex.platform.db import db
from esl_switch import api_bodies, api_commands, switch_on_esl  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow
ROOM = "conference 3000-dupont.example"


def _press(browser, member_id: int, action: str) -> None:
    button = browser.find_element(By.CSS_SELECTOR, f"form[action$='/members/{member_id}'] button[value={action}]")
    click(browser, button)


def test_admin_runs_a_conference_room(live_server, switch_on_esl, browser):  # noqa: F811
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    captured = api_bodies("api-replies-2.bin")
    two_speaking, one_muted = captured[2], captured[4]
    switch_on_esl.reply(f"{ROOM} list", two_speaking, one_muted)
    log_in(browser, live_server, "admin@dupont.example")
    wait_for(browser, ".menu-client")
    click_link(browser, "Salles de conférence")
    wait_text(browser, "Salle de conférence")

    click_link(browser, "Ajouter une salle")
    wait_for(browser, "input[name=number]")
    fill(browser, "number", "3001")
    fill(browser, "name", "Direction")
    fill(browser, "max_members", "6")
    fill(browser, "access_code", "482913")
    fill(browser, "moderator_code", "771245")
    click(browser, browser.find_element(By.NAME, "wait_for_moderator"))
    submit(browser, "Enregistrer")
    wait_text(browser, "Salle de conférence Direction enregistrée.")
    db.session.rollback()  # a new transaction sees what the server committed
    room = db.session.execute(select(ConferenceRoom).where(ConferenceRoom.tenant_id == dupont.id,
                                                           ConferenceRoom.number == "3001")).scalar_one()
    assert (room.name, room.max_members, room.access_code, room.moderator_code, room.wait_for_moderator) == (
        "Direction", 6, "482913", "771245", True)

    main = db.session.execute(select(ConferenceRoom).where(ConferenceRoom.tenant_id == dupont.id,
                                                           ConferenceRoom.number == "3000")).scalar_one()
    browser.get(f"{live_server}/t/{dupont.id}/conferences/{main.id}")
    wait_text(browser, "Dans la salle maintenant")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.members tbody tr")) == 2
    browser.snap("members")
    _press(browser, 1, "mute")
    wait_text(browser, "Micro du participant 1 coupé.")
    wait_text(browser, "micro coupé")
    _press(browser, 1, "unmute")
    wait_text(browser, "Le participant 1 peut de nouveau parler.")
    switch_on_esl.reply(f"{ROOM} list", two_speaking.split("\n")[0] + "\n")
    _press(browser, 1, "kick")
    alert = browser.switch_to.alert  # the console asks first
    assert alert.text == "Faire sortir ce participant de la salle ?"
    alert.accept()
    wait_text(browser, "Participant 1 sorti de la salle.")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.members tbody tr")) == 1

    sent = api_commands(switch_on_esl)
    assert [c for c in sent if c.startswith(ROOM) and not c.endswith(" list")] == [
        f"{ROOM} mute 1", f"{ROOM} unmute 1", f"{ROOM} kick 1"]
    db.session.rollback()
    actions = db.session.execute(select(AuditEntry.action).where(
        AuditEntry.object_type == "conference_room", AuditEntry.object_id == main.id)
        .order_by(AuditEntry.id)).scalars().all()
    assert actions[-3:] == ["mute", "unmute", "kick"]
