"""Benchmark: Yealink configs served per second for 5,000 phones by gunicorn (2 workers, loopback),
printed beside the ceiling of a constant endpoint measured in the same run with the same load generator.
Goal: >= 500 configs/s; exits non-zero when missed. Run under scripts/with-postgres.sh (make bench)."""
from __future__ import annotations

import base64
import http.client
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == REPO / "bench":  # run as a script: not bench/ first,
    sys.path[0] = str(REPO)  # or `import provisioning` would find this file instead of the adapter

DEVICES = int(os.environ.get("BENCH_PROV_DEVICES", "5000"))
SECONDS = float(os.environ.get("BENCH_PROV_SECONDS", "8"))
GOAL = float(os.environ.get("BENCH_PROV_GOAL", "500"))
CLIENT_PROCESSES, THREADS_PER_PROCESS = 2, 4
PER_TENANT = 100


def bench_app():
    """What gunicorn serves: the real app plus one constant endpoint, the ceiling of this stack."""
    from flask import Response

    from wsgi import create_app

    app = create_app()
    app.add_url_rule("/bench/constant", "bench_constant",
                     lambda: Response("#!version:1.0.0.1\n", mimetype="text/plain"))
    return app


def populate(database_url: str, sip_key: str) -> list[tuple[str, str]]:
    """Tenants, users and one Yealink per user with three BLF keys; returns (path, auth header)."""
    from sqlalchemy import update

    from centrex.audit import Actor, acting_as
    from centrex.crypto import use_cheap_hashing
    from centrex.db import db
    from centrex.models import Device
    from centrex.services.devices import add_device, provisioning_token, set_device_keys
    from centrex.services.tenants import create_tenant
    from centrex.services.users import create_user
    from wsgi import create_app

    use_cheap_hashing()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SIP_SECRET_KEY": sip_key})
    requests = []
    with app.app_context(), acting_as(Actor("bench")):
        db.drop_all()
        db.create_all()
        for t in range(DEVICES // PER_TENANT):
            tenant = create_tenant({"domain": f"bench{t}.example", "name": f"Bench {t}"})
            users = [create_user(tenant, {"extension": str(1000 + u), "name": f"User {u}"})
                     for u in range(PER_TENANT)]
            for u, user in enumerate(users):
                mac = f"0015{t:04x}{u:04x}"
                device = add_device(tenant, {"mac": mac, "vendor": "yealink", "model": "T46S",
                                             "user_id": user.id})
                set_device_keys(device, [{"position": 1, "kind": "line"}] + [
                    {"position": 2 + k, "kind": "blf", "target_user_id": users[(u + k + 1) % PER_TENANT].id}
                    for k in range(3)])
                auth = base64.b64encode(f"{mac}:{provisioning_token(device)}".encode()).decode()
                requests.append((f"/prov/{mac}.cfg", f"Basic {auth}"))
            db.session.commit()
        db.session.execute(update(Device).values(bootstrap_until=None))  # authenticated fetches only
        db.session.commit()
    return requests


def _client(port, requests, deadline, counts, errors, offset):
    i = offset
    while time.monotonic() < deadline:
        path, auth = requests[i % len(requests)]
        i += CLIENT_PROCESSES * THREADS_PER_PROCESS
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", path, headers={"Authorization": auth} if auth else {
                "User-Agent": "bench"})
            response = conn.getresponse()
            body = response.read()
            if response.status == 200 and (auth is None or b"account.1.user_name" in body):
                counts[0] += 1
            else:
                errors.append(response.status)
        except OSError as exc:
            errors.append(str(exc))
        finally:
            conn.close()


def _process(port, requests, seconds, process_no, queue):
    deadline = time.monotonic() + seconds
    counts, errors, threads = [0], [], []
    for t in range(THREADS_PER_PROCESS):
        offset = process_no * THREADS_PER_PROCESS + t
        threads.append(threading.Thread(target=_client, args=(port, requests, deadline, counts, errors, offset)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((counts[0], errors[:5], len(errors)))


def load(port: int, requests: list, seconds: float) -> tuple[float, list]:
    """The load generator: 2 processes x 4 threads, one connection per request, for `seconds`."""
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_process, args=(port, requests, seconds, n, queue))
             for n in range(CLIENT_PROCESSES)]
    started = time.monotonic()
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = time.monotonic() - started
    errors = [e for _, sample, n in results for e in sample]
    return sum(r[0] for r in results) / elapsed, errors + ([f"{sum(r[2] for r in results)} errors"] if errors else [])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    database_url = os.environ.get("CENTREX_TEST_DATABASE_URL")
    if not database_url:
        print("bench/provisioning.py: run under scripts/with-postgres.sh (make bench)", file=sys.stderr)
        return 2
    from centrex.crypto import SecretBox

    sip_key = SecretBox.new_key()
    started = time.monotonic()
    requests = populate(database_url, sip_key)
    print(f"provisioning: {len(requests)} phones created in {time.monotonic() - started:.0f} s")
    port = _free_port()
    instance = tempfile.mkdtemp(prefix="centrex-bench-")
    env = {**os.environ, "CENTREX_DATABASE_URL": database_url, "CENTREX_SIP_SECRET_KEY": sip_key,
           "CENTREX_INSTANCE": instance, "CENTREX_LOG_LEVEL": "WARNING",
           "CENTREX_PROV_BASE_URL": f"http://127.0.0.1:{port}/prov"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--pythonpath", str(REPO), "--log-level", "warning",
                               "bench.provisioning:bench_app()"], cwd=REPO, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        load(port, [("/bench/constant", None)], 1.0)  # warm both workers up
        load(port, requests[:50], 1.0)
        ceiling, ceiling_errors = load(port, [("/bench/constant", None)], SECONDS)
        rate, errors = load(port, requests, SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"provisioning: constant endpoint {ceiling:8.1f} req/s (ceiling, same load generator)")
    print(f"provisioning: Yealink configs  {rate:8.1f} req/s for {len(requests)} phones "
          f"({rate / ceiling:.0%} of the ceiling; goal >= {GOAL:.0f}/s)")
    if ceiling_errors or errors:
        print(f"provisioning: errors: constant {ceiling_errors} configs {errors}", file=sys.stderr)
        return 1
    if rate < GOAL:
        print("provisioning: BELOW GOAL", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
