"""What can go wrong with the voicemail message actions (read/new, download, forward): a colleague's or
another company's message is not found, a bad address is refused in words (no mail queued, no 500), a
request without CSRF token changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from centrex.models import OutboxMessage, Tenant, VoicemailMessage
from centrex.platform.db import db
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, USER_DUPONT, login, post, text

pytestmark = pytest.mark.commit_demo

ALAIN_FIRST = "5e1d0c2a-7d43-4c55-9a51-000000001001"
SHARED = "5e1d0c2a-7d43-4c55-9a51-000000008000"


def message(uuid: str) -> VoicemailMessage:
    db.session.rollback()
    return db.session.execute(select(VoicemailMessage).where(VoicemailMessage.message_uuid == uuid)).scalar_one()


def forwards() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(OutboxMessage.id))
                              .where(OutboxMessage.purpose == "voicemail_forward")).scalar_one()


def test_a_bad_address_is_refused_in_french_and_nothing_is_queued(client, dupont):
    login(client, USER_DUPONT)
    mine = message(ALAIN_FIRST)
    response = post(client, f"/me/voicemail/messages/{mine.id}/forward", {"email": "pas une adresse"},
                    follow_redirects=True)
    assert response.status_code == 200 and "Ce n’est pas une adresse e-mail valable." in text(response)
    assert forwards() == 0


def test_the_shared_box_messages_are_not_a_users_own(client, dupont):
    login(client, USER_DUPONT)
    shared = message(SHARED)
    for path in (f"/me/voicemail/messages/{shared.id}/download",):
        assert client.get(path).status_code == 404
    assert post(client, f"/me/voicemail/messages/{shared.id}/read").status_code == 404
    assert post(client, f"/me/voicemail/messages/{shared.id}/forward", {"email": "x@example.com"}
                ).status_code == 404
    assert message(SHARED).read_at is None and forwards() == 0


def test_another_company_cannot_touch_dupont_messages(client, dupont):
    shared = message(SHARED)
    martin = db.session.execute(select(Tenant).where(Tenant.domain == "martin.example")).scalar_one()
    login(client, ADMIN_MARTIN)
    base = f"/t/{martin.id}/voicemail/{shared.shared_box_id}/messages/{shared.id}"
    assert client.get(base + "/download").status_code == 404
    assert post(client, base + "/read").status_code == 404
    assert message(SHARED).read_at is None


def test_without_csrf_token_nothing_changes(client, dupont):
    login(client, ADMIN_DUPONT)
    shared = message(SHARED)
    response = client.post(f"/t/{dupont.id}/voicemail/{shared.shared_box_id}/messages/{shared.id}/read",
                           data={"read": "1"})
    assert response.status_code == 400 and message(SHARED).read_at is None
