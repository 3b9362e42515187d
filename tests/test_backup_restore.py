"""The README's backup and restore (section "Deploying"), followed on this machine: a database made by
`flask init-db` and `flask load-demo`, dumped with `pg_dump -Fc`, restored with `pg_restore` into a new
database beside a new instance folder that got only the backed-up secrets: FreeSWITCH's REGISTER lookup
gets the same a1-hash as before, and a user's SIP secret can be shown (what provisioning a phone needs).
Without the Fernet key (`sip_secret.key`) the secret is lost: that file is part of the backup."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]
FLASK = Path(sys.executable).with_name("flask")
SECRETS = ["sip_secret.key", "flask_secret_key", "xmlcurl_password"]
LOOKUP = """
from conftest import read_capture
from wsgi import create_app
app = create_app({"XMLCURL_ALLOWED_NETWORKS": ["127.0.0.1/32"]})
path, body = read_capture("21-directory-sip_auth-register-1001-password.http")
password = app.config["XMLCURL_PASSWORD"]
response = app.test_client().post(path, data=body, environ_base={"REMOTE_ADDR": "127.0.0.1"},
    headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=("freeswitch", password))
from lxml import etree
doc = etree.fromstring(response.data)
print(doc.xpath("string(//user/params/param[@name='a1-hash']/@value)") or "NONE")
"""


def admin_url() -> str:
    url = os.environ.get("CENTREX_TEST_PG_ADMIN_URL")
    if not url:
        pytest.skip("needs the throwaway PostgreSQL of scripts/with-postgres.sh")
    return url


def database(name: str) -> str:
    engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url().rsplit("/", 1)[0] + "/" + name


def libpq(url: str) -> list[str]:
    parts = urlsplit(url)
    return ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "",
            "-d", parts.path.lstrip("/")]


def env_for(instance: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTREX_", "PROMETHEUS_"))}
    env.update(FLASK_APP="wsgi:create_app", CENTREX_INSTANCE=str(instance), CENTREX_DATABASE_URL=url,
               PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}")
    return env


def run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def a1_hash(instance: Path, url: str) -> str:
    return run([sys.executable, "-c", LOOKUP], env_for(instance, url)).strip().splitlines()[-1]


def test_dump_and_secrets_restore_onto_a_fresh_instance(tmp_path):
    old_instance, new_instance, keyless = tmp_path / "old", tmp_path / "new", tmp_path / "keyless"
    old_url = database("centrex_backup_old")
    env = env_for(old_instance, old_url)
    run([str(FLASK), "init-db"], env)
    run([str(FLASK), "load-demo"], env)
    before = a1_hash(old_instance, old_url)
    assert len(before) == 32
    secret = run([str(FLASK), "user", "secret", "1001@dupont.example"], env).strip()

    dump = tmp_path / "centrex.dump"
    run(["pg_dump", "-Fc", "-f", str(dump), *libpq(old_url)], env)
    new_url = database("centrex_backup_new")
    run(["pg_restore", "--no-owner", *libpq(new_url), str(dump)], env)
    new_instance.mkdir()
    for name in SECRETS:
        shutil.copy2(old_instance / name, new_instance / name)
    assert a1_hash(new_instance, new_url) == before
    restored = env_for(new_instance, new_url)
    assert run([str(FLASK), "user", "secret", "1001@dupont.example"], restored).strip() == secret

    keyless.mkdir()  # the same dump without the Fernet key: the phone's secret is lost
    for name in SECRETS:
        if name != "sip_secret.key":
            shutil.copy2(old_instance / name, keyless / name)
    done = subprocess.run([str(FLASK), "user", "secret", "1001@dupont.example"], cwd=ROOT,
                          env=env_for(keyless, new_url), capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and secret not in done.stdout
    assert "cannot be decrypted" in done.stdout + done.stderr
