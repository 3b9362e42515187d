"""« Appels autorisés » in a real browser: Dupont's administrator blocks the +4190 prefix and lets Sophie
Martin call abroad, in one save."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import choose, fill, open_menu, send_form, wait_for
from centrex.models import BlockedPrefix, User
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def test_admin_blocks_a_prefix_and_opens_international_calls_for_one_user(live_server, browser):
    open_menu(browser, live_server, "admin@dupont.example", "Appels autorisés")
    wait_for(browser, "input[name='prefixes.2.prefix']")
    fill(browser, "prefixes.2.prefix", "+4190")
    fill(browser, "prefixes.2.label", "Surtaxés")
    sophie = db.session.execute(select(User).where(User.name == "Sophie Martin")).scalar_one()
    choose(browser, f"users.{sophie.id}.call_class", "international")
    send_form(browser, "call-rights-form", "Enregistrer", "Appels autorisés enregistrés.")
    db.session.rollback()  # a new transaction sees what the server committed
    assert db.session.get(User, sophie.id).call_class == "international"
    assert db.session.execute(select(BlockedPrefix.label).where(BlockedPrefix.prefix == "+4190")).scalar_one() \
        == "Surtaxés"
    prefixes = {e.get_attribute("value") for e in browser.find_elements(By.CSS_SELECTOR, "input[name$='.prefix']")}
    assert {"+881", "+882", "+4190"} <= prefixes
