"""Heartbeats of the long-running workers (`flask esl run`, `flask outbox run`): each touches a file
instance/heartbeats/<worker> from its main loop, so a worker that hangs (a handler that never returns, a
loop that died in a thread) shows as a file that stopped being touched. A file rather than a table (no
schema change, no database needed to tell a worker is alive) or an HTTP port (nothing more to listen on
or protect): `/readyz`, `flask health` and the centrex_worker_heartbeat_age_seconds metric read the files."""
from __future__ import annotations

import os
import time
from pathlib import Path

STALE_AFTER = float(os.environ.get("CENTREX_HEARTBEAT_STALE_SECONDS", "60"))
WORKERS = ("esl", "outbox")


def folder(instance: str | Path) -> Path:
    return Path(instance) / "heartbeats"


class Heartbeat:
    """One worker's heartbeat; `beat()` is cheap to call often (it touches the file at most every 5 s)."""

    def __init__(self, instance: str | Path, worker: str, every: float = 5.0):
        self.path = folder(instance) / worker
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.every = every
        self._last = 0.0

    def beat(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.every:
            self.path.write_text(f"{os.getpid()}\n")
            self._last = now


def ages(instance: str | Path, now: float | None = None) -> dict[str, float | None]:
    """Seconds since each known worker's last heartbeat (None: never beat on this machine)."""
    now = time.time() if now is None else now
    result: dict[str, float | None] = {}
    for worker in WORKERS:
        try:
            result[worker] = max(0.0, now - (folder(instance) / worker).stat().st_mtime)
        except FileNotFoundError:
            result[worker] = None
    return result


def stale(instance: str | Path, stale_after: float = STALE_AFTER) -> dict[str, float | None]:
    """The workers whose heartbeat is missing or older than `stale_after` seconds, with their age."""
    return {w: age for w, age in ages(instance).items() if age is None or age > stale_after}
