"""Audio uploads through the core service: real wav and mp3 files made here with sox are decoded and
converted to 8 kHz mono 16-bit wav; an oversized file, a program renamed .mp3, noise named .wav and file
names with path tricks are refused with a clear 4xx, and nothing is written."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from centrex.features import audio
from centrex.features.audio import MAX_UPLOAD_BYTES, read_limited, store_upload
from centrex.models import AudioFile
from centrex.platform.db import db
from centrex.platform.errors import DomainError

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="sox is installed by `make test`")


def sox_file(tmp_path: Path, name: str, *effects: str, rate: int = 44100, channels: int = 2) -> bytes:
    out = tmp_path / name
    subprocess.run(["sox", "-n", "-r", str(rate), "-c", str(channels), str(out), "synth", *effects],
                   check=True, capture_output=True)
    return out.read_bytes()


def tree(app) -> list[str]:
    root = Path(app.config["AUDIO_DIR"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def check_converted(app, tenant, row: AudioFile, expected_ms: int):
    path = audio.local_path(row, tenant)
    with wave.open(str(path), "rb") as converted:
        assert converted.getnchannels() == 1 and converted.getsampwidth() == 2
        assert converted.getframerate() == app.config["AUDIO_RATE"] == row.sample_rate
    assert abs(row.duration_ms - expected_ms) < 100
    assert row.size_bytes == path.stat().st_size
    assert audio.freeswitch_path(row, tenant).startswith(app.config["AUDIO_FS_DIR"])
    assert f"/{tenant.domain}/" in audio.freeswitch_path(row, tenant)


def test_stereo_wav_is_converted_to_mono_8khz(app, dupont, tmp_path):
    data = sox_file(tmp_path, "accueil.wav", "1.5", "sine", "440")
    row = store_upload(dupont, kind="prompt", name="Accueil", filename="Accueil été.wav", data=data)
    assert row.original_filename == "Accueil été.wav" and row.stored_name.endswith(".wav")
    assert row.stored_name != row.original_filename
    check_converted(app, dupont, row, 1500)


def test_mp3_is_decoded_and_converted(app, dupont, tmp_path):
    data = sox_file(tmp_path, "musique.mp3", "3", "sine", "300-900")
    assert data[:3] == b"ID3" or data[0] == 0xFF
    music = db.session.execute(db.select(audio.MohClass).where(audio.MohClass.tenant_id == dupont.id)).scalars().first()
    row = store_upload(dupont, kind="moh", name="Jingle", filename="JINGLE.MP3", data=io.BytesIO(data),
                       moh_class=music)
    check_converted(app, dupont, row, 3000)
    assert audio.local_path(row, dupont).parent.name == str(music.id)


def refused(app, dupont, status: int, text: str, **kwargs):
    before = tree(app)
    rows = db.session.execute(db.select(db.func.count(AudioFile.id))).scalar_one()
    with pytest.raises(DomainError) as info:
        store_upload(dupont, **{"kind": "prompt", "name": "Essai", **kwargs})
    assert info.value.status == status
    assert text in info.value.message  # English, as the API answers; the console translates it by its key
    assert info.value.fields.get("file") == [info.value.text]  # a key the console translates, English for the API
    assert tree(app) == before
    assert db.session.execute(db.select(db.func.count(AudioFile.id))).scalar_one() == rows
    return info.value


def test_oversized_upload_is_refused_before_decoding(app, dupont):
    data = b"RIFF" + b"\x00" * (MAX_UPLOAD_BYTES + 1)
    refused(app, dupont, 413, "16 MB", filename="big.wav", data=data)
    with pytest.raises(DomainError) as info:
        read_limited(io.BytesIO(b"\x00" * (MAX_UPLOAD_BYTES + 10)))
    assert info.value.status == 413


def test_program_renamed_mp3_is_refused(app, dupont):
    # libmad alone would "decode" an executable into a fraction of a second of noise.
    executable = Path(shutil.which("sox")).read_bytes()[:500_000]
    refused(app, dupont, 422, "MP3", filename="musique.mp3", data=executable)


def test_noise_named_wav_and_truncated_wav_are_refused(app, dupont, tmp_path):
    refused(app, dupont, 422, "WAV", filename="bruit.wav", data=os.urandom(50_000))
    good = sox_file(tmp_path, "ok.wav", "1", "sine", "440")
    refused(app, dupont, 422, "WAV", filename="coupé.wav", data=good[:60])


@pytest.mark.parametrize("filename,status", [
    ("../../etc/passwd.wav", 422), ("sous/dossier.wav", 422), ("..\\..\\evil.mp3", 422),
    (".cache.wav", 422), ("C:evil.wav", 422), ("ok\x00.wav", 422), ("a" * 130 + ".wav", 422),
    ("musique.exe", 415), ("musique.wav.exe", 415), ("musique", 415), ("", 422)])
def test_file_names_with_path_tricks_are_refused(app, dupont, tmp_path, filename, status):
    data = sox_file(tmp_path, "ok.wav", "0.5", "sine", "440")
    refused(app, dupont, status, "", filename=filename, data=data)


def test_rolled_back_upload_leaves_no_file(app, dupont, tmp_path, session):
    session.commit()  # the demo's own files stay: only this transaction's are undone
    before = tree(app)
    row = store_upload(dupont, kind="prompt", name="Brouillon", filename="b.wav",
                       data=sox_file(tmp_path, "b.wav", "0.5", "sine", "440"))
    path = audio.local_path(row, dupont)
    assert path.exists()
    session.rollback()
    assert not path.exists() and tree(app) == before


def test_deleted_audio_file_goes_once_committed(app, dupont, tmp_path, session):
    row = store_upload(dupont, kind="greeting", name="Absent", filename="absent.wav",
                       data=sox_file(tmp_path, "a.wav", "0.5", "sine", "440"))
    session.commit()
    path = audio.local_path(row, dupont)
    audio.delete_audio(row, dupont)
    assert path.exists()  # still there until the deletion commits
    session.commit()
    assert not path.exists()


def test_hold_music_needs_a_class_of_the_same_company(app, demo, tmp_path):
    martin_class = db.session.execute(db.select(audio.MohClass).where(
        audio.MohClass.tenant_id == demo["martin.example"].id)).scalars().first()
    data = sox_file(tmp_path, "m.wav", "0.5", "sine", "440")
    with pytest.raises(DomainError) as info:
        store_upload(demo["dupont.example"], kind="moh", name="x", filename="m.wav", data=data,
                     moh_class=martin_class)
    assert info.value.status == 422


def test_a_sound_longer_than_the_limit_is_refused_without_filling_the_disk(app, dupont, tmp_path, monkeypatch):
    """Audit finding 8: a 5 MB mp3 became an 87 MB wav, with no length limit."""
    monkeypatch.setitem(app.config, "AUDIO_MAX_MINUTES", 1)
    data = sox_file(tmp_path, "long.mp3", "150", "sine", "440", rate=8000, channels=1)  # 2 min 30 s
    before = tree(app)
    with pytest.raises(DomainError) as refused:
        store_upload(dupont, kind="prompt", name="Trop long", filename="long.mp3", data=data)
    assert refused.value.status == 413 and "more than 1 minutes" in refused.value.message
    assert tree(app) == before
    assert db.session.execute(db.select(AudioFile).where(AudioFile.name == "Trop long")).first() is None


def test_each_company_has_a_storage_quota(app, demo, dupont, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIO_QUOTA_MB", 1)  # 1 MB: about a minute at 8 kHz
    data = sox_file(tmp_path, "a.wav", "40", "sine", "440", rate=8000, channels=1)  # 640 KB converted
    store_upload(dupont, kind="prompt", name="Premier", filename="a.wav", data=data)
    assert audio.used_bytes(dupont) > 600_000
    with pytest.raises(DomainError) as refused:
        store_upload(dupont, kind="prompt", name="Second", filename="a.wav", data=data)
    assert refused.value.status == 413 and "Audio storage full" in refused.value.message
    martin = demo["martin.example"]  # another company's quota is its own
    assert store_upload(martin, kind="prompt", name="Premier", filename="a.wav", data=data).size_bytes > 600_000
