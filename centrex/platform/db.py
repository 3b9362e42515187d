"""The SQLAlchemy handle shared by the core and the adapters (bound by the composition root)."""
import os
import sqlite3
import time
from typing import ClassVar

from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Table, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    __table__: ClassVar[Table]  # every model maps one table (DeclarativeBase says FromClause)


db = SQLAlchemy(model_class=Base)


# How long a SQLite writer waits for another to finish before "database is locked": longer than any
# write transaction of a small office (a CDR batch, a console save), shorter than mod_xml_curl's timeout.
SQLITE_BUSY_TIMEOUT_MS = 5000
_IMMEDIATE = "centrex_sqlite_begin_immediate"  # execution option read by _sqlite_begin


@event.listens_for(Engine, "connect")
def _sqlite_connection_setup(dbapi_connection, _record):
    """SQLite (the embedded default): real transactions and savepoints, foreign keys enforced, WAL so
    the web workers and the ESL listener can share the file (readers never wait), synchronous=NORMAL
    (durable at checkpoints; shorter commits, so writers hold the lock less), and writers that wait
    their turn (busy_timeout; see begin_write for the case it does not cover)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        _owner_only(cursor.execute("PRAGMA database_list").fetchone()[2])
        cursor.close()


def _owner_only(path: str) -> None:
    """The database holds every company's data and the encrypted SIP secrets: readable by its owner only,
    like the key files beside it (SQLite gives its -wal and -shm files the same mode)."""
    if not path:  # in memory
        return
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:  # absent, or not ours to change (another user's file)
            pass


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get(_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start the session's next work as one writing transaction that waits its turn.

    SQLite has one writer at a time. A transaction that read first and writes later cannot wait for the
    lock: if another connection wrote since its first read, its snapshot is stale and SQLite answers
    "database is locked" at once, busy_timeout or not. So on SQLite the session's current transaction
    is committed (the caller has only read so far) and the next begins with BEGIN IMMEDIATE, which takes
    the write lock first, waiting up to busy_timeout. On PostgreSQL (row locks, no such failure) nothing
    changes. Inside a test's savepoint there is nothing to begin either."""
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={_IMMEDIATE: True})


# Pessimistic disconnect handling, cheaper than pool_pre_ping: pre_ping costs one database round trip
# per checkout, i.e. per request (a REGISTER's directory answer needs only one other). A connection
# used a moment ago is alive; one that sat idle in the pool (where a database restart or a firewall
# could have cut it) is pinged first, and replaced if the ping fails.
IDLE_PING_SECONDS = 5.0


@event.listens_for(Pool, "checkin")
def _note_idle_since(_dbapi_connection, record):
    if record is not None:
        record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, _proxy):
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # any failure: the pool discards this connection and takes another
        raise DisconnectionError("idle connection failed its ping") from exc


def read_connection():
    """The session's connection for a read-only lookup (directory, dialplan): on PostgreSQL, outside a
    transaction, it runs in autocommit, with no BEGIN/ROLLBACK round trips around its one query. Taken
    lazily, so an answer served from the answer cache never checks a connection out at all."""
    session = db.session()
    if not session.in_transaction():
        bind = session.get_bind()
        if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
            return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session.connection()


def autocommit_engine() -> Engine | None:
    """On PostgreSQL, when the session is on its engine (not bound to a test's open Connection): an
    engine on the same database whose pooled connections stay in autocommit, for requests that are one
    statement: no BEGIN/COMMIT round trips and no isolation switch per request. One per app and process,
    built on first use (after gunicorn forked); its pool gets the same idle-time ping. None elsewhere."""
    bind = db.session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return None
    engines = current_app.extensions.setdefault("centrex_autocommit_engines", {})
    engine = engines.get(bind.url)
    if engine is None:
        options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        engine = engines[bind.url] = create_engine(  # nothing to roll back when a connection returns
            bind.url, **{**options, "isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None})
    return engine
