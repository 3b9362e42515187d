"""Self-care « Messagerie vocale »: the user's own box (PIN, language, greeting, e-mail options) and its
messages (listen, delete). Everything is looked up from the logged-in user, never from the URL alone."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from centrex.features import audio as audio_service
from centrex.models import AudioFile, Tenant, User, UserVoicemail
from centrex.platform.db import db
from centrex.platform.errors import N_, DomainError, Invalid, NotFound
from centrex.platform.tenancy import get_scoped, scoped
from centrex.voicemail import boxes as voicemail, messages as voicemail_messages
from webui.access import USER, allow
from webui.forms import change, errors_of
from webui.views.me import bp, change_own_pin, own_user
from webui.views.voicemail_shared import box_settings_from_form, email_modes, languages, send_recording


def saved_box(user: User) -> UserVoicemail | None:
    """The user's box settings as saved (None: never changed, the defaults apply); reading creates nothing."""
    return db.session.execute(scoped(UserVoicemail, user.tenant_id).where(UserVoicemail.user_id == user.id)
                              ).scalar_one_or_none()


def voicemail_page(errors=None, form=None, status=200, pin_errors=None, greeting_errors=None):
    user = own_user()
    box = saved_box(user)
    if form is None:
        form = ({"language": box.language, "email_mode": box.email_mode, "email_to": box.email_to,
                 "keep_after_email": box.keep_after_email} if box else
                {"email_mode": "none", "keep_after_email": True})
    greeting = db.session.get(AudioFile, box.greeting_id) if box and box.greeting_id else None
    return (
        render_template("console/voicemail/mine.html", user=user, form=form, errors=errors or {},
                        pin_errors=pin_errors or {}, greeting_errors=greeting_errors or {},
                        greeting=greeting, modes=email_modes(), box_languages=languages(),
                        messages=voicemail_messages.messages_of_user(user),
                        max_mb=audio_service.MAX_UPLOAD_BYTES // (1024 * 1024)),
        status,
    )


def tenant_of(user: User) -> Tenant:
    return db.session.get(Tenant, user.tenant_id)


@bp.route("/voicemail", methods=["GET", "POST"])
@allow(USER)
def my_voicemail():
    if request.method == "POST":
        user = own_user()
        try:
            with change():
                voicemail.update_box(tenant_of(user), voicemail.user_box(user), {
                    key: value for key, value in box_settings_from_form(request.form).items()
                    if key != "greeting_id"})
            flash(_("Your voicemail settings are saved."))
            return redirect(url_for("me.my_voicemail"))
        except DomainError as exc:
            return voicemail_page(errors_of(exc), request.form, exc.status)
    return voicemail_page()


@bp.post("/voicemail/pin")
@allow(USER)
def my_voicemail_pin():
    try:
        change_own_pin(request.form)
        flash(_("Your voicemail PIN is changed."))
        return redirect(url_for("me.my_voicemail"))
    except DomainError as exc:
        return voicemail_page(pin_errors=errors_of(exc), status=exc.status)


@bp.post("/voicemail/greeting")
@allow(USER)
def my_voicemail_greeting():
    """Upload a new greeting (checked and converted like every audio file) and use it at once."""
    user = own_user()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise Invalid(N_("Choose a WAV or MP3 file."), fields={"file": [N_("Choose a WAV or MP3 file.")]})
        tenant = tenant_of(user)
        with change():
            greeting = audio_service.store_upload(
                tenant, kind="greeting", name=_("Greeting of %(name)s", name=user.name)[:120],
                filename=upload.filename, data=upload.stream)
            voicemail.update_box(tenant, voicemail.user_box(user), {"greeting_id": greeting.id})
        flash(_("Your new greeting is in use."))
        return redirect(url_for("me.my_voicemail"))
    except DomainError as exc:
        return voicemail_page(greeting_errors=errors_of(exc), status=exc.status)


@bp.post("/voicemail/greeting/standard")
@allow(USER)
def my_voicemail_standard_greeting():
    user = own_user()
    with change():
        voicemail.update_box(tenant_of(user), voicemail.user_box(user), {"greeting_id": None})
    flash(_("Callers hear the standard greeting again."))
    return redirect(url_for("me.my_voicemail"))


@bp.get("/voicemail/greeting/<int:audio_id>")
@allow(USER)
def my_voicemail_greeting_listen(audio_id):
    user = own_user()
    box = saved_box(user)
    if box is None or box.greeting_id != audio_id:
        raise NotFound(N_("Not found."))
    greeting = get_scoped(AudioFile, user.tenant_id, audio_id)
    path = audio_service.local_path(greeting, tenant_of(user))
    if not path.is_file():
        raise NotFound(N_("The recording is not available."))
    response = send_file(path, mimetype="audio/wav", conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/voicemail/messages/<int:message_id>")
@allow(USER)
def my_voicemail_listen(message_id):
    user = own_user()
    return send_recording(voicemail_messages.message_of_user(user, message_id), tenant_of(user))


@bp.post("/voicemail/messages/<int:message_id>/delete")
@allow(USER)
def my_voicemail_delete(message_id):
    user = own_user()
    message = voicemail_messages.message_of_user(user, message_id)
    with change():
        voicemail_messages.delete_message(tenant_of(user), message)
    flash(_("The message is deleted."))
    return redirect(url_for("me.my_voicemail") + "#messages")
