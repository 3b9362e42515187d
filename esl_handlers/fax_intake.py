"""Email to fax: an SMTP server (aiosmtpd) taking mail to <fax number>@<fax domain> from a fax box's
sender address with the box's secret as the subject. The body and the PDF attachments become one fax
TIFF (Ghostscript) and one fax per number, queued for the worker to dial.

Every refusal is an SMTP answer at the end of DATA (the sender's own server turns it into a bounce), and
a mail is only accepted ("250") once its faxes are committed: nothing is sent for a refused mail, and
nothing accepted is lost. Started by the ESL service (`start_intake(app)`) or on its own
(`flask fax-intake`)."""
from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import re
import shutil
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from email.utils import getaddresses

import click
from aiosmtpd.controller import Controller
from flask import Flask, current_app

from centrex.fax import boxes as fax_boxes, document as faxdoc, send as fax_send
from centrex.freeswitch import fax_contract
from centrex.models import Tenant
from centrex.platform.audit import Actor
from centrex.platform.db import db
from centrex.platform.errors import Invalid
from centrex.platform.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

MB = 1024 * 1024
GUESSES_ALLOWED, GUESS_WINDOW = 5, 900  # wrong secrets per sender address per 15 minutes
MAX_NUMBERS = 20
_NUMBER_RE = re.compile(r"^\+?[0-9][0-9 ().\-/]{2,30}$")


class Refused(Exception):
    """A mail we will not fax; `answer` is the SMTP reply (code, enhanced code, French / English)."""

    def __init__(self, answer: str):
        super().__init__(answer)
        self.answer = answer


@dataclass(frozen=True)
class Accepted:
    fax_ids: list[int]
    pages: int


def accept_mail(raw: bytes, rcpt_tos: list[str], guesses: Guesses | None = None) -> Accepted:
    """Check, convert and queue one mail (commits), or raise Refused. Needs an app context."""
    guesses = guesses or Guesses()
    max_mail, max_pdf = current_app.config["FAX_MAX_MAIL_MB"], current_app.config["FAX_MAX_PDF_MB"]
    if len(raw) > max_mail * MB:
        raise Refused(f"552 5.3.4 E-mail trop grand (max. {max_mail:g} MB) / "
                      f"Message too big (max. {max_mail:g} MB)")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = _sender(message)
    boxes = fax_boxes.boxes_of_sender(sender) if sender else []
    if not boxes:
        raise Refused(f"550 5.7.1 {sender or 'Cet expéditeur'} n'est pas autorisé à envoyer des fax / "
                      "This sender may not send faxes")
    if guesses.blocked(sender):
        raise Refused("450 4.7.1 Trop d'essais, réessayez dans 15 minutes / Too many tries, wait 15 minutes")
    opened = fax_boxes.opened_by(boxes, str(message.get("Subject", "")).strip())
    if not opened:
        guesses.failed(sender)
        raise Refused("550 5.7.8 Mot de passe fax incorrect (objet du message) / "
                      "Wrong fax password (message subject)")
    if len(opened) > 1:  # two companies gave this address boxes with the same secret: which one is unknown
        raise Refused("550 5.7.1 Ce mot de passe ouvre des boîtes fax de plusieurs entreprises, changez-le / "
                      "This password opens fax boxes of several companies: change it")
    box = opened[0]
    tenant = db.session.get(Tenant, box.tenant_id)
    numbers = _numbers(_to_only(message, rcpt_tos), tenant.country)
    for number in numbers:  # the company's rules, as for a call its user dials: all or nothing is sent
        refused = fax_send.refusal(tenant, sender, number)
        if refused is not None:
            raise Refused(f"550 5.7.1 Fax refusé vers {number} : {refused[0]} / "
                          f"Fax refused to {number}: {refused[1]}")
    body, pdfs = _contents(message, max_pdf)
    if not body.strip() and not pdfs:
        raise Refused("554 5.6.0 Rien à faxer: ni texte ni PDF / Nothing to fax: no text and no PDF")

    mail_ref = uuid.uuid4().hex
    out_dir = fax_contract.tenant_dir(tenant.domain, "out")
    work = out_dir / f"mail-{mail_ref}"
    work.mkdir()
    tiff = out_dir / f"mail-{mail_ref}.tif"
    try:
        documents = []
        if body.strip():
            documents.append(work / "0-message.ps")
            documents[-1].write_bytes(faxdoc.text_to_postscript(body))
        for index, (_, data) in enumerate(pdfs, 1):
            documents.append(work / f"{index}.pdf")
            documents[-1].write_bytes(data)
        try:
            pages = faxdoc.documents_to_fax_tiff(documents, tiff)
        except faxdoc.DocumentError as exc:
            raise Refused(f"554 5.6.0 Document illisible, rien n'est envoyé / "
                          f"Unreadable document, nothing sent: {exc}") from exc
        with unit_of_work(Actor(f"email:{sender}")):
            faxes = fax_send.submit(box, sender, numbers, tiff, pages, mail_ref)
    except BaseException:
        db.session.rollback()
        tiff.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("Email to fax from %s (box %s): %s page(s) to %s", sender, box.id, pages, ", ".join(numbers))
    return Accepted([f.id for f in faxes], pages)


