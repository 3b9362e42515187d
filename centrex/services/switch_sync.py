"""Work that must wait for COMMIT: telling FreeSWITCH to reload what it read once (mod_callcenter queues
and agents, local_stream classes), and removing files of deleted rows. Queued on the session and run when
its outermost transaction ends: after a COMMIT the commands go out (FreeSWITCH never fetches configuration
that is not visible yet); after a rollback or a close without commit, the files written for it are removed."""
from __future__ import annotations

import logging
import os
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from centrex.db import db
from centrex.ports import SwitchError, switch

log = logging.getLogger("centrex.switch_sync")

_COMMANDS = "centrex_switch_commands"
_AFTER_COMMIT = "centrex_after_commit"
_ON_ROLLBACK = "centrex_on_rollback"


def command_after_commit(command: str) -> None:
    """Send `api <command>` to every FreeSWITCH node once the current transaction commits (once each)."""
    queued = db.session.info.setdefault(_COMMANDS, [])
    if command not in queued:
        queued.append(command)


def call_after_commit(fn: Callable[[], None]) -> None:
    db.session.info.setdefault(_AFTER_COMMIT, []).append(fn)


def call_on_rollback(fn: Callable[[], None]) -> None:
    db.session.info.setdefault(_ON_ROLLBACK, []).append(fn)


def remove_file_on_rollback(path: str) -> None:
    call_on_rollback(lambda: _unlink(path))


def remove_file_after_commit(path: str) -> None:
    call_after_commit(lambda: _unlink(path))


def pending_commands(session=None) -> list[str]:
    """The commands waiting for the commit (for tests and for a person checking a dry run)."""
    return list((session or db.session).info.get(_COMMANDS, []))


def send_now(commands: list[str]) -> list[tuple[str, str]]:
    """Send commands to every node; returns (command, error) for the ones that failed. Never raises:
    the change is committed already, FreeSWITCH will read it at the latest on its next reload."""
    failures = []
    try:
        commands_port = switch()
    except SwitchError as exc:
        log.warning("%d FreeSWITCH command(s) not sent: %s", len(commands), exc)
        return [(command, str(exc)) for command in commands]
    for command in commands:
        try:
            commands_port.api_all(command)
        except SwitchError as exc:
            failures.append((command, str(exc)))
            log.warning("FreeSWITCH did not apply %r: %s", command, exc)
    return failures


_COMMITTED = "centrex_committed"


@event.listens_for(Session, "after_commit")
def _mark_committed(session) -> None:
    # Also fired when a savepoint is released: the root transaction's end decides (below).
    session.info[_COMMITTED] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_end(session, transaction) -> None:
    committed = session.info.pop(_COMMITTED, False)
    if transaction.parent is not None:
        return  # a savepoint: the transaction that holds it may still commit or roll back
    commands = session.info.pop(_COMMANDS, [])
    after_commit = session.info.pop(_AFTER_COMMIT, [])
    on_rollback = session.info.pop(_ON_ROLLBACK, [])
    for fn in (after_commit if committed else on_rollback):
        try:
            fn()
        except Exception:  # a leftover file must not turn a finished request into an error
            log.exception("clean-up after the transaction failed")
    if committed and commands:
        send_now(commands)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
