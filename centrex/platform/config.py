"""Settings from the environment (CENTREX_*), with generated secrets kept in the instance folder."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet


def _instance_secret(instance: Path, name: str, make) -> str:
    """Read a secret file of the instance folder, creating it (mode 600) on first use."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # Written to a private temporary file, then linked in place: two workers starting together both
        # end up with the one file that won, never with a half-written one.
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=instance)  # mode 600
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def instance_folder(env=os.environ) -> Path:
    """The instance folder (secrets, audio, metrics, heartbeats): CENTREX_INSTANCE, else instance/ of the clone."""
    return Path(env.get("CENTREX_INSTANCE") or Path(__file__).resolve().parents[2] / "instance")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def settings_from_env(instance: Path, env=os.environ) -> dict:
    instance = Path(instance)
    get = env.get
    db_url = get("CENTREX_DATABASE_URL") or f"sqlite:///{instance / 'centrex.sqlite'}"
    return {
        "SQLALCHEMY_DATABASE_URI": db_url,
        # No pool_pre_ping: centrex.platform.db pings only connections that sat idle (one round trip less per request).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": get("CENTREX_SECRET_KEY") or _instance_secret(
            instance, "flask_secret_key", lambda: secrets.token_urlsafe(48)),
        "SIP_SECRET_KEY": get("CENTREX_SIP_SECRET_KEY") or _instance_secret(
            instance, "sip_secret.key", lambda: Fernet.generate_key().decode()),
        # mod_xml_curl's gateway-credentials and the addresses FreeSWITCH posts from.
        "XMLCURL_USERNAME": get("CENTREX_XMLCURL_USERNAME", "freeswitch"),
        "XMLCURL_PASSWORD": get("CENTREX_XMLCURL_PASSWORD") or _instance_secret(
            instance, "xmlcurl_password", lambda: secrets.token_urlsafe(18)),
        "XMLCURL_ALLOWED_NETWORKS": _split(get("CENTREX_XMLCURL_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")),
        # FreeSWITCH nodes for the event socket: host:port:password, comma separated.
        "ESL_NODES": _split(get("CENTREX_ESL_NODES", "127.0.0.1:8021:ClueCon")),
        # Cluster deployment: Kamailio's host:port; users are then called through it (README "Scaling out").
        "SIP_EDGE": get("CENTREX_SIP_EDGE", ""),
        "MAX_REGISTRATIONS_PER_EXTENSION": int(get("CENTREX_MAX_REGISTRATIONS_PER_EXTENSION", "5")),
        # Per-process cache of directory/dialplan answers, invalidated by PostgreSQL NOTIFY (off on SQLite).
        "ANSWER_CACHE": get("CENTREX_ANSWER_CACHE", "1") == "1",
        "USER_RING_SECONDS": int(get("CENTREX_USER_RING_SECONDS", "30")),
        # Shortest voicemail PIN (FreeSWITCH's vm-a1-hash gives a 4-digit PIN back in under a second).
        "VM_PIN_MIN_DIGITS": max(4, min(10, int(get("CENTREX_VM_PIN_MIN_DIGITS", "6")))),
        # Uploaded audio: where we write it, and the same directory as FreeSWITCH sees it (shared storage).
        "AUDIO_DIR": get("CENTREX_AUDIO_DIR") or str(instance / "audio"),
        "AUDIO_FS_DIR": get("CENTREX_AUDIO_FS_DIR") or get("CENTREX_AUDIO_DIR") or str(instance / "audio"),
        "AUDIO_RATE": int(get("CENTREX_AUDIO_RATE", "8000")),
        # Longest converted sound, and what each company's audio files may take on disk.
        "AUDIO_MAX_MINUTES": int(get("CENTREX_AUDIO_MAX_MINUTES", "15")),
        "AUDIO_QUOTA_MB": int(get("CENTREX_AUDIO_QUOTA_MB", "200")),
        # Whole request bodies (a 16 MB audio upload and its form): larger ones are refused with 413
        # before they are read.
        "MAX_CONTENT_LENGTH": int(get("CENTREX_MAX_REQUEST_MB", "20")) * 1024 * 1024,
        "QUEUE_AGENT_RING_SECONDS": int(get("CENTREX_QUEUE_AGENT_RING_SECONDS", "15")),
        # Call routing: the operator's carrier gateway (sofia gateway name) and the country its DIDs are in.
        "CARRIER_GATEWAY": get("CENTREX_CARRIER_GATEWAY", "carrier"),
        "CARRIER_COUNTRY": get("CENTREX_CARRIER_COUNTRY", "CH"),
        "EXTERNAL_MIN_RING_SECONDS": int(get("CENTREX_EXTERNAL_MIN_RING_SECONDS", "20")),
        "ROUTING_HOP_LIMIT": int(get("CENTREX_ROUTING_HOP_LIMIT", "12")),
        # The operator's SMTP server (fax to email, voicemail to email, notices) and the email outbox.
        "SMTP_HOST": get("CENTREX_SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(get("CENTREX_SMTP_PORT", "25")),
        "SMTP_USER": get("CENTREX_SMTP_USER", ""),
        "SMTP_PASSWORD": get("CENTREX_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": get("CENTREX_SMTP_STARTTLS", "0") == "1",
        "SMTP_TIMEOUT": float(get("CENTREX_SMTP_TIMEOUT", "60")),
        "SMTP_SENDER": get("CENTREX_SMTP_SENDER", "Centrex <noreply@centrex.invalid>"),
        "OUTBOX_MAX_ATTEMPTS": int(get("CENTREX_OUTBOX_MAX_ATTEMPTS", "6")),
        "OUTBOX_RETRY_SECONDS": float(get("CENTREX_OUTBOX_RETRY_SECONDS", "60")),
        "OUTBOX_LEASE_SECONDS": float(get("CENTREX_OUTBOX_LEASE_SECONDS", "300")),
        # Fax: the per-tenant spool as FreeSWITCH sees it and as we see it (same path when on one host).
        "FAX_SPOOL": get("CENTREX_FAX_SPOOL", str(instance / "fax")),
        "FAX_SPOOL_LOCAL": get("CENTREX_FAX_SPOOL_LOCAL", ""),
        # mod_voicemail's storage ("<storage-dir>/voicemail"), as FreeSWITCH names it in its events and as
        # we read it (same path on one host, or the mount of the shared volume): listening in the console.
        "VOICEMAIL_STORAGE": get("CENTREX_VOICEMAIL_STORAGE", str(instance / "voicemail")),
        "VOICEMAIL_STORAGE_LOCAL": get("CENTREX_VOICEMAIL_STORAGE_LOCAL", ""),
        "FAX_RETENTION_DAYS": int(get("CENTREX_FAX_RETENTION_DAYS", "90")),
        "FAX_EMAIL_DOMAIN": get("CENTREX_FAX_EMAIL_DOMAIN", "fax.centrex.invalid"),
        "FAX_INTAKE_BIND": get("CENTREX_FAX_INTAKE_BIND", "127.0.0.1:2525"),
        "FAX_MAX_PDF_MB": float(get("CENTREX_FAX_MAX_PDF_MB", "20")),  # per attachment (the client's manual)
        "FAX_MAX_MAIL_MB": float(get("CENTREX_FAX_MAX_MAIL_MB", "30")),  # per mail
        "FAX_GATEWAY": get("CENTREX_FAX_GATEWAY", "carrier"),
        "FAX_DIAL_ATTEMPTS": int(get("CENTREX_FAX_DIAL_ATTEMPTS", "3")),
        "FAX_DIAL_RETRY_SECONDS": float(get("CENTREX_FAX_DIAL_RETRY_SECONDS", "300")),
        # Desk phone provisioning (provisioning/): where phones register and fetch, and the lockout policy.
        "PROV_BASE_URL": get("CENTREX_PROV_BASE_URL", ""),  # e.g. https://prov.example.net/prov
        "PROV_SIP_OUTBOUND_PROXY": get("CENTREX_PROV_SIP_OUTBOUND_PROXY", ""),  # the operator's SBC
        "PROV_SIP_PORT": int(get("CENTREX_PROV_SIP_PORT", "5060")),
        "PROV_SIP_TRANSPORT": get("CENTREX_PROV_SIP_TRANSPORT", "udp"),
        "PROV_NTP_SERVER": get("CENTREX_PROV_NTP_SERVER", "pool.ntp.org"),
        "PROV_VOICEMAIL_NUMBER": get("CENTREX_PROV_VOICEMAIL_NUMBER", "*97"),
        "PROV_PICKUP_PREFIX": get("CENTREX_PROV_PICKUP_PREFIX", "**"),
        "PROV_PARK_PREFIX": get("CENTREX_PROV_PARK_PREFIX", "*6"),  # + slot 1-9: call park (park keys)
        # Set in every phone file rather than left to the firmware (provisioning/yealink.py, snom.py).
        "PROV_REGISTER_EXPIRY": int(get("CENTREX_PROV_REGISTER_EXPIRY", "600")),
        "PROV_DTMF": get("CENTREX_PROV_DTMF", "rfc2833"),  # rfc2833, sip_info or inband
        "PROV_CODECS": tuple(c.strip() for c in get("CENTREX_PROV_CODECS", "g722,pcma,pcmu").split(",") if c.strip()),
        "PROV_SRTP": get("CENTREX_PROV_SRTP", "off"),  # off, optional or mandatory
        "PROV_SOFIA_PROFILE": get("CENTREX_PROV_SOFIA_PROFILE", "internal"),
        "PROV_BOOTSTRAP_HOURS": int(get("CENTREX_PROV_BOOTSTRAP_HOURS", "24")),
        "PROV_LOCKOUT_FAILURES": int(get("CENTREX_PROV_LOCKOUT_FAILURES", "20")),
        "PROV_LOCKOUT_WINDOW_SECONDS": int(get("CENTREX_PROV_LOCKOUT_WINDOW_SECONDS", "600")),
        "PROV_LOCKOUT_SECONDS": int(get("CENTREX_PROV_LOCKOUT_SECONDS", "900")),
        # The console's web phone: the secure WebSocket of the internal profile (wss-binding), e.g.
        # wss://sip.example.net:7443; empty = wss://<outbound proxy or the company's domain>:7443.
        "WEBPHONE_WSS_URL": get("CENTREX_WEBPHONE_WSS_URL", ""),
        # JSON API (webui/api): requests per minute of a new token, and webhook delivery.
        "API_RATE_LIMIT_PER_MINUTE": int(get("CENTREX_API_RATE_LIMIT_PER_MINUTE", "120")),
        "WEBHOOK_TIMEOUT": float(get("CENTREX_WEBHOOK_TIMEOUT", "10")),
        "WEBHOOK_MAX_ATTEMPTS": int(get("CENTREX_WEBHOOK_MAX_ATTEMPTS", "8")),
        "WEBHOOK_RETRY_SECONDS": float(get("CENTREX_WEBHOOK_RETRY_SECONDS", "30")),
        # Off in production: a tenant's webhook must not reach the operator's own network.
        "WEBHOOK_ALLOW_PRIVATE": get("CENTREX_WEBHOOK_ALLOW_PRIVATE", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": get("CENTREX_SECURE_COOKIES", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": int(get("CENTREX_SESSION_MINUTES", "60")) * 60,
    }