class Guesses:
    """Wrong fax passwords per sender address in a sliding window (one process: one intake)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._times: dict[str, list[float]] = {}

    def _recent(self, sender: str) -> list[float]:
        now = time.monotonic()
        times = [t for t in self._times.get(sender, []) if now - t < GUESS_WINDOW]
        self._times[sender] = times
        return times

    def blocked(self, sender: str) -> bool:
        with self._lock:
            return len(self._recent(sender)) >= GUESSES_ALLOWED

    def failed(self, sender: str) -> None:
        with self._lock:
            self._recent(sender).append(time.monotonic())



def _sender(message) -> str | None:
    addresses = [addr for _, addr in getaddresses(message.get_all("From", [])) if "@" in addr]
    return addresses[0].strip().lower() if len(addresses) == 1 else None


def _to_only(message, rcpt_tos: list[str]) -> list[str]:
    """The fax numbers of the To field: copies (Cc, Bcc) are not faxed, as the client's manual says."""
    in_to = {addr.lower() for _, addr in getaddresses(message.get_all("To", []))}
    numbers = [rcpt for rcpt in rcpt_tos if rcpt.lower() in in_to]
    if not numbers:
        raise Refused("554 5.1.3 Aucun numéro de fax dans le champ À (Cc et Cci ne sont pas faxés) / "
                      "No fax number in the To field (Cc and Bcc are not faxed)")
    return numbers


def _numbers(rcpt_tos: list[str], country: str) -> list[str]:
    numbers: list[str] = []
    for rcpt in rcpt_tos:
        local = rcpt.rpartition("@")[0]
        try:
            number = fax_send.fax_number(local, country)
        except Invalid as exc:
            raise Refused(f"553 5.1.3 {local}: numéro de fax invalide / not a valid fax number") from exc
        if number not in numbers:
            numbers.append(number)
    return numbers


def _contents(message, max_pdf_mb: float) -> tuple[str, list[tuple[str, bytes]]]:
    """The text to fax (the plain body) and the PDF attachments; any other attachment is refused."""
    body_part = message.get_body(preferencelist=("plain",))
    body = body_part.get_content() if body_part is not None else ""
    pdfs = []
    for part in message.walk():
        if part.is_multipart() or part is body_part:
            continue
        filename = part.get_filename()
        if not (part.is_attachment() or filename):
            continue  # the HTML twin of the body, inline pictures without a name
        name = filename or part.get_content_type()
        data = part.get_payload(decode=True) or b""
        if not faxdoc.is_pdf(data):
            raise Refused(f"554 5.6.1 Pièce jointe refusée, seuls les PDF sont faxés: {name} / "
                          f"Attachment refused, only PDF files are faxed: {name}")
        if len(data) > max_pdf_mb * MB:
            raise Refused(f"552 5.3.4 {name} dépasse {max_pdf_mb:g} MB / "
                          f"{name} is larger than {max_pdf_mb:g} MB")
        pdfs.append((name, data))
    return body, pdfs


class FaxIntakeHandler:
    """aiosmtpd handler: recipients are checked at RCPT, the mail at the end of DATA (in a thread)."""

    def __init__(self, app: Flask):
        self.app = app
        self.domain = app.config["FAX_EMAIL_DOMAIN"].lower()
        self.guesses = Guesses()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        local, _, domain = address.rpartition("@")
        if domain.lower() != self.domain:
            return f"550 5.1.2 Seules les adresses <numéro>@{self.domain} sont acceptées / " \
                   f"Only <number>@{self.domain} addresses are accepted"
        if not _NUMBER_RE.match(local):
            return f"553 5.1.3 {local}: numéro de fax invalide / not a valid fax number"
        if len(envelope.rcpt_tos) >= MAX_NUMBERS:
            return f"452 4.5.3 Trop de destinataires (max. {MAX_NUMBERS}) / Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        loop = asyncio.get_running_loop()
        raw = bytes(envelope.original_content or envelope.content)
        return await loop.run_in_executor(None, self._process, raw, list(envelope.rcpt_tos))

    def _process(self, raw: bytes, rcpt_tos: list[str]) -> str:
        with self.app.app_context():
            try:
                accepted = accept_mail(raw, rcpt_tos, self.guesses)
            except Refused as refusal:
                log.info("Email to fax refused: %s", refusal.answer)
                return refusal.answer
            except Exception:  # noqa: BLE001 - never lose an accepted mail: the sender's server retries
                log.exception("Email to fax failed; answered 451")
                return "451 4.3.0 Erreur temporaire, réessayez plus tard / Temporary error, try again later"
            finally:
                db.session.remove()
        return (f"250 2.0.0 Fax accepté: {accepted.pages} page(s) vers {len(accepted.fax_ids)} numéro(s) / "
                f"Fax queued: {accepted.pages} page(s) to {len(accepted.fax_ids)} number(s)")


def start_intake(app: Flask, bind: str | None = None) -> Controller:
    """Start the SMTP intake in a background thread; `stop()` the returned controller to end it."""
    host, _, port = (bind or app.config["FAX_INTAKE_BIND"]).rpartition(":")
    controller = Controller(FaxIntakeHandler(app), hostname=host or "127.0.0.1", port=int(port),
                            # a hard cap above ours, so that our answer (with the limit) comes first
                            data_size_limit=int((app.config["FAX_MAX_MAIL_MB"] + 10) * MB),
                            enable_SMTPUTF8=True,
                            ident="Centrex fax intake")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command chatter
    controller.start()
    log.info("Email-to-fax intake listening on %s:%s for *@%s", controller.hostname, controller.port,
             app.config["FAX_EMAIL_DOMAIN"])
    return controller


def register_cli(app: Flask) -> None:
    @app.cli.command("fax-intake")
    @click.option("--bind", help="host:port (default CENTREX_FAX_INTAKE_BIND).")
    def fax_intake(bind):
        """Run the email-to-fax SMTP intake until stopped."""
        controller = start_intake(current_app._get_current_object(), bind)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"Email-to-fax intake on {controller.hostname}:{controller.port}")
        stop.wait()
        controller.stop()
