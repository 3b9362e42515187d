"""The shared email outbox against a real SMTP server (aiosmtpd): once, retried, failed, told."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from centrex.models import OutboxMessage
from centrex.platform import outbox

pytestmark = pytest.mark.smoke


def _queue(tenant, **kw):
    values = dict(to=["claire.dumas@dupont.example"], subject="Fax reçu de +41791234567",
                  body="Un fax de 2 pages.\n", purpose="test_mail", ref="test:1")
    values.update(kw)
    return outbox.enqueue(tenant.id if tenant else None, values.pop("to"), values.pop("subject"),
                          values.pop("body"), values.pop("attachments", ()), **values)


def test_queued_email_is_delivered_once_with_its_attachment(session, demo, smtp_server):
    dupont = demo["dupont.example"]
    message = _queue(dupont, attachments=[outbox.Attachment("fax.pdf", data=b"%PDF-1.4 test\n")])
    session.commit()

    assert outbox.deliver_due() == [(message.id, "sent")]
    assert outbox.deliver_due() == []  # nothing left: not sent twice

    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert received.rcpt_tos == ["claire.dumas@dupont.example"]
    mail = received.message
    assert mail["Subject"] == "Fax reçu de +41791234567"
    assert mail["Message-ID"] == message.message_id
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "fax.pdf" and part.get_content() == b"%PDF-1.4 test\n"
    session.refresh(message)
    assert (message.state, message.attempts) == ("sent", 1)
    assert message.last_answer.startswith("250")


def test_smtp_down_then_back_delivers_once(session, demo, smtp_server):
    message = _queue(demo["dupont.example"])
    session.commit()
    smtp_server.stop()

    assert outbox.deliver_due() == [(message.id, "waiting")]
    session.refresh(message)
    assert message.attempts == 1 and "unreachable" in message.last_answer
    retry_at = outbox.utcnow() + timedelta(seconds=60)
    assert outbox.deliver_due() == []  # not due before its backoff

    smtp_server.start()
    assert outbox.deliver_due(now=retry_at + timedelta(seconds=1)) == [(message.id, "sent")]
    assert outbox.deliver_due(now=retry_at + timedelta(hours=10)) == []
    assert len(smtp_server.received) == 1
    session.refresh(message)
    assert (message.state, message.attempts) == ("sent", 2)


def test_temporary_refusal_backs_off_exponentially(session, demo, smtp_server):
    message = _queue(demo["dupont.example"])
    session.commit()
    smtp_server.handler.mode = "tempfail"
    now = outbox.utcnow()
    delays = []
    for _ in range(3):
        outbox.deliver_due(now=now)
        session.refresh(message)
        delays.append(round((_aware(message.next_attempt_at) - now).total_seconds()))
        now = _aware(message.next_attempt_at)
    assert delays == [60, 120, 240]
    assert message.state == "waiting" and message.last_answer.startswith("451 4.3.0")
    assert smtp_server.received == []


def test_smtp_down_for_good_tells_the_tenant_admin(session, demo, smtp_server):
    dupont = demo["dupont.example"]
    finals = []
    outbox.on_final("test_mail", lambda m: finals.append((m.id, m.state)))
    message = _queue(dupont, max_attempts=3)
    session.commit()
    smtp_server.stop()

    now = outbox.utcnow()
    for _ in range(3):
        outbox.deliver_due(now=now)
        now += timedelta(hours=7)
    session.refresh(message)
    assert (message.state, message.attempts, message.notice_sent) == ("failed", 3, True)
    assert finals == [(message.id, "failed")]
    notice = session.execute(select(OutboxMessage).where(
        OutboxMessage.purpose == outbox.NOTICE_PURPOSE)).scalar_one()
    assert notice.recipients == ["admin@dupont.example"] and notice.tenant_id == dupont.id
    assert "Fax reçu de +41791234567" in notice.body and "unreachable" in notice.body

    smtp_server.start()  # the server comes back: the admin's notice goes, the failed mail does not
    outbox.deliver_due(now=now)
    assert [r.rcpt_tos for r in smtp_server.received] == [["admin@dupont.example"]]
    assert "Email delivery failed" in smtp_server.received[0].message["Subject"]


def test_permanent_refusal_fails_at_once_and_notice_does_not_loop(session, demo, smtp_server):
    message = _queue(demo["martin.example"])
    session.commit()
    smtp_server.handler.mode = "reject"
    outbox.deliver_due()
    session.refresh(message)
    assert (message.state, message.attempts) == ("failed", 1)
    assert message.last_answer.startswith("550 5.1.1")
    # The notice to Martin's admin is refused too: it fails without a notice about the notice.
    outbox.deliver_due()
    notices = session.execute(select(OutboxMessage).where(
        OutboxMessage.purpose == outbox.NOTICE_PURPOSE)).scalars().all()
    assert [(n.recipients, n.state) for n in notices] == [(["admin@martin.example"], "failed")]


def test_a_claimed_message_is_not_taken_twice_until_its_lease_runs_out(session, demo, app):
    message = _queue(demo["dupont.example"])
    session.commit()
    now = outbox.utcnow()
    assert outbox.claim_next(now, worker="host-a:1") == message.id
    assert outbox.claim_next(now, worker="host-b:2") is None
    later = now + timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)
    assert outbox.claim_next(later, worker="host-b:2") == message.id
    session.refresh(message)
    assert (message.claimed_by, message.attempts) == ("host-b:2", 2)


def test_smtp_answers_are_stored_without_the_password(app):
    import base64

    with app.app_context():
        saved = dict(app.config)
        app.config.update(SMTP_USER="relay@operator.example", SMTP_PASSWORD="s3cr3t-relay")
        try:
            plain = base64.b64encode(b"\0relay@operator.example\0s3cr3t-relay").decode()
            text = outbox.redact(f"535 5.7.8 auth {plain} failed for s3cr3t-relay")
        finally:
            app.config.clear()
            app.config.update(saved)
    assert "s3cr3t-relay" not in text and plain not in text
    assert text == "535 5.7.8 auth *** failed for ***"


def _aware(value):
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
