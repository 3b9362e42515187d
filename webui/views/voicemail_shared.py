"""Shared voicemail ("Messagerie partagée") in the client menu: the company's boxes with a number and a PIN
of their own (centrex.voicemail.boxes), their messages (listen, delete). The PIN is never shown back."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from centrex.models import AudioFile, Tenant, VoicemailBox, VoicemailMessage
from centrex.platform.errors import N_, DomainError, NotFound
from centrex.platform.schemas import LANGUAGES
from centrex.platform.tenancy import get_scoped
from centrex.voicemail import boxes as voicemail, messages as voicemail_messages
from webui.access import STAFF, allow
from webui.forms import change, errors_of, int_or_none
from webui.views.client import bp, tenant_rows
from webui.views.editing import add_editor_routes

LANGUAGE_NAMES = {"fr": "Français", "en": "English", "de": "Deutsch", "it": "Italiano"}


def email_modes() -> list[tuple[str, str]]:
    return [("none", _("No e-mail")), ("notify", _("E-mail to say a message arrived")),
            ("attach", _("E-mail with the recording attached"))]


def languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES]


def greetings() -> list[AudioFile]:
    return [f for f in tenant_rows(AudioFile, AudioFile.name) if f.kind == "greeting"]


def box_settings_from_form(form) -> dict:
    """What every box's form sends (user or shared): language, greeting, e-mail."""
    return {
        "language": form.get("language") or None,
        "greeting_id": int_or_none(form.get("greeting_id")),
        "email_mode": form.get("email_mode", "none"),
        "email_to": form.get("email_to", "").strip() or None,
        "keep_after_email": "keep_after_email" in form,
    }


def send_recording(message: VoicemailMessage, tenant: Tenant, download: bool = False):
    """The message's recording from FreeSWITCH's storage (to play, or as a file to keep); 404 when its path
    is not inside it."""
    found = voicemail_messages.recording_of(message, tenant)
    if found is None:
        raise NotFound(N_("The recording is not available."))
    path, content_type = found
    response = send_file(path, mimetype=content_type, conditional=True, max_age=0, as_attachment=download,
                         download_name=f"message-{message.box}-{message.id}{path.suffix}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/voicemail")
@allow(*STAFF)
def voicemail_boxes():
    boxes = tenant_rows(VoicemailBox, VoicemailBox.number)
    counts = {}
    for message in tenant_rows(VoicemailMessage, VoicemailMessage.id):
        if message.shared_box_id:
            counts[message.shared_box_id] = counts.get(message.shared_box_id, 0) + 1
    return render_template("console/voicemail/boxes.html", boxes=boxes, counts=counts,
                           modes=dict(email_modes()), greeting_names={f.id: f.name for f in greetings()},
                           language_names=LANGUAGE_NAMES)


def box_page(box: VoicemailBox | None):
    form = ({"number": box.number, "name": box.name, "language": box.language, "greeting_id": box.greeting_id,
             "email_mode": box.email_mode, "email_to": box.email_to, "keep_after_email": box.keep_after_email,
             "enabled": box.enabled} if box else {"email_mode": "none", "keep_after_email": True, "enabled": True})
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        data = {**box_settings_from_form(form), "number": form.get("number", "").strip(),
                "name": form.get("name", "").strip(), "enabled": "enabled" in form}
        if form.get("pin", "").strip():
            data["pin"] = form.get("pin", "").strip()
        try:
            with change():
                if box is None:
                    box = voicemail.create_shared_box(g.tenant, data)
                else:
                    voicemail.update_box(g.tenant, box, data)
            flash(_("Voicemail box %(name)s saved.", name=box.name))
            return redirect(url_for("client.voicemail_boxes"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
            if box is not None:
                box = get_scoped(VoicemailBox, g.tenant.id, box.id)  # as saved, after the rollback
    return (
        render_template("console/voicemail/box_form.html", box=box, form=form, errors=errors,
                        modes=email_modes(), box_languages=languages(),
                        greetings=[(f.id, f.name) for f in greetings()],
                        messages=voicemail_messages.messages_of_box(box) if box else []),
        status,
    )


@bp.get("/voicemail/<int:box_id>/messages/<int:message_id>")
@allow(*STAFF)
def voicemail_box_listen(box_id, message_id):
    box = get_scoped(VoicemailBox, g.tenant.id, box_id)
    return send_recording(voicemail_messages.message_of_box(g.tenant, box, message_id), g.tenant)


@bp.post("/voicemail/<int:box_id>/messages/<int:message_id>/delete")
@allow(*STAFF)
def voicemail_box_message_delete(box_id, message_id):
    box = get_scoped(VoicemailBox, g.tenant.id, box_id)
    message = voicemail_messages.message_of_box(g.tenant, box, message_id)
    with change():
        voicemail_messages.delete_message(g.tenant, message)
    flash(_("The message is deleted."))
    return redirect(url_for("client.voicemail_box_edit", box_id=box_id) + "#messages")


add_editor_routes(bp, key="voicemail_box", path="/voicemail", id_name="box_id", model=VoicemailBox, page=box_page,
                  remove=lambda box: voicemail.delete_shared_box(g.tenant, box), listing="client.voicemail_boxes",
                  removed=lambda box: _("Voicemail box %(name)s removed.", name=box.name))
