"""The product under gunicorn (as scripts/run.sh starts it), on loopback, for the length of a bench."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from harness import REPO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn --workers N` serving harness.benchapp:app with the given CENTREX_* environment, with
    the options scripts/run.sh gives the product (sync workers, an access log)."""

    def __init__(self, name: str, env: dict, workdir: Path, workers: int = 2, repo: Path = REPO):
        self.name, self._repo = name, repo  # repo: the checkout whose product it serves
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"gunicorn-{name}.log"
        self.access_log = workdir / f"access-{name}.log"
        self._env = {**os.environ, **env}
        self._workers = workers
        self._proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self._proc.pid

    def __enter__(self) -> Gunicorn:
        cmd = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
               "--workers", str(self._workers),
               "--access-logfile", str(self.access_log), "--graceful-timeout", "5",
               "--pythonpath", str(self._repo / "bench"), "harness.benchapp:app"]
        self._log = open(self.log_path, "wb")
        self._proc = subprocess.Popen(cmd, cwd=self._repo, env=self._env, stdout=self._log,
                                      stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            # Ready when both workers have booted (one "Booting worker" line each).
            if self.log_path.read_text().count("Booting worker") >= self._workers:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn {self.name} not ready after {timeout} s")

    def __exit__(self, *exc) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc:
            self._log.close()
