"""« Commutateurs », in French: the operator sees the switch ready (its `status` answered as FreeSWITCH
1.10 did in the captures, through the test ESL server), drains it from the edge's pool after the console
asks first, and returns it to service."""
from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from browser.browser_pages import WAIT, click_link, log_in, submit, wait_for, wait_text
from centrex.cluster.nodes import add_node
from centrex.cluster.status import esl_address
from centrex.models import SwitchNode
from centrex.platform.db import db
from esl_switch import api_bodies, switch_on_esl  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow


def test_operator_drains_a_switch_and_returns_it(app, live_server, switch_on_esl, browser, monkeypatch):  # noqa: F811
    switch_on_esl.reply("status", api_bodies("api-replies.bin")[0])
    monkeypatch.setitem(app.config, "ESL_NODES", [switch_on_esl.address])
    node_id = add_node("fs-a", "sip:127.0.0.1:5070", esl_address(switch_on_esl.address)).id
    db.session.commit()
    log_in(browser, live_server, "operator@centrex.example")
    wait_for(browser, ".menu-general")
    click_link(browser, "Commutateurs")
    wait_text(browser, "en marche depuis 3 min")
    wait_text(browser, "Reçoit des appels")
    browser.snap("nodes")

    submit(browser, "Mettre de côté")
    alert = WebDriverWait(browser, WAIT).until(lambda d: d.switch_to.alert)  # the console asks first
    assert alert.text == "Plus aucun nouvel appel n’ira à fs-a. Le mettre de côté ?"
    alert.accept()
    wait_text(browser, "fs-a est mis de côté : il ne reçoit plus de nouvel appel")
    wait_text(browser, "Mis de côté : aucun nouvel appel")
    db.session.expire_all()
    assert db.session.get(SwitchNode, node_id).drained is True

    submit(browser, "Remettre en service")
    wait_text(browser, "fs-a reçoit de nouveau des appels. Chaque edge suit en quelques secondes.")
    db.session.expire_all()
    assert db.session.get(SwitchNode, node_id).drained is False
