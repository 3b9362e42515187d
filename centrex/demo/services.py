"""The demo's menus, queues, rooms, boxes and music. Dupont SA follows the client's manual: a menu asks
for the language, then in French, German or English 1 = support, 2 = sales, 3 = on-call duty (the ring
groups of centrex.demo.routing); it answers on the short number 5000. Martin Sàrl gets objects with the same
names and numbers, to show they never mix.
The prompts are short generated tones (placeholders, as in the FreeSWITCH captures): the company records
its own and uploads them."""
from __future__ import annotations

import io
import logging
import math
import struct
import time
import wave

from sqlalchemy import select

from centrex.features import audio, conferences, ivr, moh, queues
from centrex.freeswitch.sync import remove_file_on_rollback
from centrex.models import Number, RingGroup, Tenant, User
from centrex.platform.db import db
from centrex.platform.errors import DomainError
from centrex.voicemail import boxes as voicemail, messages as voicemail_messages

log = logging.getLogger("centrex.demo.companies")

MENU_NUMBER = "5000"  # dial it from a phone to hear the menu (as in the FreeSWITCH capture)
LANGUAGES = [("1", "Français", 523), ("2", "Deutsch", 587), ("3", "English", 659)]


def tone_wav(frequency: int, seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short sine tone as a wav file: the demo's placeholder prompt."""
    frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / rate)))
                      for i in range(int(seconds * rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def _prompt(tenant: Tenant, name: str, frequency: int, kind: str = "prompt", moh_class=None):
    try:
        return audio.store_upload(tenant, kind=kind, name=name, filename=f"{kind}-{frequency}.wav",
                                  data=tone_wav(frequency, 2.0 if kind == "moh" else 1.0),
                                  moh_class=moh_class)
    except DomainError as exc:  # no sox on this machine: the demo works with FreeSWITCH's beep instead
        log.warning("demo audio %r not stored: %s", name, exc.message)
        return None


def _user(tenant: Tenant, extension: str) -> User:
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == extension)
                              ).scalar_one()


def _group(tenant: Tenant, name: str) -> RingGroup:
    return db.session.execute(select(RingGroup).where(RingGroup.tenant_id == tenant.id,
                                                      RingGroup.name == name)).scalar_one()


def _number(e164: str) -> Number:
    return db.session.execute(select(Number).where(Number.e164 == e164)).scalar_one()


def load_services(dupont: Tenant, martin: Tenant, *, sales_number: str) -> None:
    """Flushes; the caller commits."""
    _dupont(dupont, sales_number)
    _martin(martin)


def _dupont(tenant: Tenant, sales_number: str) -> None:
    music = moh.create_moh_class(tenant, {"name": "Musique d'attente", "is_default": True})
    _prompt(tenant, "Mélodie d'attente", 440, kind="moh", moh_class=music)
    # Complaints and repair requests ("réclamations"): the support team answers in turn, the
    # reception (Mme Dumas) takes the call after two minutes of waiting.
    reception = _user(tenant, "1000")
    complaints = queues.create_queue(tenant, {
        "name": "Réclamations", "extension": "2100", "strategy": "top-down", "moh_class_id": music.id,
        "max_wait_seconds": 120, "after_dest_type": "user", "after_dest_id": reception.id})
    queues.set_agents(tenant, complaints, [_user(tenant, ext).id for ext in ("1003", "1004")])

    box = voicemail.create_shared_box(tenant, {
        "number": "8000", "name": "Répondeur Dupont SA", "pin": "864209", "language": "fr",
        "email_mode": "notify", "email_to": "admin@dupont.example"})
    alain = _user(tenant, "1001")
    voicemail.update_box(tenant, voicemail.user_box(alain), {"email_mode": "attach", "language": "fr"})
    _sample_messages(tenant)
    conferences.create_room(tenant, {"number": "3000", "name": "Salle de conférence", "max_members": 10,
                                     "access_code": "314159", "moderator_code": "271828"})

    # The manual's menu: choose the language, then 1 support, 2 sales, 3 on-call duty (its groups).
    groups = {name: _group(tenant, name) for name in ("Support", "Ventes", "Piquet week-end")}
    root_greeting = _prompt(tenant, "Choix de la langue", 392)
    root = ivr.create_menu(tenant, {"name": "Choix de la langue", "extension": MENU_NUMBER,
                                    "greeting_id": root_greeting.id if root_greeting else None})
    for digit, language, frequency in LANGUAGES:
        greeting = _prompt(tenant, f"Accueil {language}", frequency)
        menu = ivr.create_menu(tenant, {"name": language, "greeting_id": greeting.id if greeting else None,
                                        "timeout_dest_type": "voicemail", "timeout_dest_id": box.id})
        for key, label, group in (("1", "Support", "Support"), ("2", "Ventes", "Ventes"),
                                  ("3", "Piquet", "Piquet week-end")):
            ivr.set_entry(tenant, menu, {"digits": key, "label": label, "dest_type": "ring_group",
                                         "dest_id": groups[group].id})
        ivr.set_entry(tenant, menu, {"digits": "0", "label": "Retour", "dest_type": "top"})
        ivr.set_entry(tenant, root, {"digits": digit, "label": language, "dest_type": "ivr",
                                     "dest_id": menu.id})

    welcome = _prompt(tenant, "Bienvenue chez Dupont SA, veuillez patienter", 494)
    if welcome is not None:
        moh.set_number_announcement(tenant, _number(sales_number), welcome)


