"""A client's phones on the network: re-provision after a factory reset (the seed's red button), the
phone's own admin password on demand, and the network map (online or not, addresses, last contact)."""

from __future__ import annotations

import logging

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from centrex.calls import live
from centrex.models import Device, User
from centrex.phones.devices import reprovision_after_factory_reset, reveal_admin_password, send_check_sync
from centrex.platform.errors import DomainError
from centrex.platform.ports import SwitchError
from centrex.platform.tenancy import get_scoped
from webui.access import STAFF, allow
from webui.forms import change, errors_of
from webui.i18n import translate
from webui.views.client import bp, tenant_rows

log = logging.getLogger("centrex.webui")


@bp.post("/devices/<int:device_id>/reprovision")
@allow(*STAFF)
def device_reprovision(device_id):
    """New provisioning credentials and an open bootstrap window (committed first), then FreeSWITCH is
    asked to tell the phone to fetch its file; if that part fails the person is told to restart it."""
    device = get_scoped(Device, g.tenant.id, device_id)
    with change():
        reprovision_after_factory_reset(device)
    try:
        with change():
            send_check_sync(device)
        flash(_("Phone %(mac)s is re-provisioned: it restarts and fetches its settings.", mac=device.mac))
    except (SwitchError, DomainError) as exc:
        reason = errors_of(exc)["_form"][0] if isinstance(exc, DomainError) else translate(str(exc))
        log.warning("check_sync for device %s failed: %s", device.id, reason)
        flash(
            _(
                "Phone %(mac)s is ready to be re-provisioned, but it could not be told to restart "
                "(%(reason)s): restart it by hand within the hour.",
                mac=device.mac,
                reason=reason,
            ),
            "error",
        )
    return redirect(url_for("client.device_edit", device_id=device.id))


@bp.post("/devices/<int:device_id>/admin-password")
@allow(*STAFF)
def device_admin_password(device_id):
    """The phone's web admin password, shown once on this page (audited), never in a cookie or a log."""
    device = get_scoped(Device, g.tenant.id, device_id)
    with change():
        password = reveal_admin_password(device)
    return render_template("console/client/device_password.html", device=device, password=password)


@bp.get("/network")
@allow(*STAFF)
def network():
    """Each phone with its live registrations (online and the address it registered from)."""
    users = {u.id: u for u in tenant_rows(User, User.extension)}
    return render_template("console/client/network.html", phones=live.device_addresses(g.tenant.id), users=users)
