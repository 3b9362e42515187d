"""Email to fax after the intake: dialling through the switch port, retries, the report to the sender."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from centrex.fax import send as fax_send
from centrex.models import FaxBox
from centrex.platform import outbox, ports
from centrex.platform.errors import Invalid
from fax_helpers import make_fax_tiff

pytestmark = pytest.mark.smoke
SENDER = "claire.dumas@dupont.example"


@pytest.fixture
def no_switch():
    try:
        previous = ports.switch()
    except ports.SwitchError:
        previous = None
    ports.set_switch(None)
    yield
    ports.set_switch(previous)


@pytest.fixture
def queued_fax(session, demo, fax_spool):
    from centrex.freeswitch import fax_contract

    box = session.execute(select(FaxBox).where(FaxBox.tenant_id == demo["dupont.example"].id)).scalar_one()
    tiff = make_fax_tiff(fax_contract.tenant_dir("dupont.example", "out") / "mail-test.tif", 2, "204x196", "tiffg4")
    [fax] = fax_send.submit(box, SENDER, ["+41225550201"], tiff, 2, "test")
    session.commit()
    return fax


@pytest.mark.parametrize("raw, e164", [("0225550201", "+41225550201"), ("+41 22 555 02 01", "+41225550201"),
                                       ("0041225550201", "+41225550201"), ("+33 1 23 45 67 89", "+33123456789")])
def test_fax_numbers_are_read_in_the_tenants_country(raw, e164):
    assert fax_send.fax_number(raw, "CH") == e164


@pytest.mark.parametrize("raw", ["123", "facture", "+41 22"])
def test_bad_fax_numbers_are_invalid(raw):
    with pytest.raises(Invalid):
        fax_send.fax_number(raw, "CH")


def test_without_freeswitch_the_fax_is_retried_then_failed_and_the_sender_told(
        app, session, queued_fax, no_switch, smtp_server):
    fax = queued_fax
    now = outbox.utcnow()
    retry = app.config["FAX_DIAL_RETRY_SECONDS"]
    assert fax_send.dial_due(now) == 1
    session.refresh(fax)
    assert (fax.state, fax.attempts) == ("converted", 1)
    assert "No connection to FreeSWITCH" in fax.failure_reason
    assert fax_send.dial_due(now) == 0  # not before its backoff
    for attempt in (2, 3):
        now += timedelta(seconds=retry * 2 ** (attempt - 2))
        assert fax_send.dial_due(now) == 1
    session.refresh(fax)
    assert (fax.state, fax.attempts) == ("failed", app.config["FAX_DIAL_ATTEMPTS"])
    outbox.deliver_due()
    [report] = smtp_server.received
    assert report.rcpt_tos == [SENDER]
    assert report.message["Subject"] == "Échec du fax à +41225550201 / Fax to +41225550201 failed"
    body = report.message.get_body(("plain",)).get_content()
    assert "Essais / Tries: 3" in body and "No connection to FreeSWITCH" in body
