"""The client's fax history and its resend button: faxes made by the captured spandsp events through the
ESL fax handler; resend goes through the service (audited) and queues an email in the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import esl_handlers.fax  # noqa: F401 - registers the fax handlers
from centrex.models import AuditEntry, Fax, FaxBox, OutboxMessage
from centrex.platform import outbox
from centrex.platform.db import db
from conftest import FIXTURES
from fax_helpers import as_our_dialplan_sets_it, captured_events, dispatch_event
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, login, post, text

RX_FAILED = captured_events(FIXTURES / "esl" / "bgapi-originate-fax-fail-with-events.bin",
                            "CUSTOM::spandsp::rxfaxresult")[0]


@pytest.fixture
def failed_fax(demo, fax_spool, smtp_server):
    """A reception that failed at Dupont SA (the captured failure event on Dupont's fax box)."""
    tenant = demo["dupont.example"]
    box = db.session.execute(select(FaxBox).where(FaxBox.tenant_id == tenant.id)).scalar_one()
    dispatch_event(as_our_dialplan_sets_it(RX_FAILED, box.id, tenant.id, tenant.domain))
    db.session.commit()
    outbox.deliver_due()  # the failure report reaches the real SMTP server: the fax's road ends
    return db.session.execute(select(Fax).where(Fax.tenant_id == tenant.id)).scalar_one()


def outbox_count(fax_id: int) -> int:
    return db.session.execute(select(func.count(OutboxMessage.id)).where(OutboxMessage.ref == f"fax:{fax_id}")
                              ).scalar_one()


def test_fax_history_shows_state_reason_and_pages(client, demo, failed_fax):
    login(client, ADMIN_DUPONT)
    page = text(client.get(f"/t/{demo['dupont.example'].id}/faxes"))
    row = page.split(f'class="fax-{failed_fax.state}"', 1)[1].split("</tr>", 1)[0]
    assert failed_fax.state == "emailed" and failed_fax.pages == 0
    assert "envoyé par e-mail" in row and failed_fax.result_text in row and "sent (1/" in row
    assert "Renvoyer" in row
    assert "Aucun fax" in text(client.get(f"/t/{demo['dupont.example'].id}/faxes?state=sending"))


def test_resend_queues_an_email_and_is_audited(client, demo, failed_fax):
    login(client, ADMIN_DUPONT)
    before = outbox_count(failed_fax.id)
    response = post(client, f"/t/{demo['dupont.example'].id}/faxes/{failed_fax.id}/resend")
    assert response.status_code == 302
    assert outbox_count(failed_fax.id) == before + 1
    assert db.session.execute(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "resend", AuditEntry.object_type == "fax")).scalar_one() == 1


def test_resend_needs_csrf_and_the_right_company(client, demo, failed_fax):
    login(client, ADMIN_MARTIN)
    martin = demo["martin.example"]
    assert post(client, f"/t/{martin.id}/faxes/{failed_fax.id}/resend").status_code == 404
    assert "Aucun fax" in text(client.get(f"/t/{martin.id}/faxes"))
    login(client, ADMIN_DUPONT)
    dupont = demo["dupont.example"]
    before = outbox_count(failed_fax.id)
    assert client.post(f"/t/{dupont.id}/faxes/{failed_fax.id}/resend").status_code == 400
    assert outbox_count(failed_fax.id) == before
