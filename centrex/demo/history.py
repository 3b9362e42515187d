"""The demo's past (`flask load-demo --with-history`, used by `make run`): a week of office-hours calls for
Dupont SA and a few for Martin Sàrl, fed as CHANNEL_HANGUP_COMPLETE legs to the CDR journal and import
the ESL listener uses (centrex.calls.journal), voicemail messages recorded as the vm::maintenance handler
records them, and one received fax through centrex.fax.receive. Once only: the legs carry the node
DEMO_NODE, and a second load finds them. Flushes; the caller commits."""
from __future__ import annotations

import logging
import random
import tempfile
import uuid as uuidlib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from centrex.calls import journal
from centrex.demo.companies import DUPONT_MAIN, DUPONT_SALES, DUPONT_STAFF, MARTIN_MAIN, MARTIN_STAFF
from centrex.demo.legs import Call, legs
from centrex.demo.services import tone_wav
from centrex.fax import document as faxdoc
from centrex.fax.receive import Reception, record_reception
from centrex.freeswitch import fax_contract
from centrex.freeswitch.sync import remove_file_on_rollback
from centrex.models import CdrJournal, FaxBox, Tenant
from centrex.platform.db import db
from centrex.voicemail import messages as voicemail_messages

log = logging.getLogger("centrex.demo.history")
DEMO_NODE = "demo-history"  # the journal's node of the demo's legs (the listener writes host:port)
DAYS = 7
# Calls started in each hour of a weekday (office hours 08–12 and 14–18, busiest 9–11 and 14–16).
HOUR_WEIGHTS = {8: 2, 9: 5, 10: 5, 11: 3, 12: 1, 13: 1, 14: 4, 15: 4, 16: 3, 17: 2}
OUTSIDE = [("Fiduciaire Rochat", "+41215559999"), ("Garage du Lac", "+41216543210"),
           ("Commune de Morges", "+41218044411"), ("", "+41791112233"), ("", "+41764445566"),
           ("Imprimerie Favre", "+41323331122"), ("", "+33450123456"), ("Hôtel de la Gare", "+41273221100")]
KINDS = {"dupont.example": [("inbound", 34), ("inbound_missed", 8), ("voicemail", 8), ("outbound", 30),
                            ("internal", 15), ("internal_missed", 5)],
         "martin.example": [("inbound", 5), ("outbound", 3), ("internal", 2), ("voicemail", 1)]}
VOICEMAIL_MESSAGES = 4  # the newest calls to voicemail leave a message in the box


def history_loaded() -> bool:
    return db.session.execute(select(CdrJournal.id).where(CdrJournal.node == DEMO_NODE).limit(1)).first() \
        is not None


def _instants(rng: random.Random, now: datetime, per_weekday: int, per_weekend: int) -> list[datetime]:
    """Start times in the DAYS days before now, in the company's zone: weekdays in office hours,
    a few on weekends (the on-call service), none at night."""
    out = []
    hours, weights = list(HOUR_WEIGHTS), list(HOUR_WEIGHTS.values())
    for back in range(DAYS, -1, -1):
        day = (now - timedelta(days=back)).date()
        count = round((per_weekday if day.weekday() < 5 else per_weekend) * rng.uniform(0.7, 1.2))
        for hour in rng.choices(hours, weights, k=count):
            hour = hour if day.weekday() < 5 else rng.randint(9, 16)
            at = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59),
                          tzinfo=now.tzinfo)
            if now - timedelta(days=DAYS) <= at < now - timedelta(minutes=5):
                out.append(at)
    return sorted(out)


def week_of_calls(domain: str, staff: list, numbers: dict[str, str], now: datetime, seed: int) -> list[Call]:
    """A realistic week for one company: who called whom, when, and how it ended."""
    rng = random.Random(seed)
    kinds, weights = zip(*KINDS[domain])
    people = [(ext, name) for ext, name, *_ in staff]
    busy = domain == "dupont.example"
    calls = []
    for at in _instants(rng, now, 32 if busy else 3, 2 if busy else 0):
        kind = rng.choices(kinds, weights)[0]
        ext, name = rng.choice(people)
        talk, ring = rng.randint(25, 420), rng.randint(4, 18)
        if kind.startswith("internal"):
            other_ext, other_name = rng.choice([p for p in people if p[0] != ext])
            calls.append(Call(kind, domain, (name, ext), other_ext, at, ring, talk, callee_name=other_name))
        elif kind == "outbound":
            calls.append(Call(kind, domain, (name, ext), rng.choice(OUTSIDE)[1], at, ring, talk))
        else:  # from outside: the main number reaches the reception (1000), a direct line its user
            did = rng.choice(list(numbers))
            callee = numbers[did]
            callee_name = next(n for e, n in people if e == callee)
            length = rng.randint(8, 40) if kind == "voicemail" else talk
            calls.append(Call(kind, domain, rng.choice(OUTSIDE), callee, at, 20 if kind == "voicemail" else ring,
                              length, did=did, callee_name=callee_name))
    return calls


