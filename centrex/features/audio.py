"""Uploaded audio (wav or mp3, up to 16 MB): refused unless it really decodes, converted with sox to the
wav FreeSWITCH plays without transcoding (8 or 16 kHz, mono, 16-bit), stored in the tenant's directory
under a name we make. A refused upload writes nothing; a rolled-back one leaves no file behind."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unicodedata
import uuid
import wave
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import func, select

from centrex.freeswitch.sync import remove_file_after_commit, remove_file_on_rollback
from centrex.models import (
    AudioFile,
    IvrMenu,
    MohClass,
    Number,
    NumberAnnouncement,
    Tenant,
    User,
    UserVoicemail,
    VoicemailBox,
)
from centrex.models.audio import AUDIO_KINDS
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, DomainError, Invalid, Message
from centrex.platform.schemas import no_control_chars
from centrex.platform.tenancy import scoped

MAX_UPLOAD_BYTES = 16 * 1024 * 1024
MIN_DURATION_MS = 100
FORMATS = {".wav": "wav", ".mp3": "mp3"}
SOX_TIMEOUT = 120


class UploadTooLarge(DomainError):
    status = 413


class UnsupportedAudio(DomainError):
    status = 415


def _refuse(cls, key: str, **params):
    message = Message.of(key, **params)
    return cls(message, fields={"file": [message]})


def read_limited(stream: BinaryIO, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """Read an upload without ever holding more than limit+1 bytes; too big -> 413."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _refuse(UploadTooLarge, N_("The file is larger than 16 MB."))
    return data


def check_filename(filename: str | None) -> tuple[str, str]:
    """(clean name, format) for a name a browser sent, or Invalid: no directories, no tricks."""
    name = unicodedata.normalize("NFC", (filename or "").strip())
    if (not name or len(name) > 120 or name in (".", "..") or ".." in name or name.startswith(".")
            or any(ch in name for ch in "/\\:\x00") or any(unicodedata.category(ch) == "Cc" for ch in name)):
        raise _refuse(Invalid, N_("File name refused (no path, no '..')."))
    fmt = FORMATS.get(os.path.splitext(name)[1].lower())
    if fmt is None:
        raise _refuse(UnsupportedAudio, N_("Only WAV and MP3 files are accepted."))
    return name, fmt


def audio_root() -> Path:
    return Path(current_app.config["AUDIO_DIR"])


def tenant_subdir(tenant: Tenant, kind: str, moh_class_id: int | None = None) -> str:
    return domain_subdir(tenant.domain, kind, moh_class_id)


def domain_subdir(domain: str, kind: str, moh_class_id: int | None = None) -> str:
    """`<domain>/moh/<class>`, `<domain>/prompt`, `<domain>/greeting`: relative, the same on both sides."""
    if kind == "moh":
        return f"{domain}/moh/{moh_class_id}"
    return f"{domain}/{kind}"


def local_path(audio: AudioFile, tenant: Tenant) -> Path:
    return audio_root() / tenant_subdir(tenant, audio.kind, audio.moh_class_id) / audio.stored_name


def freeswitch_path(audio: AudioFile, tenant: Tenant) -> str:
    """The file as FreeSWITCH opens it (CENTREX_AUDIO_FS_DIR, the shared storage seen from the switch)."""
    base = current_app.config["AUDIO_FS_DIR"].rstrip("/")
    return f"{base}/{tenant_subdir(tenant, audio.kind, audio.moh_class_id)}/{audio.stored_name}"


def freeswitch_dir(domain: str, kind: str, moh_class_id: int | None = None) -> str:
    return f"{current_app.config['AUDIO_FS_DIR'].rstrip('/')}/{domain_subdir(domain, kind, moh_class_id)}"