# (box, message uuid, caller name, caller number, seconds ago, length, tone): as mod_voicemail reports them.
SAMPLE_MESSAGES = [
    ("1001", "5e1d0c2a-7d43-4c55-9a51-000000001001", "Fiduciaire Rochat", "+41215559999", 2 * 3600, 3, 523),
    ("1001", "5e1d0c2a-7d43-4c55-9a51-000000001002", "Sophie Martin", "1002", 26 * 3600, 2, 659),
    ("8000", "5e1d0c2a-7d43-4c55-9a51-000000008000", "", "+41795550000", 5 * 3600, 2, 440),
]


def _sample_messages(tenant: Tenant) -> None:
    """Messages in Alain Dupont's box and the shared box, with short tones as recordings, written where
    mod_voicemail keeps them (VOICEMAIL_STORAGE_LOCAL), so that the console can play them."""
    now = int(time.time())
    for box, uuid, name, number, ago, seconds, tone in SAMPLE_MESSAGES:
        switch_file = voicemail_messages.switch_path(tenant, box, f"msg_{uuid}.wav")
        local = voicemail_messages.local_path_for(switch_file)
        try:
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(tone_wav(tone, seconds))
            remove_file_on_rollback(str(local))
        except OSError as exc:  # storage not writable here: the list still shows the messages
            log.warning("demo voicemail recording %s not written: %s", local, exc)
        voicemail_messages.record_message(domain=tenant.domain, box=box, message_uuid=uuid, caller_name=name,
                                          caller_number=number, file_path=switch_file, length_seconds=seconds,
                                          timestamp=now - ago)


def _martin(tenant: Tenant) -> None:
    """The same names and numbers as Dupont's, in another company."""
    music = moh.create_moh_class(tenant, {"name": "Musique d'attente", "is_default": True})
    support = queues.create_queue(tenant, {"name": "Réclamations", "extension": "2100",
                                           "strategy": "longest-idle-agent", "moh_class_id": music.id})
    queues.set_agents(tenant, support, [_user(tenant, "1001").id])
    voicemail.create_shared_box(tenant, {"number": "8000", "name": "Répondeur Martin Sàrl", "pin": "135792"})
    conferences.create_room(tenant, {"number": "3000", "name": "Salle de conférence", "max_members": 5,
                                     "access_code": "424242"})
    menu = ivr.create_menu(tenant, {"name": "Français", "extension": MENU_NUMBER})
    ivr.set_entry(tenant, menu, {"digits": "1", "label": "Réclamations", "dest_type": "queue",
                                 "dest_id": support.id})
