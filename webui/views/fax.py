"""A client's fax history (received, converted, emailed, failed; pages, reason, where its email is)
and the resend button: everything through centrex.fax.boxes (scoped reads, audited resend)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.fax.boxes import FINAL_STATES, email_status, fax_history, get_fax
from centrex.fax.resend import resend
from centrex.models.fax import FAX_STATES
from centrex.platform.errors import DomainError
from webui.access import STAFF, allow
from webui.forms import change, errors_of
from webui.views.client import bp

PAGE_SIZE = 50


@bp.get("/faxes")
@allow(*STAFF)
def faxes():
    state = request.args.get("state", "")
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
    rows = fax_history(g.tenant.id, state=state if state in FAX_STATES else None, limit=PAGE_SIZE + 1,
                       offset=(page - 1) * PAGE_SIZE)
    return render_template("console/client/faxes.html", faxes=rows[:PAGE_SIZE], page=page,
                           more=len(rows) > PAGE_SIZE, state=state, states=FAX_STATES,
                           final=FINAL_STATES, emails={f.id: email_status(f) for f in rows[:PAGE_SIZE]})


@bp.post("/faxes/<int:fax_id>/resend")
@allow(*STAFF)
def fax_resend(fax_id):
    fax = get_fax(g.tenant.id, fax_id)
    try:
        with change():
            resend(fax)
        flash(_("Fax %(id)s is sent again.", id=fax.id))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return redirect(url_for("client.faxes"))
