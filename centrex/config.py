"""Settings from the environment (CENTREX_*), with generated secrets kept in the instance folder."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def _instance_secret(instance: Path, name: str, make) -> str:
    """Read a secret file of the instance folder, creating it (mode 600) on first use."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def settings_from_env(instance: Path, env=os.environ) -> dict:
    instance = Path(instance)
    get = env.get
    db_url = get("CENTREX_DATABASE_URL") or f"sqlite:///{instance / 'centrex.sqlite'}"
    return {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
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
        "MAX_REGISTRATIONS_PER_EXTENSION": int(get("CENTREX_MAX_REGISTRATIONS_PER_EXTENSION", "5")),
        "USER_RING_SECONDS": int(get("CENTREX_USER_RING_SECONDS", "30")),
        # Uploaded audio: where we write it, and the same directory as FreeSWITCH sees it (shared storage).
        "AUDIO_DIR": get("CENTREX_AUDIO_DIR") or str(instance / "audio"),
        "AUDIO_FS_DIR": get("CENTREX_AUDIO_FS_DIR") or get("CENTREX_AUDIO_DIR") or str(instance / "audio"),
        "AUDIO_RATE": int(get("CENTREX_AUDIO_RATE", "8000")),
        "QUEUE_AGENT_RING_SECONDS": int(get("CENTREX_QUEUE_AGENT_RING_SECONDS", "15")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": get("CENTREX_SECURE_COOKIES", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": int(get("CENTREX_SESSION_MINUTES", "60")) * 60,
    }
