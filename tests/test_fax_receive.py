"""Fax to email, end to end: the captured spandsp events and TIFF (and multi-page faxes made here) through
the ESL handler, the conversion and the outbox into a real SMTP server; the PDF received is opened."""
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select

import esl_handlers.fax  # noqa: F401 - registers the fax handlers
from centrex.demo.fax import DEMO_FAX_NUMBER
from centrex.fax import boxes as fax_service
from centrex.fax.resend import resend
from centrex.freeswitch import fax_contract
from centrex.models import Fax, FaxBox, OutboxMessage
from centrex.platform import outbox
from conftest import FIXTURES
from fax_helpers import (
    FAX_TIFF,
    as_our_dialplan_sets_it,
    captured_events,
    dispatch_event,
    make_fax_tiff,
    page_size_points,
    pdf_info,
)

pytestmark = pytest.mark.smoke

RX_OK = captured_events(FIXTURES / "fax" / "fax-events-plain.bin", "CUSTOM::spandsp::rxfaxresult")[0]
RX_FAILED = captured_events(FIXTURES / "esl" / "bgapi-originate-fax-fail-with-events.bin",
                            "CUSTOM::spandsp::rxfaxresult")[0]


@pytest.fixture
def dupont_fax(demo, session):
    tenant = demo["dupont.example"]
    box = session.execute(select(FaxBox).where(FaxBox.tenant_id == tenant.id)).scalar_one()
    return tenant, box


def _spool_tiff(domain, event, source):
    """Put a TIFF where rxfax wrote it for this call (the per-tenant spool)."""
    target = fax_contract.tenant_dir(domain, "in") / f"{event.headers['Unique-ID']}.tif"
    shutil.copy(source, target)
    return target


def _good_fax(dupont_fax):
    """The captured rxfaxresult of a good fax to Dupont's box, its TIFF where rxfax wrote it: (event, TIFF)."""
    tenant, box = dupont_fax
    event = as_our_dialplan_sets_it(RX_OK, box.id, tenant.id, tenant.domain)
    return event, _spool_tiff(tenant.domain, event, FIXTURES / FAX_TIFF)


def test_captured_fax_arrives_as_a_pdf_email(session, dupont_fax, fax_spool, smtp_server, tmp_path):
    event, _ = _good_fax(dupont_fax)

    assert dispatch_event(event) >= 1
    fax = session.execute(select(Fax).where(Fax.call_uuid == event.headers["Unique-ID"])).scalar_one()
    assert (fax.state, fax.pages, fax.success, fax.result_text) == ("converted", 1, True, "OK")
    assert (fax.remote_number, fax.remote_station_id, fax.local_number) == ("1001", "+3215551001", DEMO_FAX_NUMBER)
    assert fax.transfer_rate == 14400

    assert [state for _, state in outbox.deliver_due()] == ["sent"]
    session.refresh(fax)
    assert fax.state == "emailed"

    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["claire.dumas@dupont.example"]
    message = mail.message
    assert message["Subject"] == "Fax de 1001 (1 p.) / Fax from 1001"
    body = message.get_body(("plain",)).get_content()
    assert "Pages reçues / Pages received: 1" in body and "station +3215551001" in body
    assert "29.11.2026 11:18 (Europe/Zurich)" in body  # 10:18 UTC on the capture's clock
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    info = pdf_info(pdf.get_content(), tmp_path)
    assert info["Pages"] == "1"
    width, height = page_size_points(info)
    # 1728 x 1100 pixels at 204 x 98 dpi: 8.47 x 11.22 inches, a portrait page (not squashed to half height).
    assert width == pytest.approx(1728 / 204 * 72, abs=1) and height == pytest.approx(1100 / 98 * 72, abs=1)


def test_the_same_event_twice_makes_one_fax_and_one_email(session, dupont_fax, fax_spool, smtp_server):
    event, _ = _good_fax(dupont_fax)
    dispatch_event(event)
    dispatch_event(event)
    outbox.deliver_due()
    assert session.execute(select(Fax)).scalars().unique().all().__len__() == 1
    assert len(smtp_server.received) == 1


@pytest.mark.parametrize("pages", [2, 5])
def test_multi_page_fax_gives_a_pdf_with_every_page(session, dupont_fax, fax_spool, smtp_server, tmp_path,
                                                    pages):
    tenant, box = dupont_fax
    event = as_our_dialplan_sets_it(RX_OK, box.id, tenant.id, tenant.domain,
                                    **{"fax-document-transferred-pages": str(pages),
                                       "fax-document-total-pages": str(pages)})
    _spool_tiff(tenant.domain, event, make_fax_tiff(tmp_path / "multi.tif", pages))
    dispatch_event(event)
    outbox.deliver_due()
    [mail] = smtp_server.received
    [pdf] = list(mail.message.iter_attachments())
    info = pdf_info(pdf.get_content(), tmp_path)
    assert info["Pages"] == str(pages)
    width, height = page_size_points(info)
    assert 1.3 < height / width < 1.5  # A4 portrait from 204x98 dpi pages
    assert f"({pages} p.)" in mail.message["Subject"]


def test_failed_reception_is_reported_with_no_page(session, dupont_fax, fax_spool, smtp_server):
    tenant, box = dupont_fax
    event = as_our_dialplan_sets_it(RX_FAILED, box.id, tenant.id, tenant.domain)  # no file was written
    dispatch_event(event)
    outbox.deliver_due()
    fax = session.execute(select(Fax)).scalars().unique().one()
    assert (fax.success, fax.result_code, fax.pages, fax.state) == (False, 49, 0, "emailed")
    [mail] = smtp_server.received
    assert mail.message["Subject"].startswith("Fax incomplet de 1001 (0 p.)")
    body = mail.message.get_body(("plain",)).get_content()
    assert "The call dropped prematurely (code 49)" in body and "Aucune page n’est arrivée" in body
    assert list(mail.message.iter_attachments()) == []


