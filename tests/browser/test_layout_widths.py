"""Every console page each kind of person reaches fits a 1366 px laptop (no sideways scroll, the actions
of every table row in sight) and a 390 px phone (nothing cut off), without a JavaScript error; in French,
and the administrator's pages in English too."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import log_in, wait_for
from browser.layout_pages import (
    LAPTOP,
    PHONE,
    problems_on,
    reachable_pages,
    screenshots_folder,
    set_width,
    watch_errors,
)
from centrex.demo.history import load_demo_history
from centrex.models import Tenant, User
from centrex.phones.devices import add_device
from centrex.platform.db import db

pytestmark = pytest.mark.slow

PEOPLE = {  # who: (login, language of the console)
    "operator": ("operator@centrex.example", "fr"),
    "administrator": ("admin@dupont.example", "fr"),
    "employee": ("alain.dupont@dupont.example", "fr"),
    "administrator-in-English": ("admin@dupont.example", "en"),
}


@pytest.fixture
def lived_in(live_server, committed):
    """The demo with a week of calls, voicemail messages, a fax, and Alain's desk phone: full tables."""
    load_demo_history()
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    alain = db.session.execute(select(User).where(User.email == "alain.dupont@dupont.example")).scalar_one()
    add_device(dupont, {"mac": "805ec0d1d2d3", "vendor": "yealink", "model": "T46U", "user_id": alain.id,
                        "label": "Bureau d’Alain"})
    committed.commit()
    return live_server


@pytest.mark.parametrize("who", PEOPLE)
def test_every_page_fits_a_laptop_and_a_phone(lived_in, browser, who):
    watch_errors(browser)
    set_width(browser, LAPTOP)
    email, language = PEOPLE[who]
    log_in(browser, lived_in, email)
    if language != "fr":
        browser.find_element(By.CSS_SELECTOR, f"button[name=lang][value={language}]").click()
        wait_for(browser, f"html[lang={language}]")
    pages = reachable_pages(browser, lived_in, "/")
    assert len(pages) >= (3 if who == "employee" else 15), f"too few pages found: {pages}"
    problems = []
    for width in (LAPTOP, PHONE):
        set_width(browser, width)
        for path in pages:
            problems += problems_on(browser, lived_in, path, width, screenshots_folder(), who)
    assert not problems, f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(problems)
