"""The shared email outbox: enqueue in the caller's transaction, deliver from a worker.

A message is `waiting` until a worker claims it (`sending`, committed before any byte goes out), then
`sent`, or back to `waiting` with a backoff after a temporary failure, or `failed` after a permanent one
or the last try; then the tenant's admins get a notice. The claim carries the worker's id and a lease:
a worker killed mid-send leaves a claim that its restart (same host, dead pid) or any worker after the
lease takes back. The Message-ID is fixed when the message is queued, so a retry after a crash between
the server's "250" and our commit is the same message to the recipient's mail store.

Feature modules hook in with `on_final(purpose, fn)` (called in the worker's transaction when a message
of that purpose is sent or fails for good) and `register_task(fn)` (periodic work the worker also runs)."""
from __future__ import annotations

import base64
import logging
import mimetypes
import os
import smtplib
import socket
import ssl
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from centrex.models import Account, OutboxAttachment, OutboxMessage
from centrex.platform.db import db
from centrex.platform.heartbeat import Heartbeat
from centrex.platform.processes import pid_alive
from centrex.platform.unit_of_work import unit_of_work
from centrex.tenants.branding import email_from

log = logging.getLogger(__name__)

NOTICE_PURPOSE = "delivery_failed"
_final_hooks: dict[str, list[Callable[[OutboxMessage], None]]] = {}
_tasks: list[Callable[[], object]] = []


@dataclass(frozen=True)
class Attachment:
    """A file to send: its bytes, or the path of a file that stays where it is until the mail is sent."""
    filename: str
    data: bytes | None = None
    path: str | None = None
    content_type: str | None = None


class TransientError(Exception):
    """The server could not take the message now (down, 4xx): try again later."""


class PermanentError(Exception):
    """The server refused the message for good (5xx for every recipient)."""


def on_final(purpose: str, fn: Callable[[OutboxMessage], None]) -> None:
    hooks = _final_hooks.setdefault(purpose, [])
    if fn not in hooks:
        hooks.append(fn)


def register_task(fn: Callable[[], object]) -> None:
    if fn not in _tasks:
        _tasks.append(fn)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def enqueue(tenant_id: int | None, to: str | Iterable[str], subject: str, body: str,
            attachments: Iterable[Attachment] = (), *, purpose: str, ref: str | None = None,
            max_attempts: int | None = None) -> OutboxMessage:
    """Queue one email in the current transaction (flushed, not committed): it goes when the caller
    commits."""
    recipients = _addresses(to)
    if not recipients:
        raise ValueError("An email needs at least one recipient.")
    cfg = current_app.config
    domain = parseaddr(cfg["SMTP_SENDER"])[1].rpartition("@")[2] or "centrex.invalid"
    message = OutboxMessage(
        tenant_id=tenant_id, purpose=purpose, ref=ref, recipients=recipients, subject=subject[:255],
        body=body,
        state="waiting", attempts=0, max_attempts=max_attempts or cfg["OUTBOX_MAX_ATTEMPTS"],
        next_attempt_at=utcnow(), message_id=f"<outbox.{uuid.uuid4().hex}@{domain}>")
    for item in attachments:
        message.attachments.append(OutboxAttachment(
            tenant_id=tenant_id, filename=item.filename, path=item.path, data=item.data,
            content_type=item.content_type or mimetypes.guess_type(item.filename)[0]
            or "application/octet-stream"))
    db.session.add(message)
    db.session.flush()
    return message


def _addresses(to: str | Iterable[str]) -> list[str]:
    values = [to] if isinstance(to, str) else list(to)
    seen: list[str] = []
    for _, addr in getaddresses(values):
        if addr and "@" in addr and addr.lower() not in (a.lower() for a in seen):
            seen.append(addr)
    return seen


# --- the worker ------------------------------------------------------------------------------------

def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def release_dead_claims(now: datetime | None = None) -> int:
    """Give back the claims of workers of this host that no longer run (killed mid-send). Commits."""
    now = now or utcnow()
    host = socket.gethostname()
    released = 0
    rows = db.session.execute(select(OutboxMessage.id, OutboxMessage.claimed_by).where(
        OutboxMessage.state == "sending", OutboxMessage.claimed_by.like(f"{host}:%"))).all()
    for message_id, claimed_by in rows:
        pid = int(claimed_by.rsplit(":", 1)[1])
        if pid != os.getpid() and not pid_alive(pid):
            db.session.execute(update(OutboxMessage).where(
                OutboxMessage.id == message_id, OutboxMessage.claimed_by == claimed_by,
                OutboxMessage.state == "sending").values(claimed_until=now))
            released += 1
    db.session.commit()
    return released


