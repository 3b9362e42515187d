"""Email to fax end to end against the test ESL server (the real wire protocol): a mail through the SMTP
intake, the originate command the worker sends over python-ESL, the captured spandsp::txfaxresult
through the ESL listener, and the report to the sender through the outbox into a real SMTP server."""
import smtplib
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from centrex.demo.fax import DEMO_FAX_SECRET
from centrex.fax import send as fax_send
from centrex.models import Fax
from centrex.platform import outbox, ports
from esl_handlers.fax_intake import start_intake
from smtp_server import free_port

# The ESL command client, test ESL server and listener come from the `esl` branch (until it is in main).
EslSwitch = pytest.importorskip("esl_handlers.commands", reason="needs the ESL command client").EslSwitch
_esl = pytest.importorskip("esl_server", reason="needs the test ESL server")
capture_events, esl_server, event_headers, plain_event = \
    _esl.capture_events, _esl.esl_server, _esl.event_headers, _esl.plain_event
running_listener, wait_until = pytest.importorskip("listener_helpers").running_listener, \
    pytest.importorskip("listener_helpers").wait_until

pytestmark = pytest.mark.slow
DOMAIN = "fax.centrex.invalid"
SENDER = "claire.dumas@dupont.example"
TX_RESULT = [raw for raw in capture_events("events-plain-fax-loopback.bin")
             if b"spandsp%3A%3Atxfaxresult" in raw.split(b"\n\n", 2)[1]][0]


def txfax_result(fax_id: int, **changes) -> bytes:
    """The captured txfaxresult as our originate's call would send it (with its centrex_fax_id)."""
    body = TX_RESULT.split(b"\n\n", 1)[1]
    headers = event_headers(body)
    headers.update({"variable_centrex_fax_id": str(fax_id), **changes})
    return plain_event(headers)


@pytest.fixture
def fax_service_on_esl(app, committed, fax_spool, esl_server, smtp_server):
    from centrex.demo.companies import load_demo

    load_demo()
    committed.commit()
    saved = {k: app.config[k] for k in ("FAX_EMAIL_DOMAIN", "FAX_GATEWAY")}
    app.config.update(FAX_EMAIL_DOMAIN=DOMAIN, FAX_GATEWAY="carrier")
    try:
        previous = ports.switch()
    except ports.SwitchError:
        previous = None
    ports.set_switch(EslSwitch([esl_server.address], originate_timeout=10))
    intake = start_intake(app, f"127.0.0.1:{free_port()}")
    try:
        yield intake
    finally:
        intake.stop()
        ports.set_switch(previous)
        app.config.update(saved)


def send_mail(intake, numbers):
    msg = EmailMessage()
    msg["From"], msg["Subject"] = SENDER, DEMO_FAX_SECRET
    msg["To"] = ", ".join(f"{n}@{DOMAIN}" for n in numbers)
    msg.set_content("Bonjour,\nveuillez trouver notre offre.\n")
    with smtplib.SMTP(intake.hostname, intake.port, timeout=30) as smtp:
        smtp.send_message(msg)


def originates(esl_server):
    return [c for c in esl_server.commands if c.startswith("bgapi originate")]


def test_email_to_fax_originates_over_the_gateway_and_reports_to_the_sender(
        app, committed, fax_service_on_esl, esl_server, smtp_server, fax_spool):
    send_mail(fax_service_on_esl, ["0225550201"])
    fax = committed.execute(select(Fax)).scalars().unique().one()

    with running_listener(app, esl_server):
        esl_server.wait_subscribed("CUSTOM")
        assert fax_send.dial_due() == 1
        [command] = originates(esl_server)
        variables, _, rest = command.removeprefix("bgapi originate {").partition("}")
        leg, destination = rest.split(" ", 1)
        assert leg == "sofia/gateway/carrier/+41225550201"
        assert destination == f"&txfax({fax_spool}/dupont.example/out/mail-{fax.mail_ref}.tif)"
        assert dict(v.split("=", 1) for v in variables.split(",")) == {
            "centrex_fax_id": str(fax.id), "centrex_tenant_id": str(fax.tenant_id),
            "origination_caller_id_number": "+41215550190", "origination_caller_id_name": "'Dupont SA'",
            "fax_ident": "+41215550190", "fax_header": "'Dupont SA'", "ignore_early_media": "true",
            "fax_use_ecm": "true", "fax_enable_t38": "true", "fax_enable_t38_request": "true",
            "fax_verbose": "false"}
        committed.rollback()
        fax = committed.get(Fax, fax.id)
        assert fax.state == "sending" and fax.job_uuid

        esl_server.broadcast([txfax_result(fax.id)])
        wait_until(lambda: committed.get(Fax, fax.id).state == "sent", what="the fax to be sent")
    fax = committed.get(Fax, fax.id)
    assert (fax.pages, fax.total_pages, fax.result_text, fax.remote_station_id) == (1, 1, "OK", "+3215551001")

    outbox.deliver_due()
    [report] = smtp_server.received
    assert report.rcpt_tos == [SENDER]
    assert report.message["Subject"] == "Fax envoyé à +41225550201 / Fax sent to +41225550201"


def test_busy_is_retried_and_an_unallocated_number_is_not(app, committed, fax_service_on_esl, esl_server,
                                                          smtp_server):
    send_mail(fax_service_on_esl, ["0225550201", "0225550299"])
    busy, unknown = committed.execute(select(Fax).order_by(Fax.id)).scalars().unique().all()
    now = outbox.utcnow()
    esl_server.bgapi_results.update({  # FreeSWITCH's answers to these two originates
        _command(app, busy): "-ERR USER_BUSY\n", _command(app, unknown): "-ERR UNALLOCATED_NUMBER\n"})

    assert fax_send.dial_due(now) == 2
    committed.rollback()
    busy, unknown = committed.get(Fax, busy.id), committed.get(Fax, unknown.id)
    assert (busy.state, busy.attempts) == ("converted", 1) and "USER_BUSY" in busy.failure_reason
    assert (unknown.state, unknown.attempts) == ("failed", 1) and "UNALLOCATED_NUMBER" in unknown.failure_reason

    esl_server.bgapi_results.clear()  # the line is free now: the retry goes through
    later = busy.next_attempt_at.replace(tzinfo=now.tzinfo)
    assert fax_send.dial_due(later) == 1
    assert len(originates(esl_server)) == 3
    committed.rollback()
    assert committed.get(Fax, busy.id).state == "sending"

    outbox.deliver_due()
    [report] = smtp_server.received  # only the failed one is reported so far
    assert "Fax to +41225550299 failed" in report.message["Subject"]
    assert "UNALLOCATED_NUMBER" in report.message.get_body(("plain",)).get_content()


def _command(app, fax) -> str:
    """The exact originate the worker sends for this fax (what the test server matches canned answers on)."""
    from pathlib import Path

    from centrex.freeswitch import fax_contract
    from esl_handlers.commands import channel_variables

    with app.app_context():
        variables = fax_contract.send_variables(fax.id, fax.tenant_id, fax.local_number, "Dupont SA")
        return (f"originate {channel_variables(variables)}sofia/gateway/carrier/{fax.remote_number} "
                f"&txfax({fax_contract.to_switch_path(Path(fax.tiff_path))})")

