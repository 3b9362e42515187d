"""`make run`'s script, for real: gunicorn + the ESL listener on a fresh instance folder, the captured
REGISTER lookup answered over HTTP with Alain Dupont's a1-hash, and Ctrl-C stopping everything."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest
from lxml import etree

from conftest import read_capture

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_env(instance: Path, port: int, esl_port: int, fax_port: int | None = None) -> dict:
    env = {**os.environ, "CENTREX_INSTANCE": str(instance), "CENTREX_BIND": f"127.0.0.1:{port}",
           "CENTREX_FAX_INTAKE_BIND": f"127.0.0.1:{fax_port or free_port()}",
           "CENTREX_ESL_NODES": f"127.0.0.1:{esl_port}:ClueCon", "PATH": f"{Path(sys.executable).parent}:"
           + os.environ["PATH"]}
    env.pop("CENTREX_DATABASE_URL", None)
    return env


def test_a_taken_address_is_named_with_the_setting_that_moves_it(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run([str(ROOT / "scripts" / "run.sh")], cwd=tmp_path, capture_output=True, text=True,
                              env=run_env(tmp_path, free_port(), free_port(), fax_port=taken), timeout=60)
    assert done.returncode != 0 and time.monotonic() - started < 20
    assert f"127.0.0.1:{taken}" in done.stderr and "CENTREX_FAX_INTAKE_BIND" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "centrex.sqlite").exists()  # stopped before touching anything


def test_run_script_serves_the_demo_and_stops_on_ctrl_c(tmp_path):
    port, esl_port = free_port(), free_port()
    env = run_env(tmp_path, port, esl_port)
    proc = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        path, body = read_capture("21-directory-sip_auth-register-1001-password.http")
        password = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if (tmp_path / "xmlcurl_password").exists():
                password = (tmp_path / "xmlcurl_password").read_text().strip()
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/xmlcurl", data=body, method="POST",
                    headers={"Content-Type": "application/x-www-form-urlencoded",
                             "Authorization": "Basic " + b64encode(f"freeswitch:{password}".encode()).decode()})
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        document = etree.fromstring(response.read())
                    break
                except OSError:
                    pass
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.5)
        else:
            pytest.fail("the server did not answer within 90 s")
        a1 = document.xpath("string(//user[@id='1001']/params/param[@name='a1-hash']/@value)")
        assert len(a1) == 32
        assert not document.xpath("//param[@name='password']")
        # the ESL listener says clearly that no FreeSWITCH is there (it may start after gunicorn answers)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("retrying" in line.lower() for line in lines):
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(timeout=10)
    output = "".join(lines)
    assert "Demo logins" in output and "admin@dupont.example" in output
    # the curl line works from any directory: the capture is named by its absolute path
    capture = next(w for line in lines for w in line.split() if w.endswith("-1001-password.http"))
    assert Path(capture).is_absolute() and Path(capture).is_file()
    assert "retrying" in output.lower()
    assert proc.returncode is not None
    leftover = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout
    assert leftover.strip() == ""
