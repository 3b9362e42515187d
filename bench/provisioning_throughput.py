"""Provisioning throughput under gunicorn (2 workers, loopback, PostgreSQL): Yealink <mac>.cfg files
served per second for 5,000 phones (each fetch with that phone's own credentials, in turn), beside the
ceiling of a constant endpoint measured in the same run by the same load generator (wrk, bench/harness)
with the same requests' headers and a body of the same size.

Goal: >= 500 configs/s. Rounds are interleaved (the ceiling, then the configs, once per round) and
medians reported, with the CPU milliseconds per request of gunicorn's processes and of PostgreSQL's
(less sensitive than requests/s to neighbours loading the machine, though not immune: caches are shared)
and the load average seen during the runs. No answer is cached between fetches: every request reads the
database, checks the token, renders the file and writes its download row, as each phone of a boot storm
would (one fetch each).
The 5,000 phones (50 tenants of 100 users, one Yealink T46S per user with a line key and 3 BLF keys)
are inserted with plain SQL. Exit status: 0 goal met, 1 missed, 2 could not measure."""
from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import statistics
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from harness import cpu, run_bench, sip_secret_key, verdict
from harness.benchapp import CONSTANT_PATH
from harness.database import fresh_database, postmaster_pid
from harness.load import LoadResult, add_round_options, require_wrk, run_wrk_cycle
from harness.server import Gunicorn

GOAL = 500.0                 # configs per second
PER_TENANT = 100
EXPECT = b"account.1.password = "


