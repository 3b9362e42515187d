"""Running the ESL listener in tests: in a thread of this process, or as `flask esl run` in a subprocess."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from centrex.models import CallRecord, CdrJournal
from centrex.platform.db import db
from esl_handlers.listener import Listener, Settings
from polling import poll

REPO = Path(__file__).resolve().parents[1]


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    """Poll (in a fresh transaction each time) until predicate() is truthy; returns its value."""
    def check():
        db.session.rollback()
        return predicate()
    return poll(check, timeout, interval, what)


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


class TcpProxy:
    """A TCP forwarder in front of a server (PostgreSQL): `cut()` drops every connection and refuses new
    ones (the database is "down" for whoever goes through it), `restore()` accepts again on the same port."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._pairs: list = []
        self._lock = threading.Lock()
        self._listener = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    self._close(client)
                    self._close(upstream)
                    return
                self._pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _close(sock) -> None:
        """shutdown first: close() alone does not wake a thread blocked in recv() on that socket, and the
        connection (and PostgreSQL's backend behind it) would stay up."""
        for action in (lambda: sock.shutdown(socket.SHUT_RDWR), sock.close):
            try:
                action()
            except OSError:
                pass

    def _pipe(self, source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(sink)

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
        self._close(listener)  # wakes the thread blocked in accept()
        for pair in pairs:
            for sock in pair:
                self._close(sock)

    def close(self) -> None:
        self.cut()
