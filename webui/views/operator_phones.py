"""The operator's « Téléphones » page of one client: registration expiry, DTMF mode, codec order and SRTP
of that company's phones, each overriding the operator-wide default (core: centrex.phones.company_settings)."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.phones.company_settings import FIELDS, phone_settings_of, save_phone_settings
from centrex.platform.errors import DomainError
from webui.access import OPERATOR, allow
from webui.forms import change, errors_of
from webui.views.operator import bp


def operator_defaults() -> dict:
    cfg = current_app.config
    return {"register_expiry": cfg.get("PROV_REGISTER_EXPIRY", 600), "dtmf": cfg.get("PROV_DTMF", "rfc2833"),
            "codecs": ",".join(cfg.get("PROV_CODECS", ("g722", "pcma", "pcmu"))), "srtp": cfg.get("PROV_SRTP", "off")}


@bp.route("/clients/<int:tenant_id>/phones", methods=["GET", "POST"])
@allow(OPERATOR)
def client_phones():
    tenant = g.tenant
    row = phone_settings_of(tenant.id)
    form = {name: (getattr(row, name) if row else None) or "" for name in FIELDS}
    errors, status = {}, 200
    if request.method == "POST":
        form = {name: request.form.get(name, "").strip() for name in FIELDS}
        try:
            with change():
                save_phone_settings(tenant, form)
            flash(_("Phone settings of %(name)s saved: its phones get them at their next fetch.", name=tenant.name))
            return redirect(url_for("operator.client_phones", tenant_id=tenant.id))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    return render_template("console/operator/client_phones.html", client=tenant, form=form, errors=errors,
                           defaults=operator_defaults()), status
