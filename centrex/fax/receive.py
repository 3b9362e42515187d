"""Fax to email: a reception reported by FreeSWITCH becomes a row (received), its TIFF a PDF (converted),
the PDF an email in the outbox; the outbox's final answer makes it emailed, or failed with the reason.
A failed or partial reception is reported all the same, with the pages that arrived."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from centrex.fax import document as faxdoc
from centrex.fax.boxes import TransferOutcome, box_number, expiry, fax_ref, purge_expired
from centrex.freeswitch import fax_contract
from centrex.models import Account, Fax, FaxBox, OutboxMessage, Tenant
from centrex.platform import outbox
from centrex.platform.audit import Actor
from centrex.platform.db import db
from centrex.platform.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

PURPOSE = "fax_received"
CONVERSION_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Reception(TransferOutcome):
    """What FreeSWITCH tells about one received fax (spandsp::rxfaxresult), in plain values."""
    call_uuid: str
    box_id: int
    tenant_id: int | None
    caller_number: str | None
    switch_filename: str | None
    at: datetime


def record_reception(reception: Reception) -> Fax | None:
    """The fax row for a reception (idempotent by call UUID); None when the box is unknown. Flushes."""
    existing = db.session.execute(select(Fax).where(Fax.call_uuid == reception.call_uuid)) \
        .scalar_one_or_none()
    if existing is not None:
        return existing
    box = db.session.get(FaxBox, reception.box_id)
    if box is None or (reception.tenant_id is not None and box.tenant_id != reception.tenant_id):
        log.warning("Fax %s for unknown box %s (tenant %s) ignored", reception.call_uuid, reception.box_id,
                    reception.tenant_id)
        return None
    tenant = db.session.get(Tenant, box.tenant_id)
    tiff = fax_contract.from_switch_path(reception.switch_filename, tenant.domain) \
        if reception.switch_filename else None
    if reception.switch_filename and tiff is None:
        log.warning("Fax %s: file %s is outside the spool of %s; not read", reception.call_uuid,
                    reception.switch_filename, tenant.domain)
    fax = Fax(tenant_id=box.tenant_id, box_id=box.id, direction="in", state="received",
              local_number=box_number(box), remote_number=(reception.caller_number or "")[:32] or None,
              remote_station_id=(reception.remote_station_id or "")[:64] or None, pages=reception.pages,
              total_pages=reception.total_pages, success=reception.success, result_code=reception.result_code,
              result_text=(reception.result_text or "")[:255] or None, transfer_rate=reception.transfer_rate,
              call_uuid=reception.call_uuid, tiff_path=str(tiff) if tiff else None, created_at=reception.at,
              expires_at=expiry(box, reception.at, current_app.config["FAX_RETENTION_DAYS"]))
    db.session.add(fax)
    db.session.flush()
    return fax


def claim_conversion(fax_id: int, now: datetime | None = None) -> bool:
    """Take a received fax for conversion (one taker, even with several workers); commits the claim."""
    now = now or outbox.utcnow()
    taken = db.session.execute(update(Fax).where(
        Fax.id == fax_id, Fax.state == "received",
        (Fax.next_attempt_at.is_(None)) | (Fax.next_attempt_at <= now)).values(
        attempts=Fax.attempts + 1, next_attempt_at=now + CONVERSION_LEASE).execution_options(
        synchronize_session=False))
    db.session.commit()
    return taken.rowcount == 1  # type: ignore[attr-defined]  # an UPDATE's CursorResult


def convert_and_queue(fax: Fax) -> Fax:
    """TIFF -> PDF, then the email with the PDF into the outbox: received -> converted. Flushes."""
    db.session.refresh(fax)
    tenant = db.session.get(Tenant, fax.tenant_id)
    tiff = Path(fax.tiff_path) if fax.tiff_path else None
    if tiff and faxdoc.tiff_pages(tiff):
        pdf = fax_contract.tenant_dir(tenant.domain, "in") / f"fax-{fax.id}.pdf"
        try:
            faxdoc.tiff_to_pdf(tiff, pdf)
            fax.pdf_path = str(pdf)
        except faxdoc.DocumentError as exc:  # still send what we have: the TIFF itself
            fax.failure_reason = f"PDF conversion failed, TIFF attached: {exc}"[:500]
            log.error("Fax %s: %s", fax.id, exc)
    fax.state = "converted"
    fax.next_attempt_at = None
    email_reception(fax, tenant)
    return fax


def email_reception(fax: Fax, tenant: Tenant | None = None) -> OutboxMessage | None:
    """Queue the email of a received fax to its box's addresses (the tenant's admins if it has none)."""
    tenant = tenant or db.session.get(Tenant, fax.tenant_id)
    recipients = list(fax.box.emails) if fax.box and fax.box.emails else _admins(fax.tenant_id)
    if not recipients:
        fax.state, fax.failure_reason = "failed", "Aucune adresse e-mail / No email address for this fax box"
        return None
    attachments = []
    if fax.pdf_path and Path(fax.pdf_path).exists():
        attachments.append(outbox.Attachment(f"fax-{fax.id}.pdf", path=fax.pdf_path,
                                             content_type="application/pdf"))
    elif fax.tiff_path and faxdoc.tiff_pages(Path(fax.tiff_path)):
        attachments.append(outbox.Attachment(f"fax-{fax.id}.tif", path=fax.tiff_path,
                                             content_type="image/tiff"))
    subject, body = _reception_text(fax, tenant)
    return outbox.enqueue(fax.tenant_id, recipients, subject, body, attachments, purpose=PURPOSE,
                          ref=fax_ref(fax.id))


def _admins(tenant_id: int) -> list[str]:
    """The company's administrators with full rights (not those limited by a custom role)."""
    return list(db.session.execute(select(Account.email).where(
        Account.tenant_id == tenant_id, Account.role == "admin", Account.role_id.is_(None),
        Account.active.is_(True)).order_by(Account.id)).scalars())


