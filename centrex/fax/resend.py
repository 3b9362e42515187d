"""Send again a fax that reached the end of its road, whichever way it went."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from centrex.fax.boxes import FINAL_STATES
from centrex.fax.receive import email_reception
from centrex.models import Fax
from centrex.platform import audit, outbox
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid


def resend(fax: Fax, *, now: datetime | None = None) -> Fax:
    """Send again a fax that reached the end of its road: email a received fax again (from the archive),
    dial a sent one again. Flushes and audits; the caller commits."""
    if fax.state not in FINAL_STATES:
        raise Conflict(N_("This fax is still being processed."), fields={"state": [fax.state]})
    if fax.direction == "in":
        if not fax.box or not fax.box.emails:
            raise Invalid(N_("The fax box has no email address."), fields={"emails": [N_("Required.")]})
        fax.state, fax.failure_reason = "converted", None
        email_reception(fax)
    else:
        if not fax.tiff_path or not Path(fax.tiff_path).exists():
            raise Invalid(N_("The document of this fax is no longer archived."))
        fax.state, fax.failure_reason, fax.attempts = "converted", None, 0
        fax.next_attempt_at = now or outbox.utcnow()
        fax.job_uuid = fax.call_uuid = None
    db.session.flush()
    audit.record("resend", fax, tenant_id=fax.tenant_id, changes={"state": fax.state})
    return fax
