"""A per-process cache of what FreeSWITCH asks for on every REGISTER and call (directory users, a
tenant's routing graph), correct without a time-to-live.

Every transaction that changes a table those answers read sends a PostgreSQL NOTIFY, delivered when it
commits; every process listens and drops its whole cache when one arrives, and bypasses the cache while
it is not listening (so a lost channel costs speed, never correctness). Which tables count is derived
from the statements the answers run (`read_by`), so a new feature table joins automatically.
Off on SQLite (no NOTIFY) and in tests unless asked for (ANSWER_CACHE). The NOTIFY is sent by `HOOK`,
which the app factory registers."""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from itertools import chain

from flask import current_app
from sqlalchemy.orm import scoped_session
from sqlalchemy.sql.util import find_tables

from centrex.platform import metrics
from centrex.platform.db import db
from centrex.platform.unit_of_work import TransactionHook

CHANNEL = "centrex_config"
MAX_ENTRIES = 200_000
log = logging.getLogger("centrex.platform.answer_cache")

_sources: list[Callable[[], Iterable]] = []
_watched: tuple[tuple, frozenset[str]] = ((), frozenset())
_PENDING = "centrex_config_notified"


def read_by(source: Callable[[], Iterable]) -> Callable[[], Iterable]:
    """Declare a function returning the statements cached answers are read with (decorator)."""
    _sources.append(source)
    return source


def watched_tables() -> frozenset[str]:
    """Names of the tables the cached answers read (recomputed only when a statement changes)."""
    global _watched
    statements = [s for source in _sources for s in source()]
    key = tuple(map(id, statements))
    if key != _watched[0]:
        names = frozenset(t.name for s in statements for t in find_tables(s, include_joins=True,
                                                                           include_aliases=True))
        _watched = (key, names)
    return _watched[1]


def notify_change(session) -> None:
    """Tell every process (this one at once) that cached answers may be stale, at this transaction's
    commit. For writes that bypass the ORM flush (Core UPDATEs)."""
    cache.clear()
    if isinstance(session, scoped_session):
        session = session()
    if _notified(session):
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_notify('{CHANNEL}', '')")
        # The NOTIFY belongs to the innermost transaction: a savepoint that ends takes it along (rolled
        # back) or hands it over (released); either way the next change notifies again.
        session.info[_PENDING] = session.get_nested_transaction() or session.get_transaction()


def _notified(session) -> bool:
    pending = session.info.get(_PENDING)
    return pending is not None and pending.is_active


def _notify_on_watched_changes(session) -> None:
    if _notified(session):
        return
    objects = chain(session.new, session.dirty, session.deleted)
    tables = {getattr(type(obj), "__tablename__", None) for obj in objects}
    if tables & watched_tables():
        notify_change(session)


def _forget(session) -> None:
    session.info.pop(_PENDING, None)


# Registered by the app factory (centrex.platform.unit_of_work.register_hooks).
HOOK = TransactionHook("answer_cache", flushed=_notify_on_watched_changes, committed=_forget,
                       rolled_back=_forget)


class AnswerCache:
    """key -> value, cleared whole on any configuration change; thread-safe; one per process."""

    def __init__(self):
        self._data: dict = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._listening = False
        self._listener_pid: int | None = None

    def get(self, key, load: Callable[[], object]):
        if not self._usable():
            metrics.CACHE_BYPASS.inc()
            return load()
        generation = self._generation
        try:
            value = self._data[key]
        except KeyError:
            pass
        else:
            metrics.CACHE_HIT.inc()
            return value
        metrics.CACHE_MISS.inc()
        value = load()
        with self._lock:
            # A change committed while we were loading: the value may predate it, do not keep it.
            if generation == self._generation and self._listening:
                if len(self._data) >= MAX_ENTRIES:
                    self._data.clear()
                self._data[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._data.clear()
        metrics.CACHE_FLUSHES.inc()

    def state(self) -> str:
        """"off" (disabled, or SQLite), "ok" (listening) or "not listening" (serving from the database);
        starts this process's listener if it was not yet."""
        if not current_app.config.get("ANSWER_CACHE", True) or db.engine.url.get_backend_name() != "postgresql":
            return "off"
        return "ok" if self._usable() else "not listening"

    def _usable(self) -> bool:
        if not current_app.config.get("ANSWER_CACHE", True):
            return False
        url = db.engine.url
        if url.get_backend_name() != "postgresql":
            return False
        if self._listener_pid != os.getpid():  # first use in this (possibly forked) process
            with self._lock:
                if self._listener_pid != os.getpid():
                    self._listener_pid = os.getpid()
                    self._listening = False
                    self._data.clear()
                    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
                    threading.Thread(target=self._listen, args=(dsn,), name="answer-cache-listener",
                                     daemon=True).start()
        return self._listening

    def _listen(self, dsn: str) -> None:
        import psycopg

        delay = 1.0
        while True:
            try:
                with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.clear()
                    self._listening = True
                    delay = 1.0
                    log.info("answer cache: listening for configuration changes (pid %s)", os.getpid())
                    for _notification in conn.notifies():
                        self.clear()
            except Exception as exc:  # the channel is gone: serve from the database until it is back
                self._listening = False
                self.clear()
                log.warning("answer cache: notification channel lost (%s); retrying in %.0f s",
                            type(exc).__name__, delay)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)


cache = AnswerCache()
