"""A user's SIP account as a person sets up a phone by hand: user, domain, server, port, transport (from
the provisioning settings), the secret shown on request (audited, never reset), and the welcome e-mail
with a QR code for softphones, queued in the outbox."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import segno
from flask import current_app

from centrex.directory.users import reveal_secret
from centrex.models import OutboxMessage, User
from centrex.platform import audit, outbox
from centrex.platform.errors import N_, Invalid

PURPOSE = "welcome"


@dataclass(frozen=True)
class SipAccountView:
    user: str
    domain: str
    server: str
    port: int
    transport: str
    display_name: str
    password: str | None = field(default=None, repr=False)

    def uri(self) -> str:
        """RFC 3261 §19.1.1 form, with the password in the user part when it is known: what the QR holds."""
        who = f"{self.user}:{self.password}" if self.password else self.user
        return f"sip:{who}@{self.server}:{self.port};transport={self.transport}"


def sip_account(user: User) -> SipAccountView:
    """Where the user's phone registers: the operator's SBC when there is one, else the company's domain."""
    cfg = current_app.config
    domain = user.tenant.domain
    return SipAccountView(user=user.extension, domain=domain,
                          server=cfg.get("PROV_SIP_OUTBOUND_PROXY") or domain,
                          port=int(cfg.get("PROV_SIP_PORT", 5060)),
                          transport=cfg.get("PROV_SIP_TRANSPORT", "udp"), display_name=user.name)


def shown_secret(user: User) -> str:
    """The SIP secret as it is (no reset), for a person setting up a softphone; audited. Flushes."""
    audit.record("reveal_secret", user, tenant_id=user.tenant_id)
    return reveal_secret(user)


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=6, border=4)
    return out.getvalue()


def send_welcome(user: User) -> OutboxMessage:
    """Queue the welcome e-mail to the user's address: the account, its secret and the QR (audited as the
    secret being shown). Flushes; the caller commits."""
    if not user.email:
        raise Invalid(N_("%(name)s has no e-mail address."), name=user.name,
                      fields={"email": [N_("Required for the welcome e-mail.")]})
    account = sip_account(user)
    account = SipAccountView(**{**account.__dict__, "password": shown_secret(user)})
    qr = outbox.Attachment(filename=f"sip-{account.user}.png", data=qr_png(account.uri()),
                           content_type="image/png")
    subject = (f"Votre téléphone chez {user.tenant.name} / Your phone at {user.tenant.name}")
    return outbox.enqueue(user.tenant_id, user.email, subject, _body(account), [qr], purpose=PURPOSE,
                          ref=f"{user.tenant_id}/{user.id}")


def _body(a: SipAccountView) -> str:
    lines = (f"  Utilisateur / User name : {a.user}\n"
             f"  Domaine / Domain        : {a.domain}\n"
             f"  Serveur / Server        : {a.server}\n"
             f"  Port                    : {a.port}\n"
             f"  Transport               : {a.transport.upper()}\n"
             f"  Mot de passe / Password : {a.password}\n")
    return (f"Bonjour {a.display_name},\n\n"
            "Voici votre compte téléphonique. Un téléphone de bureau fourni par votre entreprise se configure "
            "tout seul ; pour un softphone, saisissez ces données ou scannez le code QR joint.\n\n"
            f"{lines}\n"
            "Gardez ce message pour vous : le mot de passe donne accès à votre ligne.\n\n"
            "-- \n\n"
            f"Hello {a.display_name},\n\n"
            "Here is your phone account. A desk phone from your company sets itself up; for a softphone, "
            "type these settings or scan the attached QR code.\n\n"
            f"{lines}\n"
            "Keep this message to yourself: the password gives access to your line.\n")