def test_partial_reception_sends_the_pages_that_arrived(session, dupont_fax, fax_spool, smtp_server, tmp_path):
    tenant, box = dupont_fax
    event = as_our_dialplan_sets_it(RX_FAILED, box.id, tenant.id, tenant.domain,
                                    **{"fax-document-transferred-pages": "2", "fax-document-total-pages": "3"})
    _spool_tiff(tenant.domain, event, make_fax_tiff(tmp_path / "partial.tif", 2))
    dispatch_event(event)
    outbox.deliver_due()
    [mail] = smtp_server.received
    assert "Pages reçues / Pages received: 2 / 3" in mail.message.get_body(("plain",)).get_content()
    [pdf] = list(mail.message.iter_attachments())
    assert pdf_info(pdf.get_content(), tmp_path)["Pages"] == "2"


def test_events_not_for_our_boxes_are_ignored(session, demo, dupont_fax, fax_spool, smtp_server):
    tenant, box = dupont_fax
    martin = demo["martin.example"]
    dispatch_event(RX_OK)  # the capture as is: no box variable (not one of our fax numbers)
    # Dupont's box claimed by a call that says it belongs to Martin: refused, nothing recorded.
    dispatch_event(as_our_dialplan_sets_it(RX_OK, box.id, martin.id, martin.domain))
    # A file outside the tenant's spool is never read.
    stray = as_our_dialplan_sets_it(RX_FAILED, box.id, tenant.id, tenant.domain,
                                    variable_fax_filename="/etc/passwd")
    dispatch_event(stray)
    faxes = session.execute(select(Fax)).scalars().unique().all()
    assert [(f.call_uuid, f.tiff_path) for f in faxes] == [(stray.headers["Unique-ID"], None)]


def test_history_is_per_tenant_and_resend_emails_again(session, demo, dupont_fax, fax_spool, smtp_server):
    tenant, _ = dupont_fax
    event, _ = _good_fax(dupont_fax)
    dispatch_event(event)
    outbox.deliver_due()
    [fax] = fax_service.fax_history(tenant.id)
    assert fax_service.fax_history(demo["martin.example"].id) == []
    with pytest.raises(Exception) as not_found:
        fax_service.get_fax(demo["martin.example"].id, fax.id)
    assert type(not_found.value).__name__ == "NotFound"
    assert [(s.purpose, s.state, s.attempts) for s in fax_service.email_status(fax)] == \
        [("fax_received", "sent", 1)]

    resend(fax)
    session.commit()
    assert fax.state == "converted"
    outbox.deliver_due()
    session.refresh(fax)
    assert fax.state == "emailed" and len(smtp_server.received) == 2
    assert [s.state for s in fax_service.email_status(fax)] == ["sent", "sent"]


def test_purge_removes_expired_faxes_and_their_files(session, dupont_fax, fax_spool, smtp_server):
    event, tiff = _good_fax(dupont_fax)
    dispatch_event(event)
    outbox.deliver_due()
    fax = session.execute(select(Fax)).scalars().unique().one()
    pdf = fax.pdf_path
    assert fax_service.purge_expired(now=outbox.utcnow()) == 0  # kept for the box's 90 days
    assert fax_service.purge_expired(now=outbox.utcnow().replace(year=2100)) == 1
    session.commit()
    assert not tiff.exists() and not fax_contract.Path(pdf).exists()
    assert session.execute(select(Fax)).first() is None
    assert session.execute(select(OutboxMessage).where(OutboxMessage.ref == f"fax:{fax.id}")).first() is None


def test_smtp_down_then_back_emails_the_fax_once(session, dupont_fax, fax_spool, smtp_server):
    event, _ = _good_fax(dupont_fax)
    smtp_server.stop()
    dispatch_event(event)
    now = outbox.utcnow()
    for _ in range(2):
        assert [state for _, state in outbox.deliver_due(now)] == ["waiting"]
        now += timedelta(hours=1)
    fax = session.execute(select(Fax)).scalars().unique().one()
    assert fax.state == "converted"  # still on its way: visible as such
    smtp_server.start()
    assert [state for _, state in outbox.deliver_due(now)] == ["sent"]
    assert outbox.deliver_due(now + timedelta(days=1)) == []
    session.refresh(fax)
    assert fax.state == "emailed" and len(smtp_server.received) == 1
    assert [(s.state, s.attempts) for s in fax_service.email_status(fax)] == [("sent", 3)]


def test_smtp_down_for_good_fails_the_fax_and_tells_the_admin(app, session, dupont_fax, fax_spool, smtp_server):
    event, _ = _good_fax(dupont_fax)
    smtp_server.stop()
    dispatch_event(event)
    now = outbox.utcnow()
    for _ in range(app.config["OUTBOX_MAX_ATTEMPTS"]):
        outbox.deliver_due(now)
        now += timedelta(hours=7)
    fax = session.execute(select(Fax)).scalars().unique().one()
    assert fax.state == "failed" and fax.failure_reason.startswith("E-mail non remis / Email not delivered")
    assert "unreachable" in fax.failure_reason
    smtp_server.start()  # the admin's notice waits in the outbox and goes when the server is back
    outbox.deliver_due(now)
    [notice] = smtp_server.received
    assert notice.rcpt_tos == ["admin@dupont.example"]
    assert "Fax de 1001" in notice.message["Subject"]
    assert f"Réf. / Ref.: fax:{fax.id}" in notice.message.get_body(("plain",)).get_content()
