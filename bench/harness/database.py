"""Throwaway PostgreSQL databases for a bench, on the cluster scripts/with-postgres.sh started."""
from __future__ import annotations

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def require_postgres() -> str:
    url = os.environ.get("CENTREX_TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        raise SystemExit("bench: run it through `make bench` "
                         "(scripts/with-postgres.sh sets CENTREX_TEST_DATABASE_URL)")
    return url


def fresh_database(name: str) -> str:
    """Drop and create database `name` on the test cluster; returns its URL."""
    base = make_url(require_postgres())
    admin_url = os.environ.get("CENTREX_TEST_PG_ADMIN_URL") or base.set(database="postgres")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def postmaster_pid(url: str) -> int:
    """The PostgreSQL server process (parent of every backend), to account for its CPU."""
    from harness.cpu import parent_of

    engine = create_engine(url)
    with engine.connect() as conn:
        postmaster = parent_of(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    engine.dispose()
    return postmaster
