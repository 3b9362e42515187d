"""Email to fax through the real SMTP intake (aiosmtpd, spoken to with smtplib): a good mail becomes faxes
with a fax TIFF; bad mails are refused with a clear SMTP answer and leave nothing behind."""
import smtplib
import subprocess
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from centrex.demo.fax import DEMO_FAX_NUMBER, DEMO_FAX_SECRET
from centrex.fax import boxes as fax_service, document as faxdoc
from centrex.models import AuditEntry, Fax, Tenant
from centrex.platform.db import db
from esl_handlers.fax_intake import start_intake
from smtp_server import free_port

pytestmark = pytest.mark.slow
DOMAIN = "fax.centrex.invalid"
SENDER = "claire.dumas@dupont.example"


@pytest.fixture
def intake(app, committed, fax_spool):
    from centrex.demo.companies import load_demo

    load_demo()
    committed.commit()
    saved = app.config["FAX_EMAIL_DOMAIN"]
    app.config["FAX_EMAIL_DOMAIN"] = DOMAIN
    controller = start_intake(app, f"127.0.0.1:{free_port()}")
    try:
        yield controller
    finally:
        controller.stop()
        app.config["FAX_EMAIL_DOMAIN"] = saved


def make_pdf(tmp_path, name, pages):
    ps = tmp_path / f"{name}.ps"
    ps.write_text("%!PS\n/Helvetica findfont 30 scalefont setfont\n" + "".join(
        f"72 700 moveto ({name} page {n}) show showpage\n" for n in range(1, pages + 1)))
    pdf = tmp_path / f"{name}.pdf"
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", f"-sOutputFile={pdf}",
                    str(ps)], check=True, capture_output=True)
    return pdf.read_bytes()


def mail(to, subject=DEMO_FAX_SECRET, sender=SENDER, body="Bonjour,\nVoici la facture n° 42.\n", files=()):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    msg.set_content(body)
    for name, ctype, data in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def send(controller, msg, to):
    with smtplib.SMTP(controller.hostname, controller.port, timeout=60) as smtp:
        return smtp.send_message(msg, to_addrs=to)


def refusal(controller, msg, to):
    with pytest.raises(smtplib.SMTPResponseException) as refused:
        send(controller, msg, to)
    return refused.value.smtp_code, refused.value.smtp_error.decode()


def nothing_left(session, spool):
    session.rollback()
    assert session.execute(select(Fax)).first() is None
    out = spool / "dupont.example" / "out"
    assert not out.exists() or list(out.iterdir()) == []


def test_good_mail_becomes_one_fax_per_number(intake, committed, fax_spool, tmp_path):
    to = [f"0225550201@{DOMAIN}", f"+41225550202@{DOMAIN}"]
    msg = mail(to, files=[("facture.pdf", "application/pdf", make_pdf(tmp_path, "facture", 2)),
                          ("annexe.pdf", "application/pdf", make_pdf(tmp_path, "annexe", 3))])
    assert send(intake, msg, to) == {}

    committed.rollback()
    faxes = committed.execute(select(Fax).order_by(Fax.id)).scalars().unique().all()
    assert [(f.direction, f.state, f.remote_number) for f in faxes] == \
        [("out", "converted", "+41225550201"), ("out", "converted", "+41225550202")]
    fax = faxes[0]
    assert (fax.local_number, fax.requested_by, fax.total_pages) == (DEMO_FAX_NUMBER, SENDER, 6)  # text + 2 + 3
    assert faxes[1].tiff_path == fax.tiff_path and fax.mail_ref == faxes[1].mail_ref
    assert fax.tiff_path.startswith(str(fax_spool / "dupont.example" / "out"))
    assert faxdoc.tiff_pages(fax.tiff_path) == 6
    info = subprocess.run(["tiffinfo", fax.tiff_path], capture_output=True, text=True).stdout
    assert "Resolution: 204, 196 pixels/inch" in info and "CCITT Group 4" in info
    audits = committed.execute(select(AuditEntry).where(AuditEntry.action == "submit")).scalars().all()
    assert {(a.actor, a.changes["to"]) for a in audits} == \
        {(f"email:{SENDER}", "+41225550201"), (f"email:{SENDER}", "+41225550202")}