def store_upload(tenant: Tenant, *, kind: str, name: str, filename: str, data: bytes | BinaryIO,
                 moh_class: MohClass | None = None) -> AudioFile:
    """Validate, decode, convert and store one upload; the row is flushed and audited."""
    if kind not in AUDIO_KINDS:
        raise Invalid(N_("Unknown audio kind."), fields={"kind": [N_("Unknown.")]})
    label = (name or "").strip()
    try:
        no_control_chars(label)
    except ValidationError:
        label = ""
    if not label or len(label) > 120:
        raise Invalid(N_("A name is required (at most 120 characters)."),
                      fields={"name": [N_("Required, at most 120 characters.")]})
    if (kind == "moh") != (moh_class is not None) or (moh_class and moh_class.tenant_id != tenant.id):
        raise Invalid(N_("Hold music goes into one of this company's music classes."),
                      fields={"moh_class_id": [N_("Required for hold music, only for hold music.")]})
    clean_name, fmt = check_filename(filename)
    raw = data if isinstance(data, bytes) else read_limited(data)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _refuse(UploadTooLarge, N_("The file is larger than 16 MB."))
    if not looks_like(fmt, raw):
        raise _refuse(Invalid, N_("This file is not a readable %(format)s file."), format=fmt.upper())
    rate = current_app.config["AUDIO_RATE"]
    max_seconds = current_app.config["AUDIO_MAX_MINUTES"] * 60
    stored_name = f"{uuid.uuid4().hex}.wav"
    target_dir = audio_root() / tenant_subdir(tenant, kind, moh_class.id if moh_class else None)
    with tempfile.TemporaryDirectory(prefix="centrex-audio-") as tmp:
        converted = Path(tmp) / "converted.wav"
        duration_ms = convert(raw, fmt, converted, rate, Path(tmp), max_seconds=max_seconds)
        if duration_ms > max_seconds * 1000:
            minutes = max_seconds // 60
            raise _refuse(UploadTooLarge, N_("The sound lasts more than %(minutes)s minutes."), minutes=minutes)
        check_quota(tenant, converted.stat().st_size)
        target_dir.mkdir(parents=True, exist_ok=True)
        partial = target_dir / f".{stored_name}.part"
        shutil.copyfile(converted, partial)
        os.replace(partial, target_dir / stored_name)
    target = target_dir / stored_name
    remove_file_on_rollback(str(target))
    audio = AudioFile(tenant_id=tenant.id, kind=kind, name=label, original_filename=clean_name,
                      stored_name=stored_name, moh_class_id=moh_class.id if moh_class else None,
                      sample_rate=rate, duration_ms=duration_ms, size_bytes=target.stat().st_size)
    db.session.add(audio)
    db.session.flush()
    audit.record("upload", audio, tenant_id=tenant.id,
                 changes={"kind": kind, "name": label, "file": clean_name, "duration_ms": duration_ms})
    return audio


def uses_of(audio: AudioFile) -> list[str]:
    """Where the file is played: numbers (before ringing), voice menus, voicemail boxes."""
    tenant_id = audio.tenant_id
    uses = list(db.session.execute(
        scoped(NumberAnnouncement, tenant_id).with_only_columns(Number.e164).select_from(NumberAnnouncement)
        .join(Number, Number.id == NumberAnnouncement.number_id)
        .where(NumberAnnouncement.audio_id == audio.id)).scalars())
    uses += [menu.name for menu in db.session.execute(scoped(IvrMenu, tenant_id).where(
        (IvrMenu.greeting_id == audio.id) | (IvrMenu.repeat_greeting_id == audio.id)
        | (IvrMenu.invalid_sound_id == audio.id))).scalars()]
    uses += [box.name for box in db.session.execute(
        scoped(VoicemailBox, tenant_id).where(VoicemailBox.greeting_id == audio.id)).scalars()]
    uses += list(db.session.execute(
        scoped(UserVoicemail, tenant_id).with_only_columns(User.name).select_from(UserVoicemail)
        .join(User, User.id == UserVoicemail.user_id).where(UserVoicemail.greeting_id == audio.id)).scalars())
    return uses


def delete_audio(audio: AudioFile, tenant: Tenant) -> None:
    """Delete the row now and the file once the deletion is committed; refused while it is played."""
    if audio.tenant_id != tenant.id:
        raise Invalid(N_("This file does not belong to this company."))
    uses = uses_of(audio)
    if uses:
        where = ", ".join(uses)
        raise Conflict(N_("This file is still in use: %(where)s."), where=where,
                       fields={"audio": [N_("Still in use.")]})
    path = local_path(audio, tenant)
    audit.delete_row(audio, tenant_id=tenant.id, changes={"name": audio.name})
    remove_file_after_commit(str(path))


