"""Fax through the live switch. The far side is the same FreeSWITCH: an `originate` with `txfax` leaves
through the external profile towards the fax DID and comes back in as a carrier call (admitted by the
ACL), so the product's own dialplan runs `rxfax`. G.711 audio fax and T.38 are tested separately."""
import smtplib
import subprocess
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from live_fax_machine import FaxMachine
from live_records import CallHistory
from live_switch import find_freeswitch
from sqlalchemy import select

from centrex.demo.fax import DEMO_FAX_SECRET
from centrex.models import Fax

pytestmark = pytest.mark.live
FAX_DID = "+41215550190"
FAX_BOX_EMAIL = "claire.dumas@dupont.example"
SENDER = "+41229998877"
INSTALL = find_freeswitch()
TIFF = Path(__file__).resolve().parents[1] / "fixtures" / "freeswitch" / "fax" / "txfax-sent.tif"


def send_fax(live, *, t38: bool) -> str:
    """A fax machine at SENDER faxes TIFF (1 page) to the fax DID; returns the sending leg's UUID."""
    sender = str(uuid.uuid4())
    t38_flag = "true" if t38 else "false"
    variables = ",".join([
        f"origination_uuid={sender}", f"origination_caller_id_number={SENDER}",
        "origination_caller_id_name=FaxClient", f"fax_ident={SENDER}", "fax_header=ClientSA",
        f"fax_enable_t38={t38_flag}", "fax_enable_t38_request=false", "fax_use_ecm=true",
        "ignore_early_media=true", "originate_timeout=20", "rtp_timer_name=soft"])
    reply = live.switch.api(f"bgapi originate {{{variables}}}sofia/external/{FAX_DID}@{live.external} "
                            f"&txfax({TIFF})")
    assert "Job-UUID" in reply, reply
    return sender


def fax_mails(live, start: int) -> list:
    return [m for m in live.smtp.received[start:] if FAX_BOX_EMAIL in m.rcpt_tos]


def pdf_pages(message, tmp_path: Path) -> list[int]:
    pages = []
    for part in message.iter_attachments():
        if part.get_content_type() == "application/pdf":
            path = tmp_path / part.get_filename()
            path.write_bytes(part.get_content())
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
            pages.append(int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))))
    return pages


def receive_one_fax(live, tmp_path, *, t38: bool):
    live.at("2026-12-07 10:00")
    history = CallHistory(live)
    mails, log_offset = len(live.smtp.received), live.switch.log_size()
    sender = send_fax(live, t38=t38)
    received = live.wait_for(lambda: fax_mails(live, mails), 90, what="the fax e-mail")
    message = received[0].message
    assert "incomplet" not in message["Subject"].lower(), (message["Subject"], message.get_body().get_content())
    assert pdf_pages(message, tmp_path) == [1], message["Subject"]
    assert live.product.env["CENTREX_FAX_SPOOL"]
    assert (Path(live.product.env["CENTREX_FAX_SPOOL"]) / "dupont.example" / "in").is_dir()
    records, problems = history.settled(timeout=40)
    # the sending leg is the far side's (our own switch standing in for the caller's fax machine)
    problems = [p for p in problems if p["call_uuid"] != sender]
    mine = [r for r in records if r["call_uuid"] != sender]
    assert len(mine) == 1 and not problems, (mine, problems, history.legs())
    record = mine[0]
    assert (record["tenant"], record["direction"], record["did"]) == ("dupont.example", "inbound", FAX_DID)
    assert (record["caller_number"], record["fax_status"], record["fax_pages"]) == (SENDER, "ok", 1), record
    assert len(fax_mails(live, mails)) == 1  # exactly one e-mail
    # how the product's leg carried the fax, as spandsp reported it at the end of rxfax
    t38_status = [line.split()[-1] for line in live.switch.log_since(log_offset).splitlines()
                  if line.startswith(f"{record['call_uuid']} T38 status")]
    assert t38_status and t38_status[-1] == ("negotiated" if t38 else "refused"), t38_status
    return record


def test_an_audio_fax_to_the_fax_number_arrives_as_one_pdf_by_email(live, tmp_path):
    receive_one_fax(live, tmp_path, t38=False)


