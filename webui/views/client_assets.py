"""A client's menu, continued: its numbers and where each points, its phones, its history, its logo."""

from __future__ import annotations

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.models import AuditEntry, Device, Number, User
from centrex.phones import catalogue
from centrex.phones.devices import add_device, claim_unknown_device, retire_device, unknown_device, update_device
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped, scoped
from centrex.routing import numbers as number_service
from centrex.routing.targets import TARGET_KINDS
from centrex.tenants.branding import branding_of
from webui.access import ADMIN, OPERATOR, STAFF, USER, allow
from webui.forms import change, errors_of, int_or_none, values
from webui.i18n import destination_labels
from webui.views.client import bp, tenant_rows
from webui.views.editing import add_editor_routes
from webui.views.history import render_history

FIXED_DESTINATIONS = ("external", "hangup", "access")


def destination_choices() -> dict[str, list]:
    """Destination types a number may point to now, with this client's objects of each type."""
    return {kind: tenant_rows(spec.model, spec.model.id) for kind, spec in TARGET_KINDS.items()}


@bp.get("/numbers")
@allow(*STAFF)
def numbers():
    targets = {kind: {row.id: row for row in rows} for kind, rows in destination_choices().items()}
    return render_template(
        "console/client/numbers.html", numbers=tenant_rows(Number, Number.e164), targets=targets
    )


@bp.route("/numbers/<int:number_id>", methods=["GET", "POST"])
@allow(*STAFF)
def number_edit(number_id):
    number = get_scoped(Number, g.tenant.id, number_id)
    form = {
        "label": number.label,
        "dest_type": number.dest_type or "",
        "dest_value": number.dest_value,
        f"dest_id_{number.dest_type}": number.dest_id,
    }
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        dest_type = form.get("dest_type") or None
        data = values(form, optional=("label", "dest_value"))
        data.update(dest_type=dest_type, dest_id=int_or_none(form.get(f"dest_id_{dest_type}")))
        if dest_type != "external":
            data["dest_value"] = None
        try:
            with change():
                number_service.point_number(number, g.tenant, data)
            flash(_("Changes saved."))
            return redirect(url_for("client.numbers"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
            if "dest_id" in errors:
                errors[f"dest_id_{dest_type}"] = errors.pop("dest_id")
    choices = destination_choices()
    kind_names = destination_labels()
    kinds = (
        [("", _("Not routed"))]
        + [(k, kind_names.get(k, k)) for k in choices]
        + [(k, kind_names[k]) for k in FIXED_DESTINATIONS]
    )
    return (
        render_template(
            "console/client/number_form.html",
            number=number,
            form=form,
            errors=errors,
            choices=choices,
            kinds=kinds,
            kind_names=kind_names,
        ),
        status,
    )


@bp.get("/devices")
@allow(*STAFF)
def devices():
    users = {u.id: u for u in tenant_rows(User, User.extension)}
    prov_url = current_app.config.get("PROV_BASE_URL") or request.url_root.rstrip("/") + "/prov"
    return render_template(
        "console/client/devices.html", devices=tenant_rows(Device, Device.mac), users=users,
        prov_url=prov_url.rstrip("/") + "/",
    )


def device_form(device: Device | None):
    form = {"vendor": "yealink", "model": "", "label": "", "user_id": "", "transfer_mode": "attended",
            "firmware_url": ""}
    if device is not None:
        form = {
            "mac": device.mac,
            "vendor": device.vendor,
            "model": device.model,
            "label": device.label,
            "user_id": device.user_id,
            "transfer_mode": device.transfer_mode,
            "firmware_url": device.firmware_url or "",
        }
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        data = values(form, text=("model",), optional=("label", "firmware_url"))
        if form.get("transfer_mode"):
            data["transfer_mode"] = form["transfer_mode"]
        data["user_id"] = int_or_none(form.get("user_id"))
        try:
            with change():
                if device is None:
                    device = add_device(
                        g.tenant, {**data, "mac": form.get("mac", ""), "vendor": form.get("vendor", "")}
                    )
                else:
                    update_device(device, data)
            flash(_("Phone %(mac)s saved.", mac=device.mac))
            return redirect(url_for("client.devices"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    return (
        render_template(
            "console/client/device_form.html",
            device=device,
            form=form,
            errors=errors,
            users=tenant_rows(User, User.extension),
            transfer_modes=transfer_modes(),
            models=model_choices(device.vendor if device else None),
        ),
        status,
    )


@bp.post("/devices/claim")
@allow(*STAFF)
def device_claim():
    """Claim a phone that asked for its configuration (listed for the operator) by its MAC address: first
    the model to confirm (preselected from the User-Agent it was seen with), then the claim."""
    form = request.form
    try:
        if not form.get("model"):
            unknown = unknown_device(form.get("mac", ""))
            seen = catalogue.find(unknown.vendor, unknown.model)
            return render_template("console/client/device_claim.html", unknown=unknown,
                                   models=model_choices(unknown.vendor), form={"model": seen.name if seen else ""})
        with change():
            device = claim_unknown_device(g.tenant, form.get("mac", ""), {"model": form["model"]})
        flash(_("Phone %(mac)s claimed: assign it to a user.", mac=device.mac))
        return redirect(url_for("client.device_edit", device_id=device.id))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
        return redirect(url_for("client.devices"))


def model_choices(vendor: str | None) -> list[tuple[str, str]]:
    """The catalogue's models (of `vendor` only, for a phone that exists), with their keys."""
    choices = []
    for model in catalogue.MODELS:
        if vendor is not None and model.vendor != vendor:
            continue
        keys = _("%(n)s keys", n=model.keys)
        if model.module:
            keys += " + " + _("%(name)s modules (up to %(count)s)", name=model.module.name,
                              count=model.module.max_modules)
        choices.append((model.name, f"{model.vendor.capitalize()} {model.name} · {keys}"))
    return choices


def transfer_modes() -> list[tuple[str, str]]:
    """The seed's "Type de transfert" (device settings), in the reader's language."""
    return [
        ("blind", _("Blind transfer")),
        ("attended", _("Announced transfer")),
        ("new_call", _("Transfer as a new call")),
        ("semi_attended", _("Optional announcement")),
    ]


@bp.get("/history")
@allow(*STAFF)
def history():
    return render_history(scoped(AuditEntry, g.tenant.id), "client/history.html")


@bp.get("/logo")
@allow(OPERATOR, ADMIN, USER)
def logo():
    branding = branding_of(g.tenant.id)
    if branding is None or not branding.logo:
        abort(404)
    response = make_response(branding.logo)
    response.headers["Content-Type"] = branding.logo_type
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


add_editor_routes(bp, key="device", path="/devices", id_name="device_id", model=Device, page=device_form,
                  remove=retire_device, listing="client.devices",
                  removed=lambda device: _("Phone %(mac)s removed.", mac=device.mac))
