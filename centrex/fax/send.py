"""Email to fax: an accepted mail becomes one fax row per number (converted: the fax TIFF is ready), the
worker dials each over the carrier gateway with `txfax` (sending), FreeSWITCH's answer makes it sent, or
converted again for a retry (busy, no answer, a failed transfer), or failed; the sender gets a report."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import phonenumbers
from flask import current_app
from sqlalchemy import func, select, update

from centrex.fax.boxes import TransferOutcome, box_number, expiry, fax_ref
from centrex.freeswitch import commands, fax_contract
from centrex.freeswitch.dispositions import PERMANENT_CAUSES, originate_result
from centrex.models import Fax, FaxBox, OutboxMessage, Tenant, User
from centrex.platform import audit, outbox
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid
from centrex.platform.ports import SwitchError, switch
from centrex.routing.engine import dialing

log = logging.getLogger(__name__)

REPORT_PURPOSE = "fax_send_report"
SENDING_TIMEOUT = timedelta(hours=3)  # no result from FreeSWITCH by then: failed, result unknown


@dataclass(frozen=True)
class SendResult(TransferOutcome):
    """What FreeSWITCH tells about one sent fax (spandsp::txfaxresult), in plain values."""
    fax_id: int
    call_uuid: str | None


def fax_number(raw: str, country: str) -> str:
    """A fax number as people write it (local part of the address) in E.164, or Invalid."""
    text = re.sub(r"[\s().\-/]", "", raw or "")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(N_("%(number)s is not a fax number."), number=raw) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise Invalid(N_("%(number)s is not a valid fax number."), number=raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def refusal(tenant: Tenant, sender: str, number: str) -> tuple[str, str] | None:
    """Why this company may not fax `number` (French, English), or None: the rules of a call a user dials —
    the company active and licensed for fax, its blocked prefixes, call-class ceiling and premium rule, and
    the class and premium right of the user whose address sent the mail (the company's alone otherwise)."""
    from centrex.routing.call_rights import blocked_prefixes, policy_of
    from centrex.tenants.licences import features_of

    if not tenant.active:
        return "la société est suspendue", "the company is suspended"
    if "fax" not in features_of(tenant.id):
        return "la licence n’inclut pas le fax", "the licence does not include fax"
    dialled = dialing.classify(number, tenant.country)
    if dialled.kind in ("invalid", "emergency"):
        return "ce numéro ne reçoit pas de fax", "this number takes no fax"
    for blocked in blocked_prefixes(tenant.id):
        if dialled.number.startswith(blocked.prefix):
            return (f"les numéros commençant par {blocked.prefix} sont bloqués pour la société",
                    f"numbers starting with {blocked.prefix} are blocked for the company")
    policy = policy_of(tenant.id)
    if policy is not None and not dialing.allowed(policy.max_call_class, dialled.needs):
        return (f"la société n’autorise que la classe {policy.max_call_class}",
                f"the company allows calls up to the class {policy.max_call_class}")
    if dialled.premium and policy is not None and not policy.allow_premium:
        return ("les numéros surtaxés sont refusés pour la société",
                "premium-rate numbers are refused for the company")
    user = db.session.execute(select(User).where(
        User.tenant_id == tenant.id, func.lower(User.email) == sender.lower())).scalars().first()
    if user is not None and not dialing.allowed(user.call_class, dialled.needs):
        french = {"national": "nationaux", "mobile": "mobiles", "international": "internationaux"}[dialled.kind]
        return (f"{user.name} ne peut pas appeler les numéros {french}",
                f"{user.name} may not call {dialled.kind} numbers")
    if user is not None and dialled.premium and not user.allow_premium:
        return (f"{user.name} ne peut pas appeler les numéros surtaxés",
                f"{user.name} may not call premium-rate numbers")
    return None


def submit(box: FaxBox, requested_by: str, numbers: list[str], tiff: Path, pages: int, mail_ref: str,
           now: datetime | None = None) -> list[Fax]:
    """One fax per number for an accepted mail, ready to dial now. Flushes and audits."""
    now = now or outbox.utcnow()
    local_number = box_number(box)
    faxes = []
    for number in numbers:
        fax = Fax(tenant_id=box.tenant_id, box_id=box.id, direction="out", state="converted",
                  local_number=local_number, remote_number=number, total_pages=pages, pages=0,
                  tiff_path=str(tiff), requested_by=requested_by, mail_ref=mail_ref, attempts=0,
                  next_attempt_at=now, created_at=now,
                  expires_at=expiry(box, now, current_app.config["FAX_RETENTION_DAYS"]))
        db.session.add(fax)
        db.session.flush()
        audit.record("submit", fax, tenant_id=box.tenant_id,
                     changes={"to": number, "pages": pages, "requested_by": requested_by})
        faxes.append(fax)
    return faxes


def dial_due(now: datetime | None = None, limit: int = 10) -> int:
    """Worker task: originate every fax whose attempt is due. Commits the claim, then the Job-UUID."""
    now = now or outbox.utcnow()
    ids = db.session.execute(select(Fax.id).where(
        Fax.direction == "out", Fax.state == "converted", Fax.next_attempt_at <= now)
        .order_by(Fax.next_attempt_at, Fax.id).limit(limit)).scalars().all()
    db.session.commit()  # end the read: each claim below is its own short write (SQLite: no stale snapshot)
    dialled = 0
    for fax_id in ids:
        taken = db.session.execute(update(Fax).where(Fax.id == fax_id, Fax.state == "converted").values(
            state="sending", attempts=Fax.attempts + 1, next_attempt_at=now + SENDING_TIMEOUT,
            job_uuid=None).execution_options(synchronize_session=False))
        db.session.commit()
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            continue
        fax = db.session.get(Fax, fax_id)
        db.session.refresh(fax)
        originate(fax, now)
        db.session.commit()
        dialled += 1
    return dialled


def originate(fax: Fax, now: datetime) -> None:
    tenant = db.session.get(Tenant, fax.tenant_id)
    gateway = current_app.config["FAX_GATEWAY"]
    variables = fax_contract.send_variables(fax.id, fax.tenant_id, fax.local_number or "", tenant.name)
    try:  # returns once the call is answered (its BACKGROUND_JOB said +OK); txfax then runs
        fax.job_uuid = switch().originate(
            commands.gateway_leg(gateway, fax.remote_number),
            commands.send_fax_destination(str(fax_contract.to_switch_path(Path(fax.tiff_path)))),
            variables=variables)
    except SwitchError as exc:  # not reachable, or the call failed: "... refused it: USER_BUSY"
        cause = str(exc).rsplit(":", 1)[-1].strip()
        attempt_failed(fax, str(exc), retry=cause not in PERMANENT_CAUSES, now=now)


def record_originate(fax_id: int, job_uuid: str | None, reply: str,
                     now: datetime | None = None) -> Fax | None:
    """The BACKGROUND_JOB of our recorded originate: "+OK <uuid>" (answered: txfax runs) or "-ERR <cause>"
    (when the switch port returned before the call's outcome). Flushes."""
    fax = db.session.get(Fax, fax_id)
    # Only the job we recorded: a failed originate is already handled where it was sent (SwitchError).
    if fax is None or fax.direction != "out" or fax.state != "sending" or not job_uuid or \
            job_uuid != fax.job_uuid:
        return None
    answered, value = originate_result(reply)
    if answered:
        fax.call_uuid = value[:64] or None
    else:
        cause = value or "originate failed"
        attempt_failed(fax, cause, retry=cause not in PERMANENT_CAUSES, now=now)
    db.session.flush()
    return fax


def record_result(result: SendResult, now: datetime | None = None) -> Fax | None:
    """spandsp::txfaxresult of one of our faxes: sent, or a retry, or failed. Flushes."""
    fax = db.session.get(Fax, result.fax_id)
    if fax is None or fax.direction != "out" or fax.state != "sending":
        return None
    fax.success, fax.result_code = result.success, result.result_code
    fax.result_text = (result.result_text or "")[:255] or None
    fax.pages, fax.transfer_rate = result.pages, result.transfer_rate
    fax.remote_station_id = (result.remote_station_id or "")[:64] or None
    if result.total_pages:
        fax.total_pages = result.total_pages
    if result.success:
        fax.state, fax.failure_reason, fax.next_attempt_at = "sent", None, None
        report(fax)
    else:
        attempt_failed(fax, f"{result.result_text or 'fax failed'} (code {result.result_code})", retry=True,
                       now=now)
    db.session.flush()
    return fax


def attempt_failed(fax: Fax, reason: str, *, retry: bool, now: datetime | None = None) -> None:
    now = now or outbox.utcnow()
    fax.failure_reason = reason[:500]
    cfg = current_app.config
    if retry and fax.attempts < cfg["FAX_DIAL_ATTEMPTS"]:
        fax.state = "converted"
        fax.next_attempt_at = now + timedelta(seconds=cfg["FAX_DIAL_RETRY_SECONDS"] * 2 ** (fax.attempts - 1))
        log.info("Fax %s to %s: try %s failed (%s), next at %s", fax.id, fax.remote_number, fax.attempts,
                 reason, fax.next_attempt_at)
    else:
        fax.state, fax.next_attempt_at = "failed", None
        log.warning("Fax %s to %s failed after %s tries: %s", fax.id, fax.remote_number, fax.attempts, reason)
        report(fax)


def report(fax: Fax) -> OutboxMessage | None:
    """The report to whoever sent the mail: sent (pages) or failed (why, after how many tries)."""
    if not fax.requested_by:
        return None
    if fax.state == "sent":
        subject = f"Fax envoyé à {fax.remote_number} / Fax sent to {fax.remote_number}"
        lines = ["Votre fax a été transmis. / Your fax was sent.", "",
                 f"Pages: {fax.pages}" + (f" / {fax.total_pages}" if fax.total_pages else "")]
    else:
        subject = f"Échec du fax à {fax.remote_number} / Fax to {fax.remote_number} failed"
        lines = ["Votre fax n’a pas pu être transmis. / Your fax could not be sent.", "",
                 f"Raison / Reason: {fax.failure_reason or '-'}",
                 f"Pages transmises / Pages sent: {fax.pages}" +
                 (f" / {fax.total_pages}" if fax.total_pages else "")]
    lines += [f"Essais / Tries: {fax.attempts}", f"De / From: {fax.local_number or '-'}",
              f"À / To: {fax.remote_number}"]
    if fax.remote_station_id:
        lines.append(f"Station: {fax.remote_station_id}")
    lines += ["", f"Réf. / Ref.: fax {fax.id}"]
    return outbox.enqueue(fax.tenant_id, [fax.requested_by], subject, "\n".join(lines) + "\n",
                          purpose=REPORT_PURPOSE, ref=fax_ref(fax.id))


def expire_stuck(now: datetime | None = None) -> int:
    """Worker task: a fax still `sending` long after its originate lost its result (FreeSWITCH restarted,
    events missed). It may have gone through, so it is not dialled again: failed, and the sender is told."""
    now = now or outbox.utcnow()
    stuck = db.session.execute(select(Fax).where(
        Fax.direction == "out", Fax.state == "sending", Fax.next_attempt_at < now)).scalars().unique().all()
    for fax in stuck:
        attempt_failed(fax, "Aucun résultat de FreeSWITCH, le fax est peut-être parti / "
                            "No result from FreeSWITCH, the fax may have been sent", retry=False, now=now)
    db.session.commit()
    return len(stuck)


outbox.register_task(dial_due)
outbox.register_task(expire_stuck)