def test_a_t38_fax_to_the_fax_number_arrives_as_one_pdf_by_email(live, tmp_path):
    receive_one_fax(live, tmp_path, t38=True)


def email_a_fax(live, number: str = "0229998877") -> None:
    """Mme Dumas e-mails a short text to <number>@<fax domain> with the box's secret as the subject."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = FAX_BOX_EMAIL, f"{number}@fax.centrex.invalid", DEMO_FAX_SECRET
    mail.set_content("Bonjour,\nveuillez trouver notre offre.\nClaire Dumas")
    host, port = live.product.env["CENTREX_FAX_INTAKE_BIND"].rsplit(":", 1)

    def connected():  # the intake starts with the session's workers and may still be binding
        try:
            return smtplib.SMTP(host, int(port), timeout=60)
        except ConnectionRefusedError:
            return None
    with live.wait_for(connected, 20, what="the fax intake") as smtp:
        assert smtp.send_message(mail) == {}


def last_fax_out(live):
    with live.data() as session:
        fax = session.execute(select(Fax).where(Fax.direction == "out", Fax.remote_number == SENDER)
                              .order_by(Fax.id.desc())).scalars().first()
        return fax and (fax.id, fax.state, fax.attempts, fax.pages, fax.failure_reason, fax.next_attempt_at)


def test_an_email_to_fax_leaves_through_the_carrier_gateway(phones):
    """The fax call leaves through the carrier gateway from the fax number. The carrier is busy (a SIPp
    UAS), so the job waits for its next try, saying why; the call leaves one outbound record."""
    live = phones
    live.at("2026-12-07 10:00")
    carrier = live.carrier_answers("busy")
    history = CallHistory(live)
    email_a_fax(live)
    invite = live.wait_for(lambda: carrier.invites(), 60, what="the fax call at the carrier")[0]
    assert f"sip:{SENDER}@" in invite.first_line, invite.text
    assert FAX_DID in invite.header("From") and '"Dupont SA"' in invite.header("From"), invite.text
    _, state, attempts, _, reason, next_try = live.wait_for(
        lambda: (f := last_fax_out(live)) and f[2] == 1 and f[1] != "sending" and f, 30, what="the fax job")
    assert state == "converted" and next_try is not None, (state, reason)
    assert "BUSY" in (reason or "").upper(), reason
    record = history.one_record()
    assert (record["tenant"], record["direction"], record["did"]) == ("dupont.example", "outbound", None)
    assert (record["caller_number"], record["destination"]) == (FAX_DID, SENDER), record
    give_up_retries(live)  # its next try, minutes later, would dial the carrier in another test


def give_up_retries(live) -> None:
    """Take the test's fax jobs out of the dialling queue (they are the test's, not the next test's)."""
    with live.data() as session:
        for fax in session.execute(select(Fax).where(Fax.direction == "out", Fax.remote_number == SENDER,
                                                     Fax.state == "converted")).scalars():
            fax.state, fax.next_attempt_at, fax.failure_reason = "failed", None, "live test over"


def test_an_email_to_fax_reaches_a_fax_machine_behind_the_carrier(phones, tmp_path):
    """A second FreeSWITCH stands where the carrier is and receives with rxfax: the page arrives, the job
    is sent and Mme Dumas gets the report."""
    live = phones
    live.at("2026-12-07 10:00")
    live.carrier.stop()
    machine = FaxMachine(INSTALL, tmp_path / "faxmachine", live.carrier_port, live.port(), live.port() + 2000)
    try:
        machine.start()
        mails = len(live.smtp.received)
        email_a_fax(live)
        received = live.wait_for(machine.received, 90, what="the page at the fax machine")
        assert list(received.values()) == [1], received
        _, state, attempts, pages, reason, _ = live.wait_for(
            lambda: (f := last_fax_out(live)) and f[1] != "sending" and f, 30, what="the fax job")
        assert (state, attempts, pages) == ("sent", 1, 1), reason
        reports = live.wait_for(lambda: fax_mails(live, mails), 30, what="the report to the sender")
        assert len(reports) == 1, [m.message["Subject"] for m in reports]
    finally:
        machine.stop()
        live.carrier_answers()
