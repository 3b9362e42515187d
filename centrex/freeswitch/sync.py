"""Work that must wait for COMMIT: telling FreeSWITCH to reload what it read once (mod_callcenter queues
and agents, local_stream classes), and removing files of deleted rows. Queued on the session and run when
its outermost transaction ends: after a COMMIT the commands go out (FreeSWITCH never fetches configuration
that is not visible yet); after a rollback or a close without commit, the files written for it are removed.
`HOOK` does it, once the app factory has registered it."""
from __future__ import annotations

import logging
import os
from collections.abc import Callable

from centrex.platform.db import db
from centrex.platform.ports import SwitchError, switch
from centrex.platform.unit_of_work import TransactionHook

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


def _committed(session) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_AFTER_COMMIT, []))
    commands = session.info.pop(_COMMANDS, [])
    if commands:
        send_now(commands)


def _rolled_back(session) -> None:
    session.info.pop(_COMMANDS, None)
    session.info.pop(_AFTER_COMMIT, None)
    _run(session.info.pop(_ON_ROLLBACK, []))


def _run(fns) -> None:
    for fn in fns:
        try:
            fn()
        except Exception:  # a leftover file must not turn a finished request into an error
            log.exception("clean-up after the transaction failed")


# Registered by the app factory (centrex.platform.unit_of_work.register_hooks).
HOOK = TransactionHook("switch_sync", committed=_committed, rolled_back=_rolled_back)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
