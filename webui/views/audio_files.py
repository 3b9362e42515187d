"""Audio files ("Fichiers audio") in the client menu: hold-music classes and their music, announcements,
voicemail greetings; upload (wav/mp3, checked and converted by centrex.features.audio), listen, delete;
and the announcement each number plays before it rings ("pré-décroché")."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from centrex.features import audio as audio_service, moh
from centrex.models import AudioFile, MohClass, Number, NumberAnnouncement
from centrex.platform.errors import N_, DomainError, Invalid, NotFound
from centrex.platform.tenancy import get_scoped
from webui.access import STAFF, allow
from webui.forms import change, errors_of, int_or_none
from webui.views.client import bp, tenant_rows


def kinds() -> dict[str, str]:
    return {"moh": _("Music on hold"), "prompt": _("Announcements"), "greeting": _("Voicemail greetings")}


def audio_page(errors=None, form=None, status=200, class_errors=None, class_id=None, class_form=None):
    """The whole page; `form`/`errors` belong to the upload form, `class_*` to one music class form
    (class_id 0: the new class)."""
    files = tenant_rows(AudioFile, AudioFile.kind, AudioFile.name, AudioFile.id)
    announcements = {a.number_id: a.audio_id for a in tenant_rows(NumberAnnouncement, NumberAnnouncement.id)}
    return (
        render_template(
            "console/client/audio.html",
            classes=tenant_rows(MohClass, MohClass.name),
            files=files,
            prompts=[f for f in files if f.kind == "prompt"],
            numbers=tenant_rows(Number, Number.e164),
            announcements=announcements,
            kinds=kinds(),
            form=form or {},
            errors=errors or {},
            class_errors=class_errors or {},
            class_id=class_id,
            class_form=class_form or {},
            max_mb=audio_service.MAX_UPLOAD_BYTES // (1024 * 1024),
            used_mb=audio_service.used_bytes(g.tenant) / (1024 * 1024),
            quota_mb=audio_service.quota_bytes() // (1024 * 1024),
            max_minutes=current_app.config["AUDIO_MAX_MINUTES"],
        ),
        status,
    )


@bp.get("/audio")
@allow(*STAFF)
def audio_files():
    return audio_page()


def upload_target(value: str) -> tuple[str, MohClass | None]:
    """"moh:<class id>", "prompt" or "greeting" from the form: the kind and the class (of this company)."""
    if value.startswith("moh:"):
        class_id = int_or_none(value[4:])
        if class_id is None:
            raise Invalid(N_("Choose where the file goes."), fields={"target": [N_("Unknown.")]})
        return "moh", get_scoped(MohClass, g.tenant.id, class_id)
    if value in ("prompt", "greeting"):
        return value, None
    raise Invalid(N_("Choose where the file goes."), fields={"target": [N_("Unknown.")]})


@bp.post("/audio/upload")
@allow(*STAFF)
def audio_upload():
    form = request.form
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise Invalid(N_("Choose a WAV or MP3 file."), fields={"file": [N_("Choose a WAV or MP3 file.")]})
        kind, moh_class = upload_target(form.get("target", ""))
        with change():
            stored = audio_service.store_upload(
                g.tenant, kind=kind, name=form.get("name", ""), filename=upload.filename,
                data=upload.stream, moh_class=moh_class)
        flash(_("%(name)s is uploaded.", name=stored.name))
        return redirect(url_for("client.audio_files"))
    except DomainError as exc:
        errors = errors_of(exc)
        if "moh_class_id" in errors:
            errors["target"] = errors.pop("moh_class_id")
        return audio_page(errors, form, exc.status)


@bp.get("/audio/<int:audio_id>/listen")
@allow(*STAFF)
def audio_listen(audio_id):
    """The converted file of this company, found by its row (the path is ours, never the client's)."""
    row = get_scoped(AudioFile, g.tenant.id, audio_id)
    path = audio_service.local_path(row, g.tenant)
    if not path.is_file():
        raise NotFound(N_("The recording is not available."))
    response = send_file(path, mimetype="audio/wav", conditional=True, max_age=0,
                         download_name=f"{row.name}.wav")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/audio/<int:audio_id>/delete")
@allow(*STAFF)
def audio_delete(audio_id):
    row = get_scoped(AudioFile, g.tenant.id, audio_id)
    name = row.name
    try:
        with change():
            audio_service.delete_audio(row, g.tenant)
        flash(_("%(name)s is deleted.", name=name))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return redirect(url_for("client.audio_files"))


@bp.post("/audio/classes")
@allow(*STAFF)
def moh_class_new():
    form = request.form
    try:
        with change():
            music = moh.create_moh_class(
                g.tenant, {"name": form.get("name", "").strip(), "is_default": "is_default" in form})
        flash(_("Music class %(name)s created.", name=music.name))
        return redirect(url_for("client.audio_files"))
    except DomainError as exc:
        return audio_page(status=exc.status, class_errors=errors_of(exc), class_id=0, class_form=form)


@bp.post("/audio/classes/<int:class_id>")
@allow(*STAFF)
def moh_class_save(class_id):
    music = get_scoped(MohClass, g.tenant.id, class_id)
    form = request.form
    data = {"is_default": "is_default" in form}
    if "name" in form:
        data["name"] = form.get("name", "").strip()
    try:
        with change():
            moh.update_moh_class(g.tenant, music, data)
        flash(_("Music class %(name)s saved.", name=music.name))
        return redirect(url_for("client.audio_files"))
    except DomainError as exc:
        return audio_page(status=exc.status, class_errors=errors_of(exc), class_id=class_id, class_form=form)


@bp.post("/audio/classes/<int:class_id>/delete")
@allow(*STAFF)
def moh_class_delete(class_id):
    music = get_scoped(MohClass, g.tenant.id, class_id)
    name = music.name
    with change():
        moh.delete_moh_class(g.tenant, music)
    flash(_("Music class %(name)s and its music are deleted.", name=name))
    return redirect(url_for("client.audio_files"))


@bp.post("/audio/numbers/<int:number_id>")
@allow(*STAFF)
def number_announcement(number_id):
    """Choose the announcement callers of this number hear before it rings, or none."""
    number = get_scoped(Number, g.tenant.id, number_id)
    audio_id = int_or_none(request.form.get("audio_id"))
    try:
        with change():
            chosen = get_scoped(AudioFile, g.tenant.id, audio_id) if audio_id is not None else None
            moh.set_number_announcement(g.tenant, number, chosen)
        if chosen is None:
            flash(_("%(number)s rings at once, without an announcement.", number=number.e164))
        else:
            flash(_("%(number)s plays %(name)s before it rings.", number=number.e164, name=chosen.name))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return redirect(url_for("client.audio_files") + "#pre-answer")
