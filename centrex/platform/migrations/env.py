"""Alembic's environment: the app's database (the Flask app in context) and the models' metadata."""
from alembic import context
from flask import current_app

from centrex import models  # noqa: F401  every table registered on the metadata
from centrex.platform.db import db


def run_migrations_online() -> None:
    engine = db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            render_as_batch=engine.dialect.name == "sqlite",  # SQLite alters a table by copying it
            compare_type=True,
            process_revision_directives=_no_empty_revision,
        )
        with context.begin_transaction():
            context.run_migrations()


def _no_empty_revision(context_, revision, directives):
    """`flask db migrate` with no change writes no revision."""
    if getattr(context.config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported: run them against the database.")
assert current_app  # an app context: flask db …, flask init-db
run_migrations_online()
