"""The SQLAlchemy handle shared by the core and the adapters (bound by the composition root)."""
import logging
import os
import sqlite3
import time
from typing import Any, ClassVar

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


def _cache_long_statements() -> None:
    """psycopg converts (regex-splits) a statement longer than 4,096 characters again on every execution;
    the routing graph's is ~15,000, and that was a sixth of a dialplan miss's CPU. Its cache is an LRU of
    128 statements, whatever their length: let it keep ours."""
    try:
        from psycopg import _queries
    except ImportError:  # no psycopg (SQLite only)
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", None) is not None:
        _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 65_536)


_cache_long_statements()


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


def read_rows(statement, params: dict) -> list:
    """The rows of a read-only lookup (directory, dialplan): outside a transaction on PostgreSQL, straight
    through psycopg (driver_rows); inside one (a service checking what it just changed), through the
    session, which sees its own changes. Rows are indexed by position either way."""
    if not db.session().in_transaction() and autocommit_engine() is not None:
        return driver_rows(statement, params)
    return list(read_connection().execute(statement, params).all())


_COMPILED: dict = {}


def driver_rows(statement, params: dict) -> list[tuple]:
    """PostgreSQL: the statement, compiled once, run by psycopg (prepared) on a pooled autocommit
    connection, or, when the session is bound to an open Connection (as in tests), on that one, inside
    its transaction. No ORM session, no SQLAlchemy execution context: for the lookups FreeSWITCH waits
    on (a phone's file, a REGISTER), where those cost more than the query. Counted in metrics.queries."""
    from centrex.platform import metrics

    engine = autocommit_engine()
    bind = engine or db.session.connection()
    key = (id(statement), bind.dialect.name)
    if key not in _COMPILED:
        compiled = statement.compile(dialect=bind.dialect)
        _COMPILED[key] = (str(compiled), {k: v for k, v in compiled.params.items() if v is not None})
    sql, constants = _COMPILED[key]
    metrics.count_query()
    if engine is None:  # psycopg's connection under the session's Connection
        return _run(bind.connection, sql, {**constants, **params})  # type: ignore[union-attr]
    for attempt in (1, 2):
        connection: Any = engine.raw_connection()
        try:
            return _run(connection, sql, {**constants, **params})
        except Exception as exc:
            # The database dropped this pooled connection (a restart, a failover): asked again once on a
            # fresh one, as xmlcurl does for the ORM's. The broken one never goes back to the pool, and
            # neither do the others pooled before it (the server that dropped one dropped them all), as
            # SQLAlchemy's own disconnect handling does for the session's pool.
            if attempt == 2 or not _connection_lost(connection):
                raise
            logging.getLogger("centrex.platform.db").warning(
                "database connection lost (%s); asking again on a fresh one", type(exc).__name__)
            connection.invalidate(exc)
            engine.dispose()
        finally:
            connection.close()  # back to the pool (a no-op once invalidated)
    raise AssertionError("unreachable")


def _run(connection, sql: str, params: dict) -> list[tuple]:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()
    finally:
        cursor.close()


def _connection_lost(connection) -> bool:
    driver = getattr(connection, "driver_connection", None)
    return bool(getattr(driver, "closed", False) or getattr(driver, "broken", False))
