"""Kamailio as the product's SIP edge, for the cluster tests: configured by kamailio/deploy.py (as the
README says), run in the foreground on free ports, stopped and started again; its log is kept to read."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from live_processes import stop_process

from kamailio.deploy import modules_folder, render

KAMAILIO = shutil.which("kamailio") or (Path("/usr/sbin/kamailio") if Path("/usr/sbin/kamailio").exists() else None)
FAILED_AUTH_LIMIT = 6  # the cluster tests' edge bans an address at the 6th failed authentication
KAMCMD = shutil.which("kamcmd") or (Path("/usr/sbin/kamcmd") if Path("/usr/sbin/kamcmd").exists() else None)


def missing() -> str | None:
    """Why Kamailio cannot run here, or None."""
    if KAMAILIO is None or KAMCMD is None:
        return "Kamailio not found (scripts/ensure-debian-packages.sh cluster: kamailio, kamailio-postgres-modules)"
    if not (Path(modules_folder()) / "db_postgres.so").exists():
        return "Kamailio's PostgreSQL module not found (apt-get install kamailio-postgres-modules)"
    return None


class Edge:
    def __init__(self, root: Path, port: int, database_url: str, **settings):
        self.root, self.port = root, port
        root.mkdir(parents=True, exist_ok=True)
        self.config = root / "kamailio.cfg"
        self.config.write_text(render(listen=f"127.0.0.1:{port}", database_url=database_url, run_dir=str(root),
                                      **settings))
        self.log = root / "kamailio.log"
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        offset = self.log_size()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(KAMAILIO), "-DD", "-E", "-f", str(self.config), "-Y", str(self.root),
                 "-P", str(self.root / "kamailio.pid")], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kamailio ended ({self.process.returncode}):\n{self.log_since(offset)}")
            if (self.root / "kamailio_ctl").exists() and self.rpc_ok("core.uptime"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"kamailio not ready in 15 s:\n{self.log_since(offset)}")

    def stop(self) -> None:
        stop_process(self.process, timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def rpc(self, *command: str) -> str:
        done = subprocess.run([str(KAMCMD), "-s", f"unix:{self.root / 'kamailio_ctl'}", *command],
                              capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, f"kamcmd {' '.join(command)}: {done.stdout}{done.stderr}"
        return done.stdout

    def rpc_ok(self, *command: str) -> bool:
        try:
            self.rpc(*command)
            return True
        except AssertionError:
            return False

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")