def _numbers(staff: list, main: str, extra: dict[str, str]) -> dict[str, str]:
    """DID -> the extension it rings (the main number: the reception)."""
    numbers = {main: "1000", **extra}
    numbers.update({direct: ext for ext, _, _, direct, _ in staff})
    return numbers


def _voicemail_message(tenant: Tenant, call: Call) -> str:
    """Record the message a voicemail call left, as the vm::maintenance handler does; its file path."""
    message_uuid = str(uuidlib.uuid4())
    switch_file = voicemail_messages.switch_path(tenant, call.callee, f"msg_{message_uuid}.wav")
    local = voicemail_messages.local_path_for(switch_file)
    seconds = min(call.talk, 6)  # the call also heard the greeting and the beep; a tone stands for the voice
    try:
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(tone_wav(494, seconds))
        remove_file_on_rollback(str(local))
    except OSError as exc:  # storage not writable here: the list still shows the message
        log.warning("demo voicemail recording %s not written: %s", local, exc)
    voicemail_messages.record_message(
        domain=tenant.domain, box=call.callee, message_uuid=message_uuid, caller_name=call.caller[0],
        caller_number=call.caller[1], file_path=switch_file, length_seconds=seconds,
        timestamp=int((call.at + timedelta(seconds=call.ring)).timestamp()))
    return switch_file


def _received_fax(tenant: Tenant, now: datetime) -> None:
    """One fax received on the fax number yesterday morning (a real G4 TIFF, as rxfax writes it)."""
    box = db.session.execute(select(FaxBox).where(FaxBox.tenant_id == tenant.id)).scalars().first()
    if box is None:
        return
    call_uuid = str(uuidlib.uuid4())
    tiff = fax_contract.tenant_dir(tenant.domain, "in") / f"{call_uuid}.tif"
    text = ("Fiduciaire Rochat\nAv. de la Gare 12, 1003 Lausanne\n\nA l'attention de Dupont SA\n\n"
            "Veuillez trouver ci-joint notre offre pour le bouclement annuel.\n\nMeilleures salutations")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "offre.ps"
        source.write_bytes(faxdoc.text_to_postscript(text, "Offre"))
        try:
            pages = faxdoc.documents_to_fax_tiff([source], tiff)
        except (faxdoc.DocumentError, OSError) as exc:
            log.warning("demo fax not rendered (Ghostscript?): %s", exc)
            return
    remove_file_on_rollback(str(tiff))
    at = (now - timedelta(days=1)).replace(hour=10, minute=17, second=5)
    record_reception(Reception(
        success=True, result_code=0, result_text="OK", pages=pages, total_pages=pages,
        remote_station_id="+41 21 555 99 98", transfer_rate=14400, call_uuid=call_uuid, box_id=box.id,
        tenant_id=tenant.id, caller_number="+41215559998", switch_filename=fax_contract.to_switch_path(tiff),
        at=at.astimezone(ZoneInfo("UTC"))))


def load_demo_history(now: datetime | None = None) -> dict:
    """The past of both demo companies (unless already loaded): {calls, legs, voicemail, fax}."""
    if history_loaded():
        return {"calls": 0, "legs": 0, "voicemail": 0, "fax": 0}
    tenants = {t.domain: t for t in db.session.execute(select(Tenant).where(
        Tenant.domain.in_(["dupont.example", "martin.example"]))).scalars()}
    dupont = _numbers(DUPONT_STAFF, DUPONT_MAIN, {DUPONT_SALES: "1002"})  # sales: Sophie Martin first
    plan: list[tuple[str, list, dict[str, str], int]] = [
        ("dupont.example", DUPONT_STAFF, dupont, 14),
        ("martin.example", MARTIN_STAFF, _numbers(MARTIN_STAFF, MARTIN_MAIN, {}), 15)]
    entries, calls, messages = [], 0, 0
    for domain, staff, numbers, seed in plan:
        tenant = tenants.get(domain)
        if tenant is None:
            continue
        local_now = (now or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(tenant.timezone))
        week = week_of_calls(domain, staff, numbers, local_now, seed)
        for call in sorted((c for c in week if c.kind == "voicemail"), key=lambda c: c.at)[-VOICEMAIL_MESSAGES:]:
            call.voicemail_file = _voicemail_message(tenant, call)
            messages += 1
        for call in week:
            if call.kind == "voicemail" and call.voicemail_file is None:
                call.voicemail_file = voicemail_messages.switch_path(tenant, call.callee, "msg_deleted.wav")
            entries += [journal.entry_from_plain(text, DEMO_NODE) for text in legs(call)]
        calls += len(week)
        if domain == "dupont.example":
            _received_fax(tenant, local_now)
    new_calls = journal.journal(entries)  # as esl_handlers.cdr_events: the journal, then the import
    journal.import_calls(new_calls, fresh=entries)
    return {"calls": calls, "legs": len(entries), "voicemail": messages, "fax": 1 if "dupont.example" in
            tenants else 0}