def claim_next(now: datetime | None = None, worker: str | None = None) -> int | None:
    """Take one due message (waiting and due, or sending with an expired claim); commits the claim."""
    now = now or utcnow()
    worker = worker or worker_id()
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    due = or_(
        (OutboxMessage.state == "waiting") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.state == "sending") & (OutboxMessage.claimed_until < now))
    candidates = db.session.execute(select(OutboxMessage.id).where(due).order_by(
        OutboxMessage.next_attempt_at, OutboxMessage.id).limit(10)).scalars().all()
    db.session.commit()  # end the read: the claim is its own short write (SQLite: no stale snapshot)
    for message_id in candidates:
        taken = db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, due).values(
            state="sending", claimed_by=worker, claimed_until=now + lease,
            attempts=OutboxMessage.attempts + 1, updated_at=now).execution_options(synchronize_session=False))
        db.session.commit()
        if taken.rowcount == 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            return message_id
    return None


def deliver_due(now: datetime | None = None, limit: int = 50) -> list[tuple[int, str]]:
    """Send what is due, one message per transaction; returns [(id, new state)]."""
    done = []
    for _ in range(limit):
        message_id = claim_next(now)
        if message_id is None:
            break
        done.append((message_id, deliver_claimed(message_id, now)))
    return done


def deliver_claimed(message_id: int, now: datetime | None = None) -> str:
    """Send one claimed message and record the outcome (commits)."""
    message = db.session.get(OutboxMessage, message_id)
    db.session.refresh(message)
    try:
        answer = smtp_send(build_email(message))
    except TransientError as exc:
        _record_failure(message, str(exc), permanent=False, now=now)
    except PermanentError as exc:
        _record_failure(message, str(exc), permanent=True, now=now)
    except OSError as exc:  # an attachment that vanished: nothing to retry
        _record_failure(message, f"Attachment unreadable: {exc}", permanent=True, now=now)
    else:
        message.state = "sent"
        message.sent_at = now or utcnow()
        message.last_answer = redact(answer)[:500]
        message.claimed_by = message.claimed_until = None
        _run_final_hooks(message)
    db.session.commit()
    return message.state


def _record_failure(message: OutboxMessage, answer: str, *, permanent: bool, now: datetime | None) -> None:
    now = now or utcnow()
    message.last_answer = redact(answer)[:500]
    message.claimed_by = message.claimed_until = None
    if permanent or message.attempts >= message.max_attempts:
        message.state = "failed"
        log.error("Email %s (%s) failed for good after %s tries: %s", message.id, message.purpose,
                  message.attempts, message.last_answer)
        _run_final_hooks(message)
        _notify_admins(message)
    else:
        delay = current_app.config["OUTBOX_RETRY_SECONDS"] * 2 ** (message.attempts - 1)
        message.state = "waiting"
        message.next_attempt_at = now + timedelta(seconds=min(delay, 6 * 3600))
        log.warning("Email %s (%s) try %s/%s failed, next at %s: %s", message.id, message.purpose,
                    message.attempts, message.max_attempts, message.next_attempt_at, message.last_answer)


def _run_final_hooks(message: OutboxMessage) -> None:
    for hook in _final_hooks.get(message.purpose, []):
        hook(message)


def _notify_admins(message: OutboxMessage) -> None:
    """After the last try, tell a person: the tenant's admins with full rights (not those limited by a
    custom role), or the operator's staff for platform mail."""
    if message.purpose == NOTICE_PURPOSE or message.notice_sent:
        return
    query = select(Account.email).where(Account.active.is_(True))
    if message.tenant_id:
        query = query.where(Account.role == "admin", Account.role_id.is_(None),
                            Account.tenant_id == message.tenant_id)
    else:
        query = query.where(Account.role == "operator")
    admins = db.session.execute(query.order_by(Account.id)).scalars().all()
    message.notice_sent = True
    if not admins:
        log.error("Email %s failed and nobody can be told (no admin account)", message.id)
        return
    recipients = ", ".join(message.recipients)
    enqueue(message.tenant_id, admins,
            f"Échec d’envoi d’un e-mail / Email delivery failed: {message.subject}"[:255],
            "Un e-mail n’a pas pu être remis après {n} essais.\n"
            "An email could not be delivered after {n} tries.\n\n"
            "Destinataires / Recipients: {to}\nObjet / Subject: {subject}\n"
            "Dernière réponse du serveur / Last server answer: {answer}\nRéf. / Ref.: {ref}\n".format(
                n=message.attempts, to=recipients, subject=message.subject,
                answer=message.last_answer or "-", ref=message.ref or f"outbox:{message.id}"),
            purpose=NOTICE_PURPOSE, ref=f"outbox:{message.id}")