def test_only_the_to_field_is_faxed(intake, committed, fax_spool):
    to, cc = f"0225550201@{DOMAIN}", f"0225550202@{DOMAIN}"
    msg = mail([to])
    msg["Cc"] = cc
    assert send(intake, msg, [to, cc]) == {}
    committed.rollback()
    assert [f.remote_number for f in committed.execute(select(Fax)).scalars().unique()] == ["+41225550201"]
    code, text = refusal(intake, mail([f"0225550203@{DOMAIN}"]), [cc])  # the number only in Bcc
    assert code == 554 and "No fax number in the To field" in text


def test_wrong_secret_is_refused(intake, committed, fax_spool):
    to = [f"0225550201@{DOMAIN}"]
    code, text = refusal(intake, mail(to, subject="not-the-secret"), to)
    assert code == 550 and "5.7.8" in text and "Wrong fax password" in text
    nothing_left(committed, fax_spool)


def test_repeated_wrong_secrets_are_slowed_down(intake, committed, fax_spool):
    from esl_handlers.fax_intake import GUESSES_ALLOWED

    to = [f"0225550201@{DOMAIN}"]
    for _ in range(GUESSES_ALLOWED):
        assert refusal(intake, mail(to, subject="guess"), to)[0] == 550
    code, text = refusal(intake, mail(to), to)  # even the right secret waits now
    assert code == 450 and "Too many tries" in text
    nothing_left(committed, fax_spool)


def test_a_sender_with_boxes_at_two_companies_faxes_from_the_one_its_secret_opens(app, intake, committed,
                                                                                 fax_spool):
    martin = committed.execute(select(Tenant).where(Tenant.domain == "martin.example")).scalar_one()
    with app.app_context():
        fax_service.create_box(martin, {"name": "Fax Claire", "sender_email": SENDER, "secret": "secret-de-martin"})
        db.session.commit()
    to = [f"0225550201@{DOMAIN}"]
    assert send(intake, mail(to), to) == {}  # Dupont's secret: Dupont's box, as before
    committed.rollback()
    fax = committed.execute(select(Fax)).scalars().one()
    assert fax.local_number == DEMO_FAX_NUMBER and committed.get(Tenant, fax.tenant_id).domain == "dupont.example"

    with app.app_context():  # both companies' boxes with one secret: which one is meant is unknown
        box = fax_service.boxes_of_sender(SENDER)[1]
        fax_service.update_box(box, {"secret": DEMO_FAX_SECRET})
        db.session.commit()
    code, answer = refusal(intake, mail(to), to)
    assert code == 550 and "plusieurs entreprises" in answer and "several companies" in answer


def test_unknown_sender_is_refused(intake, committed, fax_spool):
    to = [f"0225550201@{DOMAIN}"]
    for sender in ("admin@martin.example", "alain.dupont@dupont.example"):  # no box / not the box's sender
        code, text = refusal(intake, mail(to, sender=sender), to)
        assert code == 550 and "5.7.1" in text and "may not send faxes" in text
    nothing_left(committed, fax_spool)


def test_non_pdf_attachment_is_refused(intake, committed, fax_spool):
    to = [f"0225550201@{DOMAIN}"]
    for name, ctype, data in [("lettre.docx", "application/octet-stream", b"PK\x03\x04 word"),
                              ("faux.pdf", "application/pdf", b"MZ\x90\x00 not a pdf")]:
        code, text = refusal(intake, mail(to, files=[(name, ctype, data)]), to)
        assert code == 554 and "5.6.1" in text and name in text and "only PDF" in text
    nothing_left(committed, fax_spool)


