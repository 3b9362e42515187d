"""FreeSWITCH's user cache stays true: every change of what a user's directory answer says queues, for
after the commit, `xml_flush_cache` of that user (old and new extension) or of everything; the answer
says how long FreeSWITCH may keep it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.directory import users
from centrex.freeswitch.sync import pending_commands
from centrex.freeswitch.user_cache import USER_CACHE_MS
from centrex.models import Number, User
from centrex.platform.db import db
from centrex.tenants import companies
from conftest import xmlcurl_headers
from xmlcurl_helpers import capture_form, encode_form, parse_document

pytestmark = [pytest.mark.smoke, pytest.mark.commit_demo]


def user(tenant, extension) -> User:
    return db.session.execute(select(User).where(User.tenant_id == tenant.id,
                                                 User.extension == extension)).scalar_one()


def flushed() -> list[str]:
    db.session.flush()
    return [c for c in pending_commands() if c.startswith("xml_flush_cache")]


def test_new_secret_flushes_that_user_only(dupont):
    users.regenerate_secret(user(dupont, "1001"))
    assert flushed() == ["xml_flush_cache id 1001 dupont.example"]


def test_disabling_a_user_flushes_it(dupont):
    user(dupont, "1002").enabled = False
    assert flushed() == ["xml_flush_cache id 1002 dupont.example"]


def test_new_extension_flushes_the_old_and_the_new(dupont):
    users.update_user(user(dupont, "1003"), {"extension": "1013", "vm_pin": "482915"})
    assert flushed() == ["xml_flush_cache id 1003 dupont.example", "xml_flush_cache id 1013 dupont.example"]


def test_company_change_flushes_everything(dupont):
    companies.set_status(dupont, "suspended")
    assert flushed() == ["xml_flush_cache"]


def test_number_change_flushes_everything(dupont):
    number = db.session.execute(select(Number).where(Number.tenant_id == dupont.id, Number.dest_type == "user")
                                .order_by(Number.id)).scalars().first()
    number.dest_id = user(dupont, "1005").id  # someone else's direct line: caller ids change
    assert flushed() == ["xml_flush_cache"]


def test_a_change_outside_the_directory_flushes_nothing(dupont):
    user(dupont, "1001").email = "alain.autre@dupont.example"
    assert flushed() == []


def test_the_answer_says_how_long_freeswitch_may_keep_it(client, dupont):
    form = capture_form("21-directory-sip_auth-register-1001-password.http")
    response = client.post("/xmlcurl", data=encode_form(form),
                           headers=xmlcurl_headers(), environ_base={"REMOTE_ADDR": "127.0.0.1"})
    element = parse_document(response).find(".//user")
    assert element.get("id") == "1001"
    assert element.get("cacheable") == str(USER_CACHE_MS)
