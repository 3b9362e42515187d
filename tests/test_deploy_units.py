"""deploy/: the systemd units pass `systemd-analyze verify` (as installed under /opt/centrex, here the
clone), each restarts on failure and reads the settings file; gunicorn started with deploy/gunicorn.conf.py
serves /healthz, kills nothing FreeSWITCH still waits for (timeouts), and one /metrics scrape adds up the
answers of all its workers (multiprocess mode, the directory set and cleaned by the product)."""
from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from configparser import ConfigParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
BIN = Path(sys.executable).parent
SERVICES = ["centrex-web.service", "centrex-cdr.service", "centrex-esl.service", "centrex-outbox.service",
            "centrex-fax-intake.service"]
needs_systemd = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")


def installed_copy(tmp_path: Path, replace: dict[str, str] | None = None) -> list[Path]:
    """The units as they would be installed, with /opt/centrex being this clone (so ExecStart exists)."""
    copies = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text().replace("/opt/centrex", str(ROOT))
        for old, new in (replace or {}).items():
            text = text.replace(old, new)
        (tmp_path / unit.name).write_text(text)
        copies.append(tmp_path / unit.name)
    return copies


def verify(units: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True,
                          timeout=60)


@needs_systemd
def test_units_pass_systemd_analyze_verify(tmp_path):
    result = verify(installed_copy(tmp_path))
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


@needs_systemd
def test_verify_catches_a_broken_unit(tmp_path):
    """The check above can fail: a missing program and a misplaced key are both reported."""
    result = verify(installed_copy(tmp_path, {"/.venv/bin/flask esl run": "/.venv/bin/no-such-flask esl run",
                                              "Restart=always\n": "Restart=always\nStartLimitIntervalSec=9\n"}))
    output = result.stdout + result.stderr
    assert "no-such-flask" in output and "StartLimitIntervalSec" in output


def test_every_process_has_its_unit_restart_policy_and_settings_file():
    assert sorted(p.name for p in UNITS.glob("*.service")) == sorted(SERVICES)
    for name in SERVICES:
        unit = ConfigParser(strict=False, interpolation=None)
        unit.read(UNITS / name)
        assert unit["Service"]["Restart"] == "always", name
        assert unit["Service"]["EnvironmentFile"] == "/etc/centrex/centrex.env", name
        assert unit["Service"]["User"] == "centrex", name
        assert unit["Install"]["WantedBy"] == "centrex.target", name
    target = ConfigParser(strict=False, interpolation=None)
    target.read(UNITS / "centrex.target")
    assert sorted(target["Unit"]["Wants"].split()) == sorted(SERVICES)


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    """deploy/gunicorn.conf.py's settings as gunicorn reads them, under these settings-file values."""
    for key in [k for k in os.environ if k.startswith("CENTREX_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    namespace: dict = {"__file__": str(ROOT / "deploy" / "gunicorn.conf.py")}
    exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    return namespace


def test_the_cdr_pool_runs_the_same_configuration_on_its_own_address_and_workers(monkeypatch, tmp_path):
    """centrex-cdr.service (CENTREX_POOL=cdr) must not take the lookups' address, workers or control socket,
    even though it reads the same settings file."""
    settings = {"CENTREX_INSTANCE": str(tmp_path), "CENTREX_BIND": "127.0.0.1:8080", "CENTREX_WORKERS": "5"}
    web = gunicorn_settings(monkeypatch, **settings)
    cdr = gunicorn_settings(monkeypatch, **settings, CENTREX_POOL="cdr", CENTREX_CDR_WORKERS="3")
    assert (web["bind"], web["workers"], web["control_socket"]) == (["127.0.0.1:8080"], 5,
                                                                    str(tmp_path / "gunicorn.ctl"))
    assert (cdr["bind"], cdr["workers"], cdr["control_socket"]) == (["127.0.0.1:8081"], 3,
                                                                    str(tmp_path / "gunicorn-cdr.ctl"))
    unit = ConfigParser(strict=False, interpolation=None)
    unit.read(UNITS / "centrex-cdr.service")
    assert unit["Service"]["Environment"] == "CENTREX_POOL=cdr"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, data: bytes | None = None, auth: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_gunicorn_with_the_deploy_config_serves_and_adds_up_its_workers_metrics(tmp_path):
    from gunicorn.config import Config

    config = Config()
    namespace: dict = {"__file__": str(ROOT / "deploy" / "gunicorn.conf.py")}
    exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    for key in ("timeout", "graceful_timeout", "wsgi_app", "workers"):
        config.set(key, namespace[key])
    assert config.timeout <= 5 and config.graceful_timeout <= 5  # FreeSWITCH's bindings wait 3-5 s
    assert config.wsgi_app == "wsgi:app"

    instance, port = tmp_path / "instance", free_port()
    stale = instance / "metrics" / "counter_999999999.db"  # left by a process of an earlier run
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTREX_", "PROMETHEUS_"))}
    env.update(FLASK_APP="wsgi:create_app", CENTREX_INSTANCE=str(instance), CENTREX_BIND=f"127.0.0.1:{port}",
               CENTREX_WORKERS="2", CENTREX_XMLCURL_PASSWORD="deploy-test", CENTREX_ESL_NODES="")
    subprocess.run([str(BIN / "flask"), "init-db"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen([str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
                              cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        assert not stale.exists()
        body = b"section=directory&tag_name=domain&key_name=name&key_value=nowhere.example&action=sip_auth"
        for _ in range(12):
            status, answer = fetch(base + "/xmlcurl", body, auth="freeswitch:deploy-test")
            assert status == 200 and b'status="not found"' in answer
        status, scraped = fetch(base + "/metrics", auth="freeswitch:deploy-test")
        assert status == 200
        line = b'centrex_xmlcurl_request_seconds_count{outcome="not_found",section="directory"} 12.0'
        assert line in scraped, scraped.decode()[:3000]
        assert len(list((instance / "metrics").glob("histogram_*.db"))) >= 1
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        log.close()
