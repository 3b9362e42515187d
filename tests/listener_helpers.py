"""Running the ESL listener in tests: in a thread of this process, or as `flask esl run` in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from centrex.db import db
from centrex.models import CallRecord, CdrJournal
from esl_handlers.listener import Listener, Settings

REPO = Path(__file__).resolve().parents[1]


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    """Poll (in a fresh transaction each time) until predicate() is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {value!r})")
        time.sleep(interval)


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def record_counts() -> tuple[int, int]:
    """(call records, journaled legs)"""
    return count(CallRecord), count(CdrJournal)


@contextmanager
def running_listener(app, server, **settings):
    """A Listener on the test server in a background thread; stopped (and drained) on exit."""
    listener = Listener(app, [server.address], Settings(**settings))
    thread = threading.Thread(target=listener.run, name="listener-under-test", daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        listener.stop()
        thread.join(timeout=20)
        assert not thread.is_alive(), "listener did not stop"


def listener_process(database_url: str, server_address: str, instance: Path, *, spool: Path | None = None,
                     log: Path) -> subprocess.Popen:
    """`flask esl run` as its own process, as `make run` and production start it."""
    env = {**os.environ, "FLASK_APP": "wsgi:create_app", "CENTREX_DATABASE_URL": database_url,
           "CENTREX_ESL_NODES": server_address, "CENTREX_INSTANCE": str(instance),
           "CENTREX_SECRET_KEY": "listener-test", "CENTREX_XMLCURL_PASSWORD": "listener-test",
           "CENTREX_LOG_LEVEL": "INFO"}
    if spool is not None:
        env["CENTREX_CDR_SPOOL_DIR"] = str(spool)
    flask = Path(sys.executable).with_name("flask")
    return subprocess.Popen([str(flask), "esl", "run"], cwd=REPO, env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)