def test_unreadable_pdf_is_refused(intake, committed, fax_spool):
    to = [f"0225550201@{DOMAIN}"]
    code, text = refusal(intake, mail(to, files=[("broken.pdf", "application/pdf", b"%PDF-1.4\ngarbage\n")]), to)
    assert code == 554 and "Unreadable document, nothing sent" in text
    nothing_left(committed, fax_spool)


def test_the_manuals_size_limits_are_the_defaults(tmp_path):
    from centrex.platform.config import settings_from_env

    settings = settings_from_env(tmp_path, env={})
    assert (settings["FAX_MAX_PDF_MB"], settings["FAX_MAX_MAIL_MB"]) == (20, 30)


def test_pdf_over_the_limit_and_mail_over_the_limit_are_refused(app, intake, committed, fax_spool):
    # The manual's 20 MB / 30 MB scaled down to 1 MB / 1.5 MB, so the test moves little data.
    app.config.update(FAX_MAX_PDF_MB=1, FAX_MAX_MAIL_MB=1.5)
    try:
        to = [f"0225550201@{DOMAIN}"]
        big_pdf = b"%PDF-1.4\n%" + b"x" * (1024 * 1024 + 10)
        code, text = refusal(intake, mail(to, files=[("gros.pdf", "application/pdf", big_pdf)]), to)
        assert code == 552 and "gros.pdf is larger than 1 MB" in text
        two = [(f"{n}.pdf", "application/pdf", b"%PDF-1.4\n%" + b"x" * 700_000) for n in ("a", "b")]
        code, text = refusal(intake, mail(to, files=two), to)
        assert code == 552 and "Message too big (max. 1.5 MB)" in text
    finally:
        app.config.update(FAX_MAX_PDF_MB=20, FAX_MAX_MAIL_MB=30)
    nothing_left(committed, fax_spool)


def test_bad_recipients_are_refused_at_rcpt(intake, committed, fax_spool):
    for rcpt, code, words in [("0225550201@example.org", 550, "Only <number>@"),
                              (f"facture@{DOMAIN}", 553, "not a valid fax number")]:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(intake, mail([rcpt]), [rcpt])
        got_code, got_text = refused.value.recipients[rcpt]
        assert got_code == code and words in got_text.decode()
    rcpt = f"123@{DOMAIN}"  # syntax passes RCPT; not a valid number for the tenant's country at DATA
    code, text = refusal(intake, mail([rcpt]), [rcpt])
    assert code == 553 and "123: numéro de fax invalide" in text
    nothing_left(committed, fax_spool)


@pytest.mark.parametrize("number, reason", [
    ("0900123456", "premium-rate numbers are refused for the company"),     # premium (+41900…)
    ("00881612345678", "numbers starting with +881 are blocked for the company"),  # Dupont blocks satellites
    ("0033142685300", "Claire Dumas may not call international numbers"),    # beyond the sender's class
])
def test_a_fax_the_companys_call_rights_refuse_is_bounced_with_the_reason(intake, committed, fax_spool, number,
                                                                          reason):
    """Audit finding 2: any valid number was queued, whatever the company's rules."""
    to = [f"{number}@{DOMAIN}"]
    code, text = refusal(intake, mail(to), to)
    assert code == 550 and "5.7.1" in text and reason in text, text
    nothing_left(committed, fax_spool)


def test_no_fax_leaves_a_suspended_company_or_one_whose_licence_lacks_fax(intake, committed, fax_spool):
    from centrex.models import Tenant
    from centrex.tenants.licences import set_features

    dupont = committed.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    to = [f"0225550201@{DOMAIN}"]
    set_features(dupont, {"ivr", "queues"})
    committed.commit()
    code, text = refusal(intake, mail(to), to)
    assert code == 550 and "licence does not include fax" in text
    set_features(dupont, {"ivr", "queues", "fax"})
    dupont.status = "suspended"
    committed.commit()
    code, text = refusal(intake, mail(to), to)
    assert code == 550 and "the company is suspended" in text
    nothing_left(committed, fax_spool)
