"""Schema migrations (Alembic, driven by Flask-Migrate's `flask db …` or by `flask init-db`): the revisions
in versions/, one per schema change, the first equal to the schema of the first release.

`upgrade()` brings any database to the newest revision: an empty one is built revision by revision, one made
before migrations existed (tables but no alembic_version) is recognised as the baseline first. `at_head()`
says whether the database is at the newest revision (the readiness check)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from centrex.platform.db import db

MIGRATIONS = Path(__file__).resolve().parent
BASELINE = "0001"


def alembic_config() -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current() -> str | None:
    """The database's revision, read on a connection of its own (or on the connection the session is
    bound to, when it is one: a test's outer transaction)."""
    bind = db.session.get_bind()
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    with bind.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def at_head() -> bool:
    return current() == head()


def upgrade(revision: str = "head") -> None:
    """Needs an app context. A database made by `create_all` before migrations existed is stamped as the
    baseline (its schema is the baseline's) and then upgraded like any other."""
    config = alembic_config()
    if current() is None and inspect(db.engine).has_table("tenant"):
        command.stamp(config, BASELINE)
    command.upgrade(config, revision)
