"""The product as `make run` starts it, on its own database of the throwaway PostgreSQL cluster: `flask
init-db` and `flask load-demo`, gunicorn (xml_curl, /cdr, provisioning, console, API), the ESL listener,
the outbox worker (towards a real SMTP server) and the email-to-fax intake."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def create_database(admin_url: str, name: str) -> str:
    """A fresh database beside the unit tests' one (their rolled-back transactions never see it)."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


class LiveProduct:
    def __init__(self, root: Path, database_url: str, *, port: int, esl_node: str, smtp_port: int,
                 fax_intake_port: int, voicemail_storage: Path, cdr_spool: Path, cdr_port: int | None = None):
        self.root, self.port = root, port
        self.cdr_port = cdr_port  # mod_xml_cdr's own gunicorn pool (centrex-cdr.service), when given
        self.instance = root / "instance"
        self.xmlcurl_password = secrets.token_urlsafe(12)
        self.sip_key = Fernet.generate_key().decode()
        self.env = {
            **os.environ,
            "PYTHONPATH": str(REPO),  # this checkout's code, also from a worktree sharing another's venv
            "FLASK_APP": "wsgi:create_app",
            "CENTREX_INSTANCE": str(self.instance),
            "CENTREX_DATABASE_URL": database_url,
            "CENTREX_SECRET_KEY": secrets.token_urlsafe(24),
            "CENTREX_SIP_SECRET_KEY": self.sip_key,
            "CENTREX_XMLCURL_USERNAME": "freeswitch",
            "CENTREX_XMLCURL_PASSWORD": self.xmlcurl_password,
            "CENTREX_ESL_NODES": esl_node,
            "CENTREX_SMTP_HOST": "127.0.0.1",
            "CENTREX_SMTP_PORT": str(smtp_port),
            "CENTREX_OUTBOX_RETRY_SECONDS": "2",
            "CENTREX_FAX_SPOOL": str(root / "fax"),
            "CENTREX_FAX_INTAKE_BIND": f"127.0.0.1:{fax_intake_port}",
            "CENTREX_VOICEMAIL_STORAGE": str(voicemail_storage),
            "CENTREX_CDR_SPOOL_DIR": str(cdr_spool),
            "CENTREX_AUDIO_DIR": str(root / "audio"),
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cdr_url(self) -> str | None:
        return f"http://127.0.0.1:{self.cdr_port}" if self.cdr_port else None

    @property
    def credentials(self) -> str:
        return f"freeswitch:{self.xmlcurl_password}"

    def log_path(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def flask(self, *args: str) -> str:
        result = subprocess.run([str(BIN / "flask"), *args], cwd=REPO, env=self.env, capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        self.instance.mkdir(parents=True, exist_ok=True)
        self.flask("init-db")
        self.flask("load-demo")

    def _spawn(self, name: str, argv: list[str], extra_env: dict | None = None) -> None:
        log = open(self.log_path(name), "ab")
        self.processes[name] = subprocess.Popen(argv, cwd=REPO, env={**self.env, **(extra_env or {})},
                                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

    def start_web(self) -> None:
        """The lookups' gunicorn (2 workers) and, with a cdr_port, the CDR pool's (2 workers), as make run."""
        pools = [("gunicorn", self.port, "gunicorn.ctl")]
        if self.cdr_port:
            pools.append(("gunicorn-cdr", self.cdr_port, "gunicorn-cdr.ctl"))
        for name, port, control in pools:
            self._spawn(name, [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--control-socket", str(self.instance / control),
                               "--access-logfile", "-", "--graceful-timeout", "5", "wsgi:app"],
                        {"CENTREX_EAGER_APP": "1"})
        for name, port, _ in pools:
            self._wait_serving(name, port)

    def _wait_serving(self, name: str, port: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
                return
            except OSError:
                if self.processes[name].poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not start: {self.tail(name, 40)}")

    def start_workers(self) -> None:
        self.start_listener()
        self._spawn("outbox", [str(BIN / "flask"), "outbox", "run", "--interval", "0.5"])
        self._spawn("fax-intake", [str(BIN / "flask"), "fax-intake"])

    def start_listener(self) -> None:
        self._spawn("esl-listener", [str(BIN / "flask"), "esl", "run"])

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def log_sizes(self) -> dict[str, int]:
        return {name: self.log_path(name).stat().st_size for name in self.processes if self.log_path(name).exists()}

    def log_since(self, name: str, offset: int = 0) -> str:
        path = self.log_path(name)
        if not path.exists():
            return ""
        with open(path, "rb") as fh:
            fh.seek(offset)
            return fh.read().decode(errors="replace")

    def tail(self, name: str, lines: int) -> str:
        return "\n".join(self.log_since(name).splitlines()[-lines:])