def _reception_text(fax: Fax, tenant: Tenant) -> tuple[str, str]:
    sender = fax.remote_number or "numéro masqué / withheld"
    at = fax.created_at if fax.created_at.tzinfo else fax.created_at.replace(tzinfo=outbox.utcnow().tzinfo)
    local = at.astimezone(ZoneInfo(tenant.timezone)).strftime("%d.%m.%Y %H:%M")
    complete = bool(fax.success)
    subject = (f"Fax de {sender} ({fax.pages} p.) / Fax from {sender}" if complete else
               f"Fax incomplet de {sender} ({fax.pages} p.) / Incomplete fax from {sender}")
    lines = ["Vous avez reçu un fax. / You received a fax." if complete else
             "Un fax n’a pas été reçu en entier. / A fax was not received completely.", "",
             f"De / From: {sender}" +
             (f" (station {fax.remote_station_id})" if fax.remote_station_id else ""),
             f"À / To: {fax.local_number or '-'}" + (f" ({fax.box.name})" if fax.box else ""),
             f"Pages reçues / Pages received: {fax.pages}" +
             (f" / {fax.total_pages}" if fax.total_pages and not complete else ""),
             f"Reçu le / Received: {local} ({tenant.timezone})",
             f"Résultat / Result: {fax.result_text or '-'}" +
             (f" (code {fax.result_code})" if fax.result_code else "")]
    if not fax.pdf_path:
        lines.append("Aucune page n’est arrivée. / No page arrived." if not fax.pages or not fax.tiff_path
                     else "Le document joint est au format TIFF. / The attached document is a TIFF.")
    lines += ["", f"Réf. / Ref.: fax {fax.id}"]
    return subject, "\n".join(lines) + "\n"


def _email_final(message: OutboxMessage) -> None:
    """Outbox hook: the email of a received fax was sent (emailed) or failed for good (failed)."""
    fax = _fax_of(message)
    if fax is None:
        return
    if message.state == "sent":
        fax.state = "emailed"
    else:
        fax.state = "failed"
        fax.failure_reason = f"E-mail non remis / Email not delivered: {message.last_answer or '-'}"[:500]


def _fax_of(message: OutboxMessage) -> Fax | None:
    if not message.ref or not message.ref.startswith("fax:") or message.tenant_id is None:
        return None
    return db.session.execute(select(Fax).where(Fax.id == int(message.ref[4:]),
                                                Fax.tenant_id == message.tenant_id)).scalar_one_or_none()


def process_receptions(now: datetime | None = None, limit: int = 20) -> int:
    """Worker task: convert and queue every received fax not yet done (after a crash, too). Commits each."""
    now = now or outbox.utcnow()
    ids = db.session.execute(select(Fax.id).where(
        Fax.direction == "in", Fax.state == "received",
        (Fax.next_attempt_at.is_(None)) | (Fax.next_attempt_at <= now))
        .order_by(Fax.id).limit(limit)).scalars().all()
    db.session.commit()  # end the read before the claims (SQLite: no stale snapshot)
    done = 0
    for fax_id in ids:
        if handle_reception(fax_id, now):
            done += 1
    return done


def handle_reception(fax_id: int, now: datetime | None = None) -> bool:
    """Claim, convert and queue one received fax (two commits: the claim, then the result)."""
    if not claim_conversion(fax_id, now):
        return False
    try:
        with unit_of_work():
            convert_and_queue(db.session.get(Fax, fax_id))
    except Exception:
        log.exception("Fax %s could not be converted; it will be tried again", fax_id)
        raise
    return True


_purged_at = [0.0]


def purge_hourly() -> int:
    """Worker task: the archive purge (`flask fax purge`), at most once an hour. Commits."""
    if time.monotonic() - _purged_at[0] < 3600 and _purged_at[0]:
        return 0
    _purged_at[0] = time.monotonic()
    with unit_of_work(Actor("fax-archive")):
        count = purge_expired()
    if count:
        log.info("%s expired fax(es) purged from the archive", count)
    return count


outbox.on_final(PURPOSE, _email_final)
outbox.register_task(process_receptions)
outbox.register_task(purge_hourly)
