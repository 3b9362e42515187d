"""One unit of work: who is acting, the work, one COMMIT (or a rollback), then what waits for the commit.

Every boundary (a console form, an API call, a dialplan request, a phone's provisioning fetch, a CLI
command, an ESL event, a worker's job) runs its change as

    with unit_of_work(actor):          # acting_as(actor); write=True: SQLite's write lock first
        services.do_something(...)     # services validate, flush and audit; they never commit

What runs around a commit (the answer cache's NOTIFY, FreeSWITCH reload commands, files of deleted rows)
is a `TransactionHook` that the app factory registers with `register_hooks(app, ...)`: nothing is wired
by importing a module. Hooks see every transaction of the session (also the ones a worker commits itself).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from centrex.platform.audit import Actor, acting_as, current_actor
from centrex.platform.db import begin_write, db

_HOOKS = "centrex_transaction_hooks"  # app.extensions key
_COMMITTED = "centrex_committed"      # session.info: the transaction that is ending committed


@dataclass(frozen=True)
class TransactionHook:
    """What one concern does around a transaction; each moment is optional."""
    name: str
    flushed: Callable[[Session], None] | None = None      # after each flush, inside the transaction
    committed: Callable[[Session], None] | None = None    # the outermost transaction committed
    rolled_back: Callable[[Session], None] | None = None  # it ended without a commit (rollback, close)


@contextmanager
def unit_of_work(actor: Actor | None = None, *, write: bool = False) -> Iterator[scoped_session]:
    """Run the block as `actor` (default: whoever acts already) and commit once at its end; roll back
    and re-raise when anything fails. `write`: the block writes after reading, so on SQLite its
    transaction takes the write lock first (see centrex.platform.db.begin_write)."""
    with acting_as(actor or current_actor()):
        try:
            if write:
                begin_write()
            yield db.session
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def register_hooks(app: Flask, *hooks: TransactionHook) -> None:
    """Make the hooks run for the transactions of this app's sessions (by name: registering again
    replaces). Called by the app factory."""
    registered = app.extensions.setdefault(_HOOKS, {})
    for hook in hooks:
        registered[hook.name] = hook
    _listen()


def registered_hooks(app: Flask | None = None) -> tuple[TransactionHook, ...]:
    if app is None:
        if not has_app_context():
            return ()
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    return tuple(app.extensions.get(_HOOKS, {}).values())


def _listen() -> None:
    if not event.contains(Session, "after_flush", _flushed):
        event.listen(Session, "after_flush", _flushed)
        event.listen(Session, "after_commit", _mark_committed)
        event.listen(Session, "after_transaction_end", _transaction_end)


def _flushed(session: Session, _flush_context) -> None:
    for hook in registered_hooks():
        if hook.flushed:
            hook.flushed(session)


def _mark_committed(session: Session) -> None:
    # Also fired when a savepoint is released: the outermost transaction's end decides (below).
    session.info[_COMMITTED] = True


def _transaction_end(session: Session, transaction) -> None:
    committed = session.info.pop(_COMMITTED, False)
    if transaction.parent is not None:
        return  # a savepoint: the transaction that holds it may still commit or roll back
    for hook in registered_hooks():
        moment = hook.committed if committed else hook.rolled_back
        if moment:
            moment(session)
