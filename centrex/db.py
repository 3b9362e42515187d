"""The SQLAlchemy handle shared by the core and the adapters (bound by the composition root)."""
import sqlite3
import time

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _sqlite_connection_setup(dbapi_connection, _record):
    """SQLite (the embedded default): real transactions and savepoints, foreign keys enforced, and
    WAL so the web workers and the ESL listener can share the file."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")


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
