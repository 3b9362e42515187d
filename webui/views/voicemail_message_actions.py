"""What a person does with one voicemail message, in their own « Messagerie vocale » and in a shared box's
page: mark it read or new (playing it in the page marks it read, console.js), download it, forward it by
e-mail (through the outbox). Read state also goes to mod_voicemail (`vm_read`, over the switch port, after
the commit) so the phone's message lamp agrees."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import get_locale, gettext as _

from centrex.models import Tenant, VoicemailBox, VoicemailMessage
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped
from centrex.voicemail import messages as voicemail_messages
from webui.access import STAFF, USER, allow, current_principal
from webui.forms import change, errors_of
from webui.views import client, me
from webui.views.voicemail_mine import tenant_of
from webui.views.voicemail_shared import send_recording


def _set_read(tenant: Tenant, message: VoicemailMessage, back: str):
    read = request.form.get("read", "1") != "0"
    with change():
        voicemail_messages.mark_read(tenant, message, read)
    if request.headers.get("X-Requested-With") == "fetch":  # played in the page: nothing to show
        return "", 204
    flash(_("The message is marked as read.") if read else _("The message is marked as new."))
    return redirect(back)


def _forward(tenant: Tenant, message: VoicemailMessage, sender: str, back: str):
    address = request.form.get("email", "")
    try:
        with change():
            voicemail_messages.forward_message(tenant, message, address, sender=sender,
                                               language=str(get_locale() or "fr"))
        flash(_("The message is on its way to %(email)s.", email=address.strip()))
    except DomainError as exc:
        flash(errors_of(exc).get("email", errors_of(exc).get("_form", [""]))[0], "error")
    return redirect(back)


# -- the user's own box ---------------------------------------------------------------------------------
def _mine(message_id: int):
    user = me.own_user()
    return user, voicemail_messages.message_of_user(user, message_id)


@me.bp.post("/voicemail/messages/<int:message_id>/read")
@allow(USER)
def my_voicemail_read(message_id):
    user, message = _mine(message_id)
    return _set_read(tenant_of(user), message, url_for("me.my_voicemail") + "#messages")


@me.bp.get("/voicemail/messages/<int:message_id>/download")
@allow(USER)
def my_voicemail_download(message_id):
    user, message = _mine(message_id)
    return send_recording(message, tenant_of(user), download=True)


@me.bp.post("/voicemail/messages/<int:message_id>/forward")
@allow(USER)
def my_voicemail_forward(message_id):
    user, message = _mine(message_id)
    return _forward(tenant_of(user), message, user.name, url_for("me.my_voicemail") + "#messages")


# -- a shared box ---------------------------------------------------------------------------------------
def _shared(box_id: int, message_id: int) -> VoicemailMessage:
    box = get_scoped(VoicemailBox, g.tenant.id, box_id)
    return voicemail_messages.message_of_box(g.tenant, box, message_id)


def _box_page(box_id: int) -> str:
    return url_for("client.voicemail_box_edit", box_id=box_id) + "#messages"


@client.bp.post("/voicemail/<int:box_id>/messages/<int:message_id>/read")
@allow(*STAFF)
def voicemail_box_message_read(box_id, message_id):
    return _set_read(g.tenant, _shared(box_id, message_id), _box_page(box_id))


@client.bp.get("/voicemail/<int:box_id>/messages/<int:message_id>/download")
@allow(*STAFF)
def voicemail_box_message_download(box_id, message_id):
    return send_recording(_shared(box_id, message_id), g.tenant, download=True)


@client.bp.post("/voicemail/<int:box_id>/messages/<int:message_id>/forward")
@allow(*STAFF)
def voicemail_box_message_forward(box_id, message_id):
    principal = current_principal()
    return _forward(g.tenant, _shared(box_id, message_id), principal.email if principal else g.tenant.name,
                    _box_page(box_id))
