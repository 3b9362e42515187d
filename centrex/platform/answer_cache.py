"""A per-process cache of what FreeSWITCH asks for on every REGISTER and call (directory users, a
tenant's routing graph), correct without a time-to-live.

Every transaction that changes a table those answers read sends a PostgreSQL NOTIFY naming the companies
whose rows it changed, delivered when it commits; every process listens and drops those companies'
answers (and the answers of no company: "not found" ones), or everything when a changed row belongs to no
single company; it bypasses the cache while it is not listening (so a lost channel costs speed, never
correctness). Which tables count is derived from the statements the answers run (`read_by`), so a new
feature table joins automatically; each of them holds its company in `tenant_id` (`tenant` is the
company itself).
Off on SQLite (no NOTIFY) and in tests unless asked for (ANSWER_CACHE). The NOTIFY is sent by `HOOK`,
which the app factory registers."""
from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from itertools import chain
from typing import TypeVar

from flask import current_app
from sqlalchemy import inspect
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
T = TypeVar("T")


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


def notify_change(session, companies: Iterable[int] | None = None) -> None:
    """Tell every process (this one at once) that the cached answers of these companies (None: of every
    company) may be stale, at this transaction's commit. For writes that bypass the ORM flush (Core
    UPDATEs)."""
    companies = None if companies is None else frozenset(companies)
    if isinstance(session, scoped_session):
        session = session()
    told = _told(session)
    if told is ALL or (companies is not None and told is not None and companies <= told):
        return
    cache.drop(companies)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_notify(%(channel)s, %(payload)s)",
                                   {"channel": CHANNEL, "payload": _payload(companies)})
        # The NOTIFY belongs to the innermost transaction: a savepoint that ends takes it along (rolled
        # back) or hands it over (released); either way the next change notifies again.
        transaction = session.get_nested_transaction() or session.get_transaction()
        session.info[_PENDING] = (transaction, ALL if companies is None else (told or frozenset()) | companies)


ALL = "all"  # every company's answers


def _payload(companies: frozenset[int] | None) -> str:
    if companies is None or len(companies) > 500:  # NOTIFY payloads stop at 8000 bytes
        return ""
    return ",".join(map(str, sorted(companies)))


def companies_of(payload: str) -> frozenset[int] | None:
    """The companies a NOTIFY names; None (everything) for an empty or unreadable payload."""
    try:
        return frozenset(int(part) for part in payload.split(",")) if payload else None
    except ValueError:
        return None


def _told(session):
    """What this transaction has already notified: ALL, a set of companies, or None."""
    pending = session.info.get(_PENDING)
    if pending is None or not pending[0].is_active:
        return None
    return pending[1]


def _changed_companies(objects) -> frozenset[int] | None:
    """The companies whose watched rows these are (before and after the change), or None when one of
    them belongs to no single company (e.g. a number of the operator's pool)."""
    watched = watched_tables()
    companies: set[int] = set()
    for obj in objects:
        table = getattr(type(obj), "__tablename__", None)
        if table not in watched:
            continue
        if table == "tenant":
            ids = {obj.id}
        else:
            history = inspect(obj).attrs.tenant_id.history
            ids = {*history.added, *history.unchanged, *history.deleted}
        if not ids or None in ids:
            return None
        companies |= ids
    return frozenset(companies)


def _notify_on_watched_changes(session) -> None:
    if _told(session) is ALL:
        return
    objects = list(chain(session.new, session.dirty, session.deleted))
    if not {getattr(type(obj), "__tablename__", None) for obj in objects} & watched_tables():
        return
    notify_change(session, _changed_companies(objects))


def _forget(session) -> None:
    session.info.pop(_PENDING, None)


# Registered by the app factory (centrex.platform.unit_of_work.register_hooks).
HOOK = TransactionHook("answer_cache", flushed=_notify_on_watched_changes, committed=_forget,
                       rolled_back=_forget)


class AnswerCache:
    """key -> value, each value filed under its company (or under None: no company), dropped by company
    on a configuration change; thread-safe; one per process."""

    def __init__(self):
        self._data: dict = {}
        self._keys_of: dict[int | None, set] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._listening = False
        self._listener_pid: int | None = None

    def get(self, key, load: Callable[[], T], company: Callable[[T], int | None] | None = None) -> T:
        """The cached value of `key`, else `load()` kept under `company(value)` (None, the default: the
        value depends on no single company and goes with any change)."""
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
                    self._keys_of.clear()
                self._data[key] = value
                self._keys_of.setdefault(company(value) if company else None, set()).add(key)
        return value

    def clear(self) -> None:
        self.drop(None)

    def drop(self, companies: Iterable[int] | None) -> None:
        """Forget the answers of these companies and of no company; everything when `companies` is None.
        A value being loaded meanwhile is not kept (it may predate the change)."""
        with self._lock:
            self._generation += 1
            if companies is None:
                self._data.clear()
                self._keys_of.clear()
            else:
                for company in (None, *companies):
                    for key in self._keys_of.pop(company, ()):
                        self._data.pop(key, None)
        metrics.CACHE_FLUSHES.labels(scope="all" if companies is None else "companies").inc()

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
                    _keep_the_app_out_of_full_collections()
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
                    for notification in conn.notifies():
                        self.drop(companies_of(notification.payload))
            except Exception as exc:  # the channel is gone: serve from the database until it is back
                self._listening = False
                self.clear()
                log.warning("answer cache: notification channel lost (%s); retrying in %.0f s",
                            type(exc).__name__, delay)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)


def _keep_the_app_out_of_full_collections() -> None:
    """What the process holds when it starts caching (the app, its imports: some 300,000 objects) is
    moved out of the garbage collector's reach (gc.freeze). The cache is what grows: thousands of routing
    graphs after a restart, whose growth starts the collector's full passes, and each such pass walked the
    whole app again (measured in-process over 1,000 companies: 0.080 ms of full passes per cold dialplan
    answer, 0.025 ms with the app frozen). Once per process."""
    gc.collect()
    gc.freeze()


cache = AnswerCache()
