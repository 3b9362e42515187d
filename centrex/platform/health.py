"""What /readyz checks, each in milliseconds: the database answers, the answer cache listens for
configuration changes (where it is on), and the schema is at the newest migration."""
from __future__ import annotations

from sqlalchemy import text

from centrex.platform.answer_cache import cache
from centrex.platform.db import db


def migrations_at_head() -> bool:
    """True when the database's schema is at the newest migration (Alembic's current revision = head)."""
    from centrex.platform import migrations

    try:
        return migrations.at_head()
    except Exception:  # noqa: BLE001 - an unreadable version table is "not at head", not a 500
        return False


def database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False


def readiness() -> dict[str, str]:
    """Each check's state ("ok" or why not); ready when every one is "ok" or "off"."""
    database = database_reachable()
    return {
        "database": "ok" if database else "unreachable",
        "answer_cache": cache.state() if database else "unknown",
        "migrations": ("ok" if migrations_at_head() else "behind") if database else "unknown",
    }


def ready(checks: dict[str, str]) -> bool:
    return all(state in ("ok", "off") for state in checks.values())
