"""« Fichiers audio » in the client menu: real wav and mp3 files made here with sox are uploaded through the
page, listed by kind and played back from a tenant-scoped view; a fake file, a path-trick name, a missing
CSRF token or another company's page write nothing; a file in use cannot be deleted; music classes and
the announcement before ringing ("pré-décroché") are set from the page."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from centrex.features import audio
from centrex.models import AudioFile, AuditEntry, MohClass, Number, NumberAnnouncement
from centrex.platform.db import db
from centrex.platform.errors import N_, Message
from webui_testing import ADMIN_DUPONT, OPERATOR, USER_DUPONT, login, post, text, token

pytestmark = [pytest.mark.skipif(shutil.which("sox") is None, reason="sox is installed by `make test`"),
              pytest.mark.commit_demo]  # the demo's own switch commands are done before each test


def sox_file(tmp_path: Path, name: str, seconds: str = "1.2") -> bytes:
    out = tmp_path / name
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(out), "synth", seconds, "sine", "440"],
                   check=True, capture_output=True)
    return out.read_bytes()


def files_on_disk(app) -> list[str]:
    root = Path(app.config["AUDIO_DIR"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def rows() -> int:
    return db.session.execute(select(func.count(AudioFile.id))).scalar_one()


@pytest.fixture
def martin_prompt(demo, tmp_path):
    """An announcement of the other company (same extension numbers, never shown to Dupont)."""
    row = audio.store_upload(demo["martin.example"], kind="prompt", name="Accueil Martin", filename="m.wav",
                             data=sox_file(tmp_path, "m.wav"))
    db.session.commit()
    return row


def upload(client, tenant, data: bytes, filename: str, target: str = "prompt", name: str = "Accueil", **kw):
    return post(client, f"/t/{tenant.id}/audio/upload",
                {"target": target, "name": name, "file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data", **kw)


def test_the_page_lists_music_announcements_and_numbers(admin, dupont, demo):
    page = admin.get(f"/t/{dupont.id}/audio")
    assert page.status_code == 200
    body = text(page)
    for shown in ("Musique d&#39;attente", "Mélodie d&#39;attente", "Bienvenue chez Dupont SA", "Accueil Deutsch",
                  "021 555 01 00", "pré-décroché"):
        assert shown in body, shown
    assert "martin.example" not in body and "Martin Sàrl" not in body
    martin_music = db.session.execute(select(MohClass).where(MohClass.tenant_id == demo["martin.example"].id)
                                      ).scalars().first()
    assert f"moh:{martin_music.id}" not in body


def test_wav_and_mp3_are_uploaded_and_played_back(app, admin, dupont, tmp_path):
    music = db.session.execute(select(MohClass).where(MohClass.tenant_id == dupont.id)).scalars().first()
    response = upload(admin, dupont, sox_file(tmp_path, "jingle.mp3", "2"), "Jingle été.mp3",
                      target=f"moh:{music.id}", name="Jingle")
    assert response.status_code == 302, text(response)[:400]
    response = upload(admin, dupont, sox_file(tmp_path, "accueil.wav"), "accueil.wav", name="Accueil été")
    assert response.status_code == 302
    jingle = db.session.execute(select(AudioFile).where(AudioFile.name == "Jingle")).scalar_one()
    welcome = db.session.execute(select(AudioFile).where(AudioFile.name == "Accueil été")).scalar_one()
    assert (jingle.kind, jingle.moh_class_id, jingle.tenant_id) == ("moh", music.id, dupont.id)
    assert welcome.kind == "prompt" and abs(welcome.duration_ms - 1200) < 100
    page = text(admin.get(f"/t/{dupont.id}/audio"))
    assert "Jingle" in page and f'/t/{dupont.id}/audio/{welcome.id}/listen' in page
    played = admin.get(f"/t/{dupont.id}/audio/{welcome.id}/listen")
    assert played.status_code == 200 and played.mimetype == "audio/wav"
    assert played.data == audio.local_path(welcome, dupont).read_bytes() and played.data[:4] == b"RIFF"


@pytest.mark.parametrize("filename,data,status,french,english", [
    ("voix.wav", b"RIFF" + b"\x00" * 4 + b"WAVE" + bytes(range(256)) * 8, 422,
     "Ce fichier n’est pas un WAV lisible.", "This file is not a readable WAV file."),
    ("setup.mp3", b"MZ\x90\x00" + b"\x00" * 2000, 422,
     "Ce fichier n’est pas un MP3 lisible.", "This file is not a readable MP3 file."),
    ("../../etc/cron.d/x.wav", None, 422, "Nom de fichier refusé", "File name refused"),
    ("musique.exe", None, 415, "Seuls les fichiers WAV et MP3 sont acceptés.", "Only WAV and MP3 files are accepted."),
])
def test_refused_files_say_why_next_to_the_field_and_write_nothing(app, admin, dupont, tmp_path, filename,
                                                                    data, status, french, english):
    data = data if data is not None else sox_file(tmp_path, "ok.wav")
    before, count = files_on_disk(app), rows()
    response = upload(admin, dupont, data, filename)
    assert response.status_code == status
    body = text(response)
    assert f'<p class="field-error" id="file-error">{french}' in body.replace("&#39;", "'")
    assert english not in body
    admin.set_cookie("console_lang", "en")
    response = upload(admin, dupont, data, filename)
    assert response.status_code == status and english in text(response).replace("&#39;", "'")
    assert files_on_disk(app) == before and rows() == count


def test_missing_csrf_other_roles_and_companies_write_nothing(app, client, dupont, demo, tmp_path,
                                                              martin_prompt):
    wav = sox_file(tmp_path, "a.wav")
    audio_audits = select(func.count(AuditEntry.id)).where(AuditEntry.object_type == "audio_file")
    before, count, audits = files_on_disk(app), rows(), db.session.execute(audio_audits).scalar_one()
    login(client, ADMIN_DUPONT)
    refused = client.post(f"/t/{dupont.id}/audio/upload", data={"target": "prompt", "name": "x",
                                                                "file": (io.BytesIO(wav), "a.wav")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    martin = demo["martin.example"]
    assert upload(client, martin, wav, "a.wav").status_code == 404  # another company's page
    martin_file = martin_prompt
    assert client.get(f"/t/{dupont.id}/audio/{martin_file.id}/listen").status_code == 404
    assert post(client, f"/t/{dupont.id}/audio/{martin_file.id}/delete").status_code == 404
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, USER_DUPONT)
    assert upload(client, dupont, wav, "a.wav").status_code == 403
    assert files_on_disk(app) == before and rows() == count
    assert db.session.execute(audio_audits).scalar_one() == audits
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, OPERATOR)  # the operator manages the client's files too
    assert upload(client, dupont, wav, "a.wav", name="Par l'opérateur").status_code == 302
    assert rows() == count + 1


def test_a_file_in_use_is_not_deleted_an_unused_one_is(app, admin, dupont, tmp_path):
    sales = db.session.execute(select(NumberAnnouncement).where(NumberAnnouncement.tenant_id == dupont.id)
                               ).scalar_one()
    used = db.session.get(AudioFile, sales.audio_id)
    response = post(admin, f"/t/{dupont.id}/audio/{used.id}/delete", follow_redirects=True)
    assert "Ce fichier est encore utilisé : +41215550" in text(response)
    assert db.session.get(AudioFile, used.id) is not None and audio.local_path(used, dupont).is_file()
    menu_greeting = db.session.execute(select(AudioFile).where(AudioFile.tenant_id == dupont.id,
                                                               AudioFile.name == "Accueil Français")).scalar_one()
    admin.set_cookie("console_lang", "en")
    response = post(admin, f"/t/{dupont.id}/audio/{menu_greeting.id}/delete", follow_redirects=True)
    assert "This file is still in use: Français." in text(response)  # the French voice menu plays it
    admin.set_cookie("console_lang", "fr")
    upload(admin, dupont, sox_file(tmp_path, "b.wav"), "b.wav", name="Ancien message")
    old = db.session.execute(select(AudioFile).where(AudioFile.name == "Ancien message")).scalar_one()
    path = audio.local_path(old, dupont)
    assert path.is_file()
    assert post(admin, f"/t/{dupont.id}/audio/{old.id}/delete").status_code == 302
    assert db.session.get(AudioFile, old.id) is None and not path.exists()


def test_music_classes_are_created_renamed_and_made_default(admin, dupont):
    assert post(admin, f"/t/{dupont.id}/audio/classes", {"name": "Classique", "is_default": "on"}).status_code == 302
    classes = {c.name: c for c in db.session.execute(select(MohClass).where(MohClass.tenant_id == dupont.id)).scalars()}
    assert classes["Classique"].is_default and not classes["Musique d'attente"].is_default
    duplicate = post(admin, f"/t/{dupont.id}/audio/classes", {"name": "Classique"})
    assert duplicate.status_code == 409 and "field-error" in text(duplicate)
    old = classes["Musique d'attente"]
    response = post(admin, f"/t/{dupont.id}/audio/classes/{old.id}", {"name": "Jazz", "is_default": "on"})
    assert response.status_code == 302
    db.session.refresh(old)
    db.session.refresh(classes["Classique"])
    assert (old.name, old.is_default, classes["Classique"].is_default) == ("Jazz", True, False)


def test_the_announcement_before_ringing_is_chosen_per_number(admin, dupont, martin_prompt):
    number = db.session.execute(select(Number).where(Number.tenant_id == dupont.id, Number.is_main.is_(True))
                                ).scalar_one()
    prompt = db.session.execute(select(AudioFile).where(AudioFile.tenant_id == dupont.id,
                                                        AudioFile.kind == "prompt")).scalars().first()
    current = lambda: db.session.execute(select(NumberAnnouncement.audio_id).where(  # noqa: E731
        NumberAnnouncement.number_id == number.id)).scalar_one_or_none()
    assert post(admin, f"/t/{dupont.id}/audio/numbers/{number.id}", {"audio_id": prompt.id}).status_code == 302
    assert current() == prompt.id
    page = text(admin.get(f"/t/{dupont.id}/audio"))
    assert f'<option value="{prompt.id}" selected>' in page
    post(admin, f"/t/{dupont.id}/audio/numbers/{number.id}", {"audio_id": martin_prompt.id})
    assert current() == prompt.id  # another company's file is not found, nothing changes
    assert post(admin, f"/t/{dupont.id}/audio/numbers/{number.id}", {"audio_id": ""}).status_code == 302
    assert current() is None


@pytest.mark.parametrize("message,french,english", [
    (Message.of(N_("The file is larger than 16 MB.")), "Le fichier dépasse 16 Mo.", "The file is larger than 16 MB."),
    (Message.of(N_("This file is not a readable %(format)s file."), format="MP3"),
     "Ce fichier n’est pas un MP3 lisible.", "This file is not a readable MP3 file."),
    (N_("Not allowed for this user's call class."), "Non autorisé pour la catégorie d’appels de cet utilisateur.",
     "Not allowed for this user's call class."),
])
def test_core_messages_are_shown_in_the_reader_language(app, message, french, english):
    from webui.i18n import translate

    for lang, expected in (("fr", french), ("en", english)):
        with app.test_request_context(headers={"Cookie": f"console_lang={lang}"}):
            assert translate(message) == expected


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(app, admin, dupont, tmp_path):
    """16 MB is the audio limit; a body over CENTREX_MAX_REQUEST_MB never reaches the service."""
    before, count = files_on_disk(app), rows()
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = upload(admin, dupont, b"RIFF" + b"\x00" * limit, "enorme.wav")
    assert response.status_code == 413
    assert f"Envoi trop volumineux : {limit // (1024 * 1024)} Mo au plus" in text(response)
    assert files_on_disk(app) == before and rows() == count


def test_the_page_shows_the_storage_used_and_a_full_quota_refuses_with_the_reason(app, admin, dupont, tmp_path,
                                                                                 monkeypatch):
    from centrex.features.audio import used_bytes

    used = used_bytes(dupont) / (1024 * 1024)
    assert f"Espace utilisé : {used:.1f} Mo sur 200 Mo. Un son dure 15 minutes au plus." in text(
        admin.get(f"/t/{dupont.id}/audio"))
    monkeypatch.setitem(app.config, "AUDIO_QUOTA_MB", int(used))  # full already
    refused = upload(admin, dupont, sox_file(tmp_path, "court.wav", "2"), "court.wav")
    assert refused.status_code == 413 and "Espace audio plein" in text(refused)
