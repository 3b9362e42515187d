"""Queue pages through the Flask test client: the list, create/edit with ordered agents, validation next
to the field, delete; the mod_callcenter commands a save sends reach the test ESL server (python-ESL over
TCP), and callcenter.conf then answers FreeSWITCH's captured reload request with the saved queue."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import func, select

from centrex.features.queues import agents_of
from centrex.models import AuditEntry, CallQueue, Number, User
from centrex.platform.db import db
from centrex.routing.numbers import point_number
from esl_switch import api_commands, esl_server, switch_on_esl  # noqa: F401 - fixtures
from test_webui_operator import field_error
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, USER_DUPONT, login, post, text

pytestmark = pytest.mark.commit_demo  # the demo's own switch commands go out before each test

RELOAD = "65-configuration-callcenter.conf-queue_reload.http"  # FreeSWITCH's `queue reload`, captured


def user(tenant, extension) -> User:
    return db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == extension)
    ).scalar_one()


def queue_named(tenant, name) -> CallQueue | None:
    return db.session.execute(
        select(CallQueue).where(CallQueue.tenant_id == tenant.id, CallQueue.name == name)
    ).scalar_one_or_none()


def audit_count() -> int:
    return db.session.execute(select(func.count(AuditEntry.id))).scalar_one()


def test_the_list_shows_the_demo_queue_with_its_agents_in_french(admin, dupont):
    page = text(admin.get(f"/t/{dupont.id}/queues"))
    assert "Réclamations" in page and "2100" in page
    assert "Dans l’ordre, du haut de la liste" in page  # top-down, in French
    assert page.index("1003 · ") < page.index("1004 · ")  # agents in their order
    assert "0 sur 2 libres" in page  # nobody registered in the test: no agent free now
    assert "120 s →" in page and "Claire" in page  # after two minutes, to the reception
    assert "Martin" not in page.replace("Sophie Martin", "")


def test_admin_creates_a_queue_and_freeswitch_is_told_live(admin, dupont, switch_on_esl, post_capture):
    sophie, luc = user(dupont, "1002"), user(dupont, "1003")
    response = post(admin, f"/t/{dupont.id}/queues/new", {
        "name": "Commandes", "extension": "2200", "strategy": "round-robin", "moh_class_id": "",
        "agents.0": str(luc.id), "agents.1": "", "agents.2": str(sophie.id),
        "max_wait_seconds": "90", "after.type": "external", "after.value": "+41791234567",
    })
    assert response.status_code == 302
    queue = queue_named(dupont, "Commandes")
    assert (queue.extension, queue.strategy, queue.max_wait_seconds) == ("2200", "round-robin", 90)
    assert (queue.after_dest_type, queue.after_dest_value) == ("external", "+41791234567")
    assert [(a.user_id, a.position) for a in agents_of(queue)] == [(luc.id, 1), (sophie.id, 2)]
    name = f"q{queue.id}@dupont.example"
    assert api_commands(switch_on_esl) == [
        f"callcenter_config queue load {name}",
        "callcenter_config agent add 1003@dupont.example callback",  # 1003 answers Réclamations too:
        "callcenter_config agent set contact 1003@dupont.example [leg_timeout=15]user/1003@dupont.example",
        "callcenter_config agent set status 1003@dupont.example Available",
        f"callcenter_config tier add {name} 1003@dupont.example 1 1",
        "callcenter_config agent add 1002@dupont.example callback",
        "callcenter_config agent set contact 1002@dupont.example [leg_timeout=15]user/1002@dupont.example",
        "callcenter_config agent set status 1002@dupont.example Available",
        f"callcenter_config tier add {name} 1002@dupont.example 1 2",
    ]
    # What mod_callcenter reads when it loads the queue: the saved strategy and wait.
    doc = etree.fromstring(post_capture(RELOAD, replace={
        "CC-Queue=support%40dupont.example": f"CC-Queue={name.replace('@', '%40')}"}).data)
    [config] = doc.xpath("//queues/queue")
    params = {p.get("name"): p.get("value") for p in config.xpath("param")}
    assert config.get("name") == name
    assert params["strategy"] == "round-robin" and params["max-wait-time"] == "90"
    assert "Commandes" in text(admin.get(f"/t/{dupont.id}/queues"))


def test_agents_are_reordered_with_the_arrows_then_saved(admin, dupont, switch_on_esl):
    queue = queue_named(dupont, "Réclamations")
    url = f"/t/{dupont.id}/queues/{queue.id}"
    form = {"name": "Réclamations", "extension": "2100", "strategy": "top-down",
            "moh_class_id": str(queue.moh_class_id), "max_wait_seconds": "120",
            "after.type": "user", "after.id.user": str(user(dupont, "1000").id),
            "agents.0": str(user(dupont, "1003").id), "agents.1": str(user(dupont, "1004").id), "agents.2": ""}
    moved = post(admin, url, dict(form, move="1:up"))
    assert moved.status_code == 200  # shown again, nothing saved yet
    page = text(moved)
    assert page.index(f'value="{user(dupont, "1004").id}" selected') < page.index(
        f'value="{user(dupont, "1003").id}" selected')
    assert [a.user.extension for a in agents_of(queue)] == ["1003", "1004"]
    assert api_commands(switch_on_esl) == []
    form.update({"agents.0": str(user(dupont, "1004").id), "agents.1": str(user(dupont, "1003").id)})
    assert post(admin, url, form).status_code == 302
    assert [a.user.extension for a in agents_of(queue)] == ["1004", "1003"]
    name = f"q{queue.id}@dupont.example"
    assert api_commands(switch_on_esl) == [f"callcenter_config tier set position {name} 1004@dupont.example 1",
                                 f"callcenter_config tier set position {name} 1003@dupont.example 2"]


def test_unchanged_save_sends_nothing_and_writes_no_history(admin, dupont, switch_on_esl):
    queue = queue_named(dupont, "Réclamations")
    page = admin.get(f"/t/{dupont.id}/queues/{queue.id}")
    assert page.status_code == 200
    before = audit_count()
    form = {"name": "Réclamations", "extension": "2100", "strategy": "top-down",
            "moh_class_id": str(queue.moh_class_id), "max_wait_seconds": "120",
            "after.type": "user", "after.id.user": str(user(dupont, "1000").id),
            "agents.0": str(user(dupont, "1003").id), "agents.1": str(user(dupont, "1004").id)}
    assert post(admin, f"/t/{dupont.id}/queues/{queue.id}", form).status_code == 302
    assert audit_count() == before and api_commands(switch_on_esl) == []


def test_errors_are_shown_next_to_the_field_and_nothing_is_saved(admin, dupont, switch_on_esl):
    luc = user(dupont, "1003")
    before = audit_count()
    response = post(admin, f"/t/{dupont.id}/queues/new", {
        "name": "Cassée", "strategy": "ring-all", "max_wait_seconds": "0",
        "after.type": "user", "after.id.user": str(luc.id), "agents.0": str(luc.id),
    })
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, "max_wait_seconds") == "Obligatoire avec une destination après l’attente."
    assert queue_named(dupont, "Cassée") is None and audit_count() == before and api_commands(switch_on_esl) == []
    # the queue is created, then its agents refused: the queue is not kept either
    response = post(admin, f"/t/{dupont.id}/queues/new", {
        "name": "Cassée", "strategy": "ring-all", "max_wait_seconds": "0",
        "agents.0": str(luc.id), "agents.1": str(luc.id),
    })
    assert response.status_code == 422
    assert field_error(text(response), "agents") == "En double."
    assert queue_named(dupont, "Cassée") is None and audit_count() == before and api_commands(switch_on_esl) == []
    response = post(admin, f"/t/{dupont.id}/queues/new", {"name": "Réclamations", "extension": "1001",
                                                            "strategy": "nowhere", "max_wait_seconds": "x"})
    page = text(response)
    assert response.status_code == 422
    assert field_error(page, "strategy").startswith("Doit être l’un de :")
    assert field_error(page, "max_wait_seconds") == "Ce n’est pas un nombre entier valable."


def test_an_agent_of_another_company_is_refused(admin, dupont, demo):
    martin_user = user(demo["martin.example"], "1002")
    response = post(admin, f"/t/{dupont.id}/queues/new", {
        "name": "Fuite", "strategy": "ring-all", "max_wait_seconds": "0", "agents.0": str(martin_user.id)})
    assert response.status_code == 422
    assert queue_named(dupont, "Fuite") is None


def test_delete_is_refused_while_a_number_leads_to_the_queue(admin, dupont, switch_on_esl):
    queue = queue_named(dupont, "Réclamations")
    number = db.session.execute(select(Number).where(Number.tenant_id == dupont.id, Number.dest_type == "user")
                                .order_by(Number.id)).scalars().first()
    point_number(number, dupont, {"dest_type": "queue", "dest_id": queue.id})
    db.session.commit()
    switch_on_esl.commands.clear()
    response = post(admin, f"/t/{dupont.id}/queues/{queue.id}/delete", follow_redirects=True)
    assert "Un numéro mène encore à cette file." in text(response)
    assert queue_named(dupont, "Réclamations") is not None and api_commands(switch_on_esl) == []
    point_number(number, dupont, {"dest_type": "user", "dest_id": user(dupont, "1000").id})
    db.session.commit()
    switch_on_esl.commands.clear()
    response = post(admin, f"/t/{dupont.id}/queues/{queue.id}/delete", follow_redirects=True)
    assert "File Réclamations supprimée." in text(response)
    assert queue_named(dupont, "Réclamations") is None
    name = f"q{queue.id}@dupont.example"
    assert api_commands(switch_on_esl) == [
        f"callcenter_config tier del {name} 1003@dupont.example", "callcenter_config agent del 1003@dupont.example",
        f"callcenter_config tier del {name} 1004@dupont.example", "callcenter_config agent del 1004@dupont.example",
        f"callcenter_config queue unload {name}"]


def test_delete_is_refused_while_a_voice_menu_leads_to_the_queue(client, demo, session):
    martin = demo["martin.example"]  # its menu's key 1 leads to its queue
    session.commit()
    login(client, ADMIN_MARTIN)
    queue = queue_named(martin, "Réclamations")
    response = post(client, f"/t/{martin.id}/queues/{queue.id}/delete", follow_redirects=True)
    assert "Un menu vocal ou une file mène encore à cette file." in text(response)
    assert queue_named(martin, "Réclamations") is not None


def test_roles_companies_and_csrf(client, dupont, demo):
    queue = queue_named(dupont, "Réclamations")
    login(client, USER_DUPONT)
    assert client.get(f"/t/{dupont.id}/queues").status_code == 403
    assert post(client, f"/t/{dupont.id}/queues/{queue.id}/delete").status_code == 403
    login(client, ADMIN_MARTIN)
    assert client.get(f"/t/{dupont.id}/queues").status_code == 404
    martin = demo["martin.example"]
    assert client.get(f"/t/{martin.id}/queues/{queue.id}").status_code == 404  # Dupont's queue id
    assert post(client, f"/t/{martin.id}/queues/{queue.id}/delete").status_code == 404
    login(client, ADMIN_DUPONT)
    before = audit_count()
    refused = client.post(f"/t/{dupont.id}/queues/{queue.id}/delete")  # no CSRF token
    assert refused.status_code == 400
    refused = client.post(f"/t/{dupont.id}/queues/new", data={"name": "Sans jeton", "strategy": "ring-all"})
    assert refused.status_code == 400
    assert queue_named(dupont, "Réclamations") is not None and queue_named(dupont, "Sans jeton") is None
    assert audit_count() == before