@dataclass(frozen=True)
class Run:
    load: LoadResult
    app_cpu_ms: float        # gunicorn master + workers, per request
    db_cpu_ms: float         # every PostgreSQL process, per request
    load_average: float      # 1-minute load average of the machine, read after the run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=int(os.environ.get("BENCH_PROV_DEVICES", "5000")))
    add_round_options(parser)
    args = parser.parse_args()
    require_wrk()

    work = Path(tempfile.mkdtemp(prefix="bench-prov-"))  # gunicorn's logs; removed when all went well
    env = {"CENTREX_INSTANCE": str(work / "instance"), "CENTREX_SECRET_KEY": secrets.token_urlsafe(32),
           "CENTREX_SIP_SECRET_KEY": sip_secret_key(), "CENTREX_LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    url = fresh_database("bench_provisioning")
    phones, seconds = build_dataset(url, args.devices, env["CENTREX_SIP_SECRET_KEY"])
    print(f"dataset: {len(phones):,} phones in {len(phones) // PER_TENANT} tenants, inserted in {seconds:.1f} s",
          flush=True)
    queries, sample = count_queries_per_request(url, phones[:5])
    constant = work / "constant.cfg"  # the ceiling answers as many bytes as a phone's file
    constant.write_bytes(sample)
    env.update({"BENCH_CONSTANT_XML_FILE": str(constant), "BENCH_CONSTANT_MIMETYPE": "text/plain",
                "CENTREX_DATABASE_URL": url})
    postmaster = postmaster_pid(url)
    ceiling_requests = [(CONSTANT_PATH, headers) for _, headers in phones]

    with Gunicorn("provisioning", env, work) as server:
        def measure(requests, seconds: float) -> Run:
            app0, db0 = cpu.cpu_seconds(cpu.children(server.pid)), cpu.cpu_seconds(cpu.children(postmaster))
            load = run_wrk_cycle(server.url, requests, seconds=seconds, connections=args.connections)
            app1, db1 = cpu.cpu_seconds(cpu.children(server.pid)), cpu.cpu_seconds(cpu.children(postmaster))
            per = 1000 / max(load.requests, 1)
            return Run(load, (app1 - app0) * per, (db1 - db0) * per, os.getloadavg()[0])

        check_answer(server.url, phones[len(phones) // 2])
        cases = {"ceiling: constant GET": ceiling_requests, "Yealink <mac>.cfg": phones}
        for requests in cases.values():
            measure(requests, 1)  # warm-up: imports, connections, prepared statements
        results: dict[str, list[Run]] = {name: [] for name in cases}
        for round_no in range(args.rounds):
            for name, requests in cases.items():
                results[name].append(measure(requests, args.seconds))
            print(f"round {round_no + 1}/{args.rounds}: " + ", ".join(
                f"{name} {runs[-1].load.rps:.0f}/s" for name, runs in results.items())
                + f" (load average {os.getloadavg()[0]:.2f})", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return report(results, queries, len(phones), args)


def build_dataset(url: str, devices: int, sip_key: str) -> tuple[list[tuple[str, dict]], float]:
    """Schema, tenants and users (harness.bulk), then one phone per user; returns each phone's
    request (path, headers with its own basic auth) and the seconds the inserts took."""
    import time

    from centrex.platform.db import db
    from harness import bulk
    from wsgi import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SIP_SECRET_KEY": sip_key})
    with app.app_context():
        db.create_all()
        started = time.monotonic()
        tenants = -(-devices // PER_TENANT)
        bulk.add_tenants(0, tenants, PER_TENANT, sip_key)
        phones = add_phones(devices, sip_key)
        seconds = time.monotonic() - started
        bulk.analyze()
        db.session.remove()
        db.engine.dispose()
    return phones, seconds


def add_phones(devices: int, sip_key: str) -> list[tuple[str, dict]]:
    """One Yealink T46S per user (the first `devices` users), with its own provisioning token and admin
    password (encrypted, token hashed, as centrex.phones.devices stores them; no bootstrap window: every fetch
    authenticates), a line key and BLF keys on the next three colleagues. Commits."""
    from sqlalchemy import insert, select

    from centrex.models import Device, DeviceKey, User
    from centrex.phones.devices import token_hash
    from centrex.platform.crypto import SecretBox
    from centrex.platform.db import db
    from harness.bulk import BATCH

    box = SecretBox(sip_key)
    users = db.session.execute(select(User.id, User.tenant_id).order_by(User.tenant_id, User.extension)
                               .limit(devices)).all()
    phones, rows = [], []
    for n, (user_id, tenant_id) in enumerate(users):
        mac, token = f"0015{n:08x}", secrets.token_urlsafe(24)
        rows.append({"mac": mac, "vendor": "yealink", "model": "T46S", "tenant_id": tenant_id, "user_id": user_id,
                     "transfer_mode": "attended", "prov_token_enc": box.encrypt(token),
                     "prov_token_hash": token_hash(token),
                     "admin_password_enc": box.encrypt(secrets.token_urlsafe(12))})
        auth = base64.b64encode(f"{mac}:{token}".encode()).decode()
        phones.append((f"/prov/{mac}.cfg", {"Authorization": f"Basic {auth}", "User-Agent": "Yealink SIP-T46S"}))
    # Core inserts of the tables: the ORM's bulk insert splits rows whose None values differ into
    # separate statements (one per phone here).
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Device.__table__), rows[start:start + BATCH])
    ids = db.session.execute(select(Device.id, Device.tenant_id, Device.user_id)).all()
    colleagues: dict[int, list[int]] = {}
    for user_id, tenant_id in users:
        colleagues.setdefault(tenant_id, []).append(user_id)
    keys = []
    for device_id, tenant_id, user_id in ids:
        team = colleagues[tenant_id]
        me = team.index(user_id)
        keys.append({"tenant_id": tenant_id, "device_id": device_id, "position": 1, "kind": "line",
                     "target_user_id": None})
        keys += [{"tenant_id": tenant_id, "device_id": device_id, "position": 2 + k, "kind": "blf",
                  "target_user_id": team[(me + k + 1) % len(team)]} for k in range(min(3, len(team) - 1))]
    for start in range(0, len(keys), BATCH):
        db.session.execute(insert(DeviceKey.__table__), keys[start:start + BATCH])
    db.session.commit()
    return phones


def count_queries_per_request(url: str, phones: list[tuple[str, dict]]) -> tuple[float, bytes]:
    """SQL statements per config request, counted in-process by the cursors of every pooled connection
    (the hot path sends its statement through psycopg itself, unseen by SQLAlchemy's events); psycopg's
    own BEGIN/COMMIT are not statements sent through a cursor (in autocommit there are none); and one
    answer (the ceiling sends as many bytes)."""
    import psycopg
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    from wsgi import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    statements: list[str] = []

    class Recording(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            statements.append(str(query))
            return super().execute(query, params, **kwargs)

    def checkout(dbapi_connection, _record, _proxy):
        dbapi_connection.cursor_factory = Recording

    event.listen(Pool, "checkout", checkout)
    try:
        for path, headers in phones:
            response = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
            if response.status_code != 200 or EXPECT not in response.data:
                raise RuntimeError(f"{path}: unexpected answer {response.status_code}")
    finally:
        event.remove(Pool, "checkout", checkout)
    return len(statements) / len(phones), response.data


def check_answer(base_url: str, phone: tuple[str, dict]) -> None:
    path, headers = phone
    with urllib.request.urlopen(urllib.request.Request(base_url + path, headers=headers), timeout=10) as response:
        data = response.read()
    if response.status != 200 or EXPECT not in data:
        raise RuntimeError(f"{path}: unexpected answer {response.status}")


def report(results: dict[str, list[Run]], queries: float, devices: int, args) -> int:
    med = statistics.median
    (ceiling_name, ceiling), (name, runs) = results.items()
    print(f"\nprovisioning under gunicorn (2 sync workers), {devices:,} phones, wrk -c {args.connections}, "
          f"{args.rounds} interleaved rounds of {args.seconds:g} s; medians")
    print(f"{'case':<24} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs ceiling':>10} "
          f"{'CPU ms/req app+db':>18} {'queries':>7} {'errors':>6} {'load avg':>8}")
    for case, case_runs in results.items():
        ratio = med([r.load.rps / c.load.rps for r, c in zip(case_runs, ceiling)])
        rps, p50, p99 = (med([getattr(r.load, k) for r in case_runs]) for k in ("rps", "p50_ms", "p99_ms"))
        cpu_text = f"{med([r.app_cpu_ms for r in case_runs]):.2f}+{med([r.db_cpu_ms for r in case_runs]):.2f}"
        q = "-" if case == ceiling_name else f"{queries:g}"
        print(f"{case:<24} {rps:>7.0f} {p50:>7.2f} {p99:>7.2f} {ratio:>10.0%} {cpu_text:>18} {q:>7} "
              f"{sum(r.load.errors for r in case_runs):>6} {med([r.load_average for r in case_runs]):>8.2f}")
    rate = med([r.load.rps for r in runs])
    missed = []
    if rate < GOAL:
        missed.append(f"{name}: {rate:.0f} configs/s (goal >= {GOAL:.0f}/s)")
    if any(r.load.errors for runs_ in results.values() for r in runs_):
        missed.append("failed requests (non-2xx answers or socket errors)")
    print(f"\n{name}: {rate:.0f} configs/s, goal >= {GOAL:.0f}/s: {'MISSED' if missed else 'ok'}")
    return verdict(missed)


if __name__ == "__main__":
    run_bench(main, "/tmp/bench-prov-*")
