"""A phone's programmable keys, drawn as its model lays them out (the phone's own keys, then its expansion
modules), copying a layout to the company's other phones (core: centrex.phones.devices), and the
company's default layout, applied to new phones and, on request, to existing ones (centrex.phones.layouts)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from centrex.models import Device, User
from centrex.phones import catalogue
from centrex.phones.devices import set_device_keys
from centrex.phones.layouts import (
    LAST_POSITION,
    apply_default_keys,
    as_rows,
    default_keys,
    phones_of,
    set_default_keys,
)
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped
from webui.access import STAFF, allow
from webui.forms import change, errors_of, int_or_none
from webui.views.client import bp, tenant_rows


def key_kinds() -> list[tuple[str, str]]:
    return [("line", _("Line")), ("blf", _("Colleague (BLF, pickup)")), ("speed_dial", _("Speed dial")),
            ("voicemail", _("Voicemail")), ("dnd", _("Do not disturb")), ("forward", _("Forward")),
            ("park", _("Call park (slot 1-9 in Number)")), ("transfer", _("Transfer to the number"))]


def _layout(device: Device, modules: int) -> list[tuple[str, list[int]]]:
    """[(section title, key positions)]: the phone's own keys, then `modules` expansion modules."""
    model = catalogue.find(device.vendor, device.model)
    if model is None:
        return []
    sections = [(_("Phone"), list(range(1, model.keys + 1)))] if model.keys else []
    if model.module:
        for n in range(min(modules, model.module.max_modules)):
            first = model.keys + n * model.module.keys + 1
            sections.append((_("Module %(name)s no. %(n)s", name=model.module.name, n=n + 1),
                             list(range(first, first + model.module.keys))))
    return sections


def _modules_in_use(device: Device) -> int:
    model = catalogue.find(device.vendor, device.model)
    if model is None or model.module is None:
        return 0
    last = max((key.position for key in device.keys), default=0)
    return max(0, -(-(last - model.keys) // model.module.keys))


def _submitted(form) -> list[dict]:
    keys = []
    for name, kind in form.items():
        if not name.startswith("kind_") or not kind:
            continue
        position = int_or_none(name[5:])
        keys.append({"position": position, "kind": kind, "label": form.get(f"label_{position}", "").strip() or None,
                     "number": form.get(f"number_{position}", "").strip() or None,
                     "target_user_id": int_or_none(form.get(f"target_{position}"))})
    return sorted(keys, key=lambda key: key["position"] or 0)


@bp.route("/devices/<int:device_id>/keys", methods=["GET", "POST"])
@allow(*STAFF)
def device_keys(device_id):
    device = get_scoped(Device, g.tenant.id, device_id)
    modules = int_or_none(request.values.get("modules"))
    modules = _modules_in_use(device) if modules is None else max(0, modules)
    current = {k.position: k for k in device.keys}
    errors, status = {}, 200
    if request.method == "POST":
        try:
            with change():
                set_device_keys(device, _submitted(request.form))
            flash(_("Keys of %(mac)s saved.", mac=device.mac))
            return redirect(url_for("client.device_keys", device_id=device.id, modules=modules))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
            current = {key["position"]: key for key in _submitted(request.form)}
    others = [d for d in tenant_rows(Device, Device.mac) if d.id != device.id]
    model = catalogue.find(device.vendor, device.model)
    return render_template("console/client/device_keys.html", device=device, layout=_layout(device, modules),
                           modules=modules, model=model, current=current, kinds=key_kinds(), errors=errors,
                           users=tenant_rows(User, User.extension), others=others), status


@bp.post("/devices/<int:device_id>/keys/copy")
@allow(*STAFF)
def device_keys_copy(device_id):
    """Give the phones ticked the same keys (each refused whole if its model has fewer keys)."""
    device = get_scoped(Device, g.tenant.id, device_id)
    targets = [get_scoped(Device, g.tenant.id, int_or_none(raw) or 0) for raw in request.form.getlist("devices")]
    try:
        with change():
            for target in targets:
                set_device_keys(target, as_rows(device.keys))
        flash(ngettext("Keys copied to %(num)s phone.", "Keys copied to %(num)s phones.", len(targets)))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return redirect(url_for("client.device_keys", device_id=device.id))


@bp.route("/devices/default-keys", methods=["GET", "POST"])
@allow(*STAFF)
def default_layout():
    """The keys every new phone of the company starts with (its own keys, up to what its model has)."""
    current = {k.position: k for k in default_keys(g.tenant.id)}
    errors, status = {}, 200
    if request.method == "POST":
        try:
            with change():
                set_default_keys(g.tenant, _submitted(request.form))
            flash(_("Default keys saved: new phones start with them."))
            return redirect(url_for("client.default_layout"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
            current = {key["position"]: key for key in _submitted(request.form)}
    return render_template("console/client/default_keys.html", positions=range(1, LAST_POSITION + 1),
                           current=current, kinds=key_kinds(), errors=errors, users=tenant_rows(User, User.extension),
                           devices=tenant_rows(Device, Device.mac)), status


@bp.post("/devices/default-keys/apply")
@allow(*STAFF)
def default_layout_apply():
    """Give the phones ticked the default keys, in place of their own."""
    ids = [int_or_none(raw) or 0 for raw in request.form.getlist("devices")]
    try:
        with change():
            count = apply_default_keys(g.tenant, phones_of(g.tenant, ids))
        flash(_("Default keys applied to %(n)s phones.", n=count))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return redirect(url_for("client.default_layout"))
