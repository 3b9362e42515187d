"""« Messages » in the console: start a conversation, send, the colleague sees it and its unread count on
the polled JSON, only members read it, another company's people get a 404; French by default."""
from __future__ import annotations

import re

from webui_testing import ADMIN_DUPONT, USER_DUPONT, USER_MARTIN, login, post, text

SOPHIE = "sophie.martin@dupont.example"  # extension 1002 of Dupont SA
LUC = "luc.favre@dupont.example"  # 1003


def logged_in(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def user_id(dupont, extension: str) -> int:
    from sqlalchemy import select

    from centrex.models import User
    from centrex.platform.db import db

    return db.session.execute(select(User.id).where(User.tenant_id == dupont.id, User.extension == extension)
                              ).scalar_one()


def start_private(client, colleague_id: int) -> int:
    answer = post(client, "/me/messages/new", {"kind": "private", "user_id": str(colleague_id)})
    assert answer.status_code == 302, text(answer)[:500]
    return int(re.search(r"/me/messages/(\d+)$", answer.headers["Location"])[1])


def test_two_colleagues_chat_and_the_unread_count_follows(app, dupont):
    alain, sophie = logged_in(app, USER_DUPONT), logged_in(app, SOPHIE)
    conversation = start_private(alain, user_id(dupont, "1002"))
    assert start_private(alain, user_id(dupont, "1002")) == conversation  # one per pair
    sent = post(alain, f"/me/messages/{conversation}", {"body": "Tu passes à 15 h ?"},
                headers={"X-Requested-With": "fetch"})
    assert sent.status_code == 201 and sent.get_json()["message"]["body"] == "Tu passes à 15 h ?"
    assert post(alain, f"/me/messages/{conversation}", {"body": "Salle 2"}).status_code == 302  # without JS

    polled = sophie.get("/me/messages/updates.json").get_json()
    assert polled["unread_total"] == 2
    assert [(c["title"], c["unread"], c["last"]) for c in polled["conversations"]] == [("Alain Dupont", 2, "Salle 2")]
    page = text(sophie.get(f"/me/messages/{conversation}"))
    assert "Tu passes à 15 h ?" in page and "Salle 2" in page and "Messages" in page
    assert sophie.get("/me/messages/updates.json").get_json()["unread_total"] == 0  # opened: read

    first = alain.get(f"/me/messages/updates.json?open={conversation}&since=0").get_json()["messages"]
    assert [(m["body"], m["mine"]) for m in first] == [("Tu passes à 15 h ?", True), ("Salle 2", True)]
    post(sophie, f"/me/messages/{conversation}", {"body": "Oui, à tout à l'heure"})
    newer = alain.get(f"/me/messages/updates.json?open={conversation}&since={first[-1]['id']}").get_json()
    assert [(m["body"], m["sender"], m["mine"]) for m in newer["messages"]] == \
        [("Oui, à tout à l'heure", "Sophie Martin", False)]
    assert newer["unread_total"] == 0


def test_a_group_is_read_by_its_members_only(app, dupont):
    alain, luc = logged_in(app, USER_DUPONT), logged_in(app, LUC)
    answer = post(alain, "/me/messages/new", {"kind": "group", "name": "Apéro vendredi",
                                              "user_ids": [str(user_id(dupont, "1002"))]})
    group = int(re.search(r"/me/messages/(\d+)$", answer.headers["Location"])[1])
    assert "Apéro vendredi" in text(alain.get(f"/me/messages/{group}"))
    assert luc.get(f"/me/messages/{group}").status_code == 404
    assert post(luc, f"/me/messages/{group}", {"body": "Moi aussi"}).status_code == 404
    assert luc.get(f"/me/messages/updates.json?open={group}").status_code == 404
    refused = post(alain, "/me/messages/new", {"kind": "group", "name": "", "user_ids": []})
    assert refused.status_code == 422 and "Donnez un nom au groupe." in text(refused)
    empty = post(alain, f"/me/messages/{group}", {"body": "  "}, headers={"X-Requested-With": "fetch"})
    assert empty.status_code == 422 and empty.get_json()["errors"]["body"]


def test_another_company_sees_nothing(app, dupont):
    alain, pierre = logged_in(app, USER_DUPONT), logged_in(app, USER_MARTIN)
    conversation = start_private(alain, user_id(dupont, "1002"))
    post(alain, f"/me/messages/{conversation}", {"body": "Confidentiel"})
    assert pierre.get(f"/me/messages/{conversation}").status_code == 404
    assert pierre.get(f"/me/messages/updates.json?open={conversation}").status_code == 404
    assert post(pierre, f"/me/messages/{conversation}", {"body": "Coucou"}).status_code == 404
    assert pierre.get("/me/messages/updates.json").get_json() == {"conversations": [], "messages": [],
                                                                   "unread_total": 0}
    refused = post(pierre, "/me/messages/new", {"kind": "private", "user_id": str(user_id(dupont, "1002"))})
    assert refused.status_code == 422
    assert "Confidentiel" not in text(pierre.get("/me/messages"))


def test_an_administrator_without_an_extension_is_told_why(app, dupont):
    admin = logged_in(app, ADMIN_DUPONT)
    answer = admin.get("/me/messages")
    assert answer.status_code == 403 and "poste" in text(answer)


def test_an_administrator_with_an_extension_chats_as_that_employee(app, dupont):
    from centrex.access.accounts import create_account
    from centrex.demo.companies import DEMO_PASSWORD
    from centrex.models import User
    from centrex.platform.db import db

    claire = db.session.get(User, user_id(dupont, "1000"))
    create_account("direction@dupont.example", DEMO_PASSWORD, "admin", tenant=dupont, user=claire)
    boss = logged_in(app, "direction@dupont.example")
    page = text(boss.get("/me/messages"))
    assert 'href="/me/messages"' in page  # in the menu, under « Mon téléphone »
    conversation = start_private(boss, user_id(dupont, "1001"))
    post(boss, f"/me/messages/{conversation}", {"body": "Point à 9 h demain"})
    alain = logged_in(app, USER_DUPONT)
    assert [(c["title"], c["unread"]) for c in alain.get("/me/messages/updates.json").get_json()["conversations"]] \
        == [("Claire Dumas", 1)]


def test_the_page_speaks_english_when_asked(app, dupont):
    alain = logged_in(app, USER_DUPONT)
    alain.set_cookie("console_lang", "en")
    page = text(alain.get("/me/messages"))
    assert "New conversation" in page and "No conversation yet: start one below." in page
    assert "Nouvelle conversation" not in page