def looks_like(fmt: str, data: bytes) -> bool:
    """The container's own signature: RIFF/WAVE, or MPEG audio frames (after an optional ID3v2 tag).
    Decoders are lenient (libmad finds "frames" in an executable), so this check comes first."""
    if fmt == "wav":
        return len(data) > 44 and data[:4] in (b"RIFF", b"RF64") and data[8:12] == b"WAVE"
    offset = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9]
        offset = 10 + size + (10 if data[5] & 0x10 else 0)
    first = mp3_frame_length(data, offset)
    if first is None:
        return False
    second = mp3_frame_length(data, offset + first)
    return second is not None or offset + first >= len(data)


_MP3_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 layer III
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),     # MPEG-2 / 2.5 layer III
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def mp3_frame_length(data: bytes, offset: int) -> int | None:
    """Length of the MPEG audio layer III frame whose header starts at offset, or None if there is none."""
    header = data[offset:offset + 4]
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 0x03  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    layer = (header[1] >> 1) & 0x03  # 1: layer III
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x03
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _MP3_BITRATES[1 if version == 3 else 2][bitrate_index] * 1000
    sample_rate = _MP3_RATES[version][rate_index]
    padding = (header[2] >> 1) & 0x01
    factor = 144 if version == 3 else 72
    return factor * bitrate // sample_rate + padding


def used_bytes(tenant: Tenant) -> int:
    """What this company's audio files take on disk."""
    return db.session.execute(select(func.coalesce(func.sum(AudioFile.size_bytes), 0))
                              .where(AudioFile.tenant_id == tenant.id)).scalar_one()


def quota_bytes() -> int:
    return current_app.config["AUDIO_QUOTA_MB"] * 1024 * 1024


def check_quota(tenant: Tenant, more: int) -> None:
    """Refuse a file that would take the company past its storage quota (CENTREX_AUDIO_QUOTA_MB)."""
    used, quota = used_bytes(tenant), quota_bytes()
    if used + more > quota:
        used_mb, quota_mb, more_mb = used / 2**20, quota // 2**20, more / 2**20
        raise _refuse(UploadTooLarge,
                      N_("Audio storage full: %(used)s MB used of %(quota)s MB, this file needs %(more)s."),
                      used=f"{used_mb:.1f}", quota=quota_mb, more=f"{more_mb:.1f}")


def convert(raw: bytes, fmt: str, output: Path, rate: int, workdir: Path, *,
            max_seconds: int | None = None) -> int:
    """Decode the input with sox into 16-bit mono wav at `rate` (never more than a second past
    `max_seconds`, so a long file cannot fill the disk on its way to being refused); the duration in ms."""
    source = workdir / f"upload.{fmt}"
    source.write_bytes(raw)
    command = ["sox", "-V1", "-t", fmt, str(source), "-t", "wav", "-e", "signed-integer", "-b", "16",
               "-c", "1", "-r", str(rate), str(output)]
    if max_seconds:
        command += ["trim", "0", str(max_seconds + 1)]
    unreadable = _refuse(Invalid, N_("This file is not a readable %(format)s file."), format=fmt.upper())
    try:
        result = subprocess.run(command, capture_output=True, timeout=SOX_TIMEOUT, check=False)
    except FileNotFoundError as exc:  # the server lacks sox: an operator problem, said plainly
        raise DomainError(N_("Audio conversion is not available on this server (sox is missing).")) from exc
    except subprocess.TimeoutExpired as exc:
        raise unreadable from exc
    if result.returncode != 0 or not output.exists():
        raise unreadable
    try:
        with wave.open(str(output), "rb") as converted:
            frames, frame_rate = converted.getnframes(), converted.getframerate()
    except (wave.Error, EOFError) as exc:
        raise unreadable from exc
    duration_ms = frames * 1000 // frame_rate if frame_rate else 0
    if duration_ms < MIN_DURATION_MS:
        raise unreadable
    return duration_ms