# --- SMTP ------------------------------------------------------------------------------------------

def build_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = email_from(message.tenant_id, current_app.config["SMTP_SENDER"])  # white label
    email["To"] = ", ".join(message.recipients)
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id
    email.set_content(message.body, cte="quoted-printable")  # 7-bit clean for any relay
    for item in message.attachments:
        data = item.data if item.data is not None else Path(item.path).read_bytes()
        maintype, _, subtype = item.content_type.partition("/")
        email.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                             filename=item.filename)
    return email


def smtp_send(email: EmailMessage) -> str:
    """Hand one email to the operator's SMTP server; returns its answer to DATA."""
    cfg = current_app.config
    sender = parseaddr(cfg["SMTP_SENDER"])[1]
    recipients = [addr for _, addr in getaddresses(email.get_all("To", []))]
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"]) as smtp:
            smtp.ehlo()
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if cfg["SMTP_USER"]:
                smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
            code, answer = smtp.mail(sender)
            if code != 250:
                raise _error(code, answer, "MAIL FROM")
            refused = {}
            for rcpt in recipients:
                code, answer = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, answer)
            if len(refused) == len(recipients):
                code, answer = next(iter(refused.values()))
                raise _error(code, answer, "RCPT TO")
            code, answer = smtp.data(email.as_bytes(policy=email_policy.SMTP))  # CRLF line ends
            if code != 250:
                raise _error(code, answer, "DATA")
    except smtplib.SMTPAuthenticationError as exc:  # the operator's credentials: fixable, so retry
        raise TransientError(f"{exc.smtp_code} {_text(exc.smtp_error)} (AUTH)") from exc
    except smtplib.SMTPResponseException as exc:
        raise _error(exc.smtp_code, exc.smtp_error, "SMTP") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"SMTP server {cfg['SMTP_HOST']}:{cfg['SMTP_PORT']} unreachable: {exc}") from exc
    summary = f"{code} {_text(answer)}"
    if refused:
        summary += "; refused: " + ", ".join(f"{r} {c} {_text(a)}" for r, (c, a) in refused.items())
    return summary


def _text(answer) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def _error(code: int, answer, step: str) -> Exception:
    text = f"{code} {_text(answer)} ({step})"
    return PermanentError(text) if 500 <= code < 600 else TransientError(text)


def redact(text: str) -> str:
    """The SMTP answer without the operator's credentials (plain, and as AUTH PLAIN/LOGIN send them)."""
    cfg = current_app.config
    user, password = cfg.get("SMTP_USER") or "", cfg.get("SMTP_PASSWORD") or ""
    secrets = []
    if password:
        secrets += [password, base64.b64encode(password.encode()).decode(),
                    base64.b64encode(f"\0{user}\0{password}".encode()).decode()]
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


# --- the loop --------------------------------------------------------------------------------------

def run_once(now: datetime | None = None) -> None:
    """One pass: deliver due emails, then each registered task; a failing step is logged and rolled back."""
    for step in [deliver_due, *_tasks]:
        try:
            with unit_of_work():
                step() if step is not deliver_due else deliver_due(now)
        except Exception:  # noqa: BLE001 - the loop must survive one bad step
            log.exception("Outbox worker step %s failed", getattr(step, "__name__", step))


def run_worker(stop: threading.Event | None = None, interval: float = 2.0) -> None:
    """The worker loop (`flask outbox run`): until `stop` is set."""
    stop = stop or threading.Event()
    released = release_dead_claims()
    if released:
        log.warning("Took back %s email(s) claimed by a worker that died", released)
    log.info("Outbox worker %s running (every %.1f s)", worker_id(), interval)
    beat = Heartbeat(current_app.instance_path, "outbox", every=min(5.0, interval))
    while not stop.is_set():
        beat.beat()
        run_once()
        db.session.remove()
        stop.wait(interval)
