"""Schema migrations (Alembic): an empty database upgraded revision by revision has exactly the models'
schema, on PostgreSQL and SQLite; every revision downgrades and upgrades again; a database of the first
release, full of data, upgrades with nothing lost; a database made before migrations is recognised."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from centrex.platform import migrations
from centrex.platform.db import db
from conftest import TEST_SIP_KEY
from wsgi import create_app

DEMO_AT_BASELINE = Path(__file__).resolve().parent / "fixtures" / "migrations" / "demo_at_0001.sql"
ADMIN_URL = os.environ.get("CENTREX_TEST_PG_ADMIN_URL")


def fresh_postgres(name: str) -> str:
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["postgresql", "sqlite"])
def two_databases(request, tmp_path):
    """Two empty databases of one kind: one for the migrations, one for the models' create_all."""
    if request.param == "postgresql":
        if not ADMIN_URL:
            pytest.skip("needs PostgreSQL (run through `make test`)")
        return fresh_postgres("centrex_migrated"), fresh_postgres("centrex_created")
    return f"sqlite:///{tmp_path / 'migrated.sqlite'}", f"sqlite:///{tmp_path / 'created.sqlite'}"


def app_on(url: str, tmp_path: Path):
    return create_app({"TESTING": True, "ANSWER_CACHE": False, "SQLALCHEMY_DATABASE_URI": url,
                       "SECRET_KEY": "migration-test", "SIP_SECRET_KEY": TEST_SIP_KEY})


def revisions_in_order() -> list[str]:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def schema_of(url: str) -> dict:
    """What a database's catalogue says of every table: columns, keys, indexes, constraints."""
    engine = create_engine(url)
    found = {}
    try:
        inspector = inspect(engine)
        for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
            found[table] = {
                # a column a revision adds comes last, create_all puts it where the model has it: order aside
                "columns": sorted((c["name"], re.sub(r"\s+", " ", str(c["type"])), c["nullable"],
                                   _normal(c.get("default"))) for c in inspector.get_columns(table)),
                "pk": inspector.get_pk_constraint(table),
                "fks": sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                               tuple(fk["referred_columns"]), tuple(sorted(fk["options"].items())))
                              for fk in inspector.get_foreign_keys(table)),
                "indexes": sorted((ix["name"], tuple(ix["column_names"]), bool(ix["unique"]),
                                   _options(ix.get("dialect_options", {})))
                                  for ix in inspector.get_indexes(table)),
                "uniques": sorted((u["name"], tuple(u["column_names"]))
                                  for u in inspector.get_unique_constraints(table)),
                "checks": sorted((c["name"], _normal(c["sqltext"])) for c in inspector.get_check_constraints(table)),
            }
        for view in inspector.get_view_names():  # views (sip_credentials): their columns and their query
            found[f"view {view}"] = {"columns": [c["name"] for c in inspector.get_columns(view)],
                                     "query": _normal(inspector.get_view_definition(view))}
    finally:
        engine.dispose()
    return found


def _options(options: dict) -> str:
    """An index's dialect options (a partial index's WHERE) as text."""
    return str(sorted((key, _normal(value)) for key, value in options.items()))


def _normal(value) -> str | None:
    return None if value is None else re.sub(r"\s+", " ", str(value)).strip()


def test_every_revision_up_gives_exactly_the_models_schema_and_each_comes_down_again(two_databases, tmp_path):
    migrated_url, created_url = two_databases
    migrated = app_on(migrated_url, tmp_path)
    with migrated.app_context():
        for revision in revisions_in_order():  # one revision at a time, as an installation meets them
            migrations.upgrade(revision)
            assert migrations.current() == revision
        assert migrations.at_head()
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        db.engine.dispose()
    created = app_on(created_url, tmp_path)
    with created.app_context():
        db.create_all()
        db.engine.dispose()
    assert schema_of(migrated_url) == schema_of(created_url)
    assert len(schema_of(migrated_url)) == len(db.metadata.tables) + 2  # and the views sip_credentials, switch_dispatch

    with migrated.app_context():  # down to nothing, revision by revision, and up again
        for revision in reversed(revisions_in_order()):
            command.downgrade(migrations.alembic_config(), "-1")
            assert migrations.current() != revision
        assert migrations.current() is None and set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        assert inspect(db.engine).get_view_names() == []
        migrations.upgrade()
        assert migrations.at_head()
        db.engine.dispose()
    assert schema_of(migrated_url) == schema_of(created_url)


@pytest.mark.postgres
def test_a_first_release_database_full_of_data_upgrades_with_nothing_lost(tmp_path):
    url = fresh_postgres("centrex_upgraded")
    app = app_on(url, tmp_path)
    with app.app_context():
        migrations.upgrade(migrations.BASELINE)
        with db.engine.begin() as connection:
            connection.exec_driver_sql(DEMO_AT_BASELINE.read_text())
        tables = [t for t in inspect(db.engine).get_table_names() if t != "alembic_version"]
        with db.engine.connect() as connection:
            before = {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        assert before["tenant"] == 2 and before["sip_user"] >= 9 and sum(before.values()) > 200

        migrations.upgrade()
        assert migrations.at_head()
        with db.engine.connect() as connection:
            after = {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        assert after == before
        # and the product reads it with today's models: Dupont's directory and its routing configuration
        from centrex.directory.lookup import find_user
        from centrex.routing.engine import Call
        from centrex.routing.loader import load_config

        assert find_user("dupont.example", "1001") is not None
        assert load_config(Call("dupont.example", "1001")).name == "Dupont SA"
        db.engine.dispose()


def test_a_database_made_before_migrations_is_taken_as_the_baseline(tmp_path):
    url = f"sqlite:///{tmp_path / 'before-migrations.sqlite'}"
    app = app_on(url, tmp_path)
    with app.app_context():
        # what `flask init-db` made before there were migrations: the first release's tables, no version
        migrations.upgrade(migrations.BASELINE)
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
        assert migrations.current() is None
        migrations.upgrade()
        assert migrations.at_head()
        db.engine.dispose()
