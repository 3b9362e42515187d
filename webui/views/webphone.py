"""« Téléphone »: the employee's browser as one more phone of their extension (JsSIP over the internal
profile's secure WebSocket, WebRTC media). The page gets the user's digest HA1 and realm, never the SIP
secret; its Content-Security-Policy lets it open that one WebSocket and nothing else."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, render_template, url_for
from flask_babel import gettext as _

from centrex.models import CallRecord, User
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from centrex.voicemail import messages as voicemail_messages
from webui.access import USER, allow
from webui.console import SECURITY_HEADERS
from webui.views import me
from webui.views.calls import filtered
from webui.views.presence import POLL_SECONDS, colleagues, state_labels

RECENT_CALLS = 10
VOICEMAIL_SHOWN = 5
DEFAULT_WSS_PORT = 7443


def wss_url(user: User) -> str:
    """CENTREX_WEBPHONE_WSS_URL, else the SIP server phones use (outbound proxy or domain) on port 7443."""
    cfg = current_app.config
    host = cfg.get("PROV_SIP_OUTBOUND_PROXY") or user.tenant.domain
    return cfg.get("WEBPHONE_WSS_URL") or f"wss://{host.split(':')[0]}:{DEFAULT_WSS_PORT}"


def content_security_policy(url: str) -> str:
    """The console's policy plus the phone's WebSocket origin (and no other connection)."""
    parts = urlsplit(url)
    return SECURITY_HEADERS["Content-Security-Policy"] + f"; connect-src 'self' {parts.scheme}://{parts.netloc}"


def phone_labels() -> dict[str, str]:
    """What the script writes on the page, in the console's language."""
    return {
        "connecting": _("Connecting…"), "registered": _("Ready: calls to your extension ring here too."),
        "unregistered": _("Not connected."), "failed": _("Could not connect to the telephone system."),
        "calling": _("Calling %(who)s…"), "ringing": _("Incoming call from %(who)s"),
        "in_call": _("On the phone with %(who)s"), "held": _("On hold: %(who)s"), "ended": _("Call ended."),
        "no_microphone": _("The browser gave no microphone: allow it for this site."),
        "transfer_to": _("Transfer to which number?"), "transferred": _("Call transferred."),
        "consulting": _("With %(who)s; your other call waits on hold."),
        "notification": _("Incoming call"),
    }


@me.bp.get("/phone")
@allow(USER)
def web_phone():
    user = me.own_user()
    url = wss_url(user)
    recent = db.session.execute(
        filtered(scoped(CallRecord, user.tenant_id), dict.fromkeys(("since", "until", "number", "direction", "tenant"),
                                                                   "") | {"extension": user.extension}, ZoneInfo("UTC"))
        .order_by(CallRecord.started_at.desc(), CallRecord.id.desc()).limit(RECENT_CALLS)).scalars().all()
    people = [(u, state) for u, state in colleagues(user.tenant_id) if u.id != user.id]
    messages = voicemail_messages.messages_of_user(user)
    response = current_app.make_response(render_template(
        "console/me/phone.html", user=user, people=people, labels=state_labels(), recent=recent,
        poll_url=url_for("me.my_colleagues_json"), poll_seconds=POLL_SECONDS, phone_labels=phone_labels(),
        account_url=url_for("me.web_phone_account"), messages=messages[:VOICEMAIL_SHOWN],
        unread=sum(1 for m in messages if m.read_at is None)))
    response.headers["Content-Security-Policy"] = content_security_policy(url)
    return response


@me.bp.get("/phone/account.json")
@allow(USER)
def web_phone_account():
    """What JsSIP needs to register as the user: URI, realm and HA1 (digest without the secret)."""
    user = me.own_user()
    domain = user.tenant.domain
    response = jsonify(uri=f"sip:{user.extension}@{domain}", realm=domain, ha1=user.sip_a1_hash,
                       authorization_user=user.extension, display_name=user.name, wss_url=wss_url(user))
    response.headers["Cache-Control"] = "no-store"
    return response
