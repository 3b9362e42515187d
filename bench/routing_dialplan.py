"""Benchmark: dialplan answers per second for the full Dupont SA scenario (DID in `public`, the main
number's schedule, the support → sales → main number cascade replayed as FreeSWITCH's continuation
requests, Alain's busy forwarding), served by gunicorn (2 workers, loopback) from the captured request
bodies, beside the ceiling of a constant endpoint measured in the same run with the same load generator.
Goal: >= 50 % of that ceiling; exits non-zero when missed. Run under scripts/with-postgres.sh."""
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
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == REPO / "bench":
    sys.path[0] = str(REPO)

SECONDS = float(os.environ.get("BENCH_DIALPLAN_SECONDS", "8"))
GOAL = float(os.environ.get("BENCH_DIALPLAN_GOAL", "0.5"))
FILLER_TENANTS = int(os.environ.get("BENCH_DIALPLAN_TENANTS", "50"))
CLIENT_PROCESSES, THREADS_PER_PROCESS = 2, 4
USER, PASSWORD = "freeswitch", "bench-xmlcurl-secret"
CONSTANT = (b'<?xml version="1.0" encoding="UTF-8"?>\n<document type="freeswitch/xml"><section name="dialplan">'
            b'<context name="dupont.example"><extension name="x"><condition field="destination_number" '
            b'expression="^1002$"><action application="bridge" data="user/1002@dupont.example"/></condition>'
            b'</extension></context></section></document>\n')


def bench_app():
    """What gunicorn serves: the real app plus one constant endpoint, the ceiling of this stack."""
    from flask import Response

    from wsgi import create_app

    app = create_app()
    app.add_url_rule("/bench/constant", "bench_constant", lambda: Response(CONSTANT, mimetype="text/xml"),
                     methods=["POST"])
    return app


def _fixtures() -> Path:
    """The captures of a real FreeSWITCH, kept in the repository."""
    return REPO / "tests" / "fixtures" / "freeswitch"


def capture(name: str) -> bytes:
    raw = (_fixtures() / "xml_curl" / name).read_bytes()
    _, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    return body.strip()


def _at(text: str) -> str:
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Europe/Zurich"))
    return str(int(moment.timestamp() * 1_000_000))


def _edit(body: bytes, **replace) -> bytes:
    for old, new in replace.items():
        body = body.replace(old.encode(), new.encode())
    return body


def scenario_bodies(office_schedule_id: int, sales_group_id: int) -> list[bytes]:
    """The requests FreeSWITCH makes for the scenario, from the captured ones."""
    public = capture("62-dialplan-public-did_41215550100-external_profile.http")
    carrier = capture("63-dialplan-public_transfer_to_dupont.example-1002.http")
    internal = capture("25-dialplan-call-1001-to-1002.http")
    after_no_answer = capture("53-dialplan-outcome_b-transfer_7001_after_NO_ANSWER.http")
    after_busy = capture("51-dialplan-outcome_a-transfer_7001_after_USER_BUSY.http")
    tuesday = {"Event-Date-Timestamp=1795948713968491": f"Event-Date-Timestamp={_at('2026-12-01 11:59')}"}

    def continuation(body, fallback, hops):
        carried = f"variable_centrex_fallback={quote(fallback, safe='')}&variable_centrex_hops={hops}&"
        return _edit(body, **{"Destination-Number=7001": "Destination-Number=centrex-continue",
                              "variable_call_uuid=": carried + "variable_call_uuid="})

    every = lambda dest: ";".join(f"{o}={dest}" for o in ("busy", "no_answer", "offline", "failed"))  # noqa: E731
    return [
        public,                                                                       # DID -> Dupont
        _edit(carrier, **{"Destination-Number=1002": "Destination-Number=%2B41215550100", **tuesday}),  # schedule
        _edit(carrier, **{"Destination-Number=1002": "Destination-Number=%2B41215550110", **tuesday}),  # sales
        _edit(internal, **{"Destination-Number=1002": "Destination-Number=2001"}),   # Mme Dumas -> support
        continuation(after_no_answer, every(f"ring_group:{sales_group_id}:"), 1),    # support -> sales
        continuation(after_no_answer, every(f"schedule:{office_schedule_id}:"), 2),  # sales -> main number
        continuation(after_no_answer, every("voicemail::1000"), 3),                  # -> voicemail
        continuation(after_busy, f"busy=ring_group:{sales_group_id}:;then=voicemail::1001", 1),  # Alain busy
        _edit(internal, **{"Destination-Number=1002": "Destination-Number=0791234567"}),  # outbound
    ]


def populate(database_url: str, sip_key: str) -> tuple[int, int]:
    """The demo (Dupont SA with its routing) plus filler tenants with their own groups and schedules."""
    from sqlalchemy import select

    from centrex.demo.companies import load_demo
    from centrex.directory.users import create_user
    from centrex.models import RingGroup, Schedule
    from centrex.platform.audit import Actor, acting_as
    from centrex.platform.crypto import use_cheap_hashing
    from centrex.platform.db import db
    from centrex.routing.groups import create_ring_group
    from centrex.routing.schedules import create_schedule
    from centrex.tenants.companies import create_tenant
    from wsgi import create_app

    use_cheap_hashing()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SIP_SECRET_KEY": sip_key})
    with app.app_context(), acting_as(Actor("bench")):
        db.drop_all()
        db.create_all()
        load_demo()
        db.session.commit()
        for t in range(FILLER_TENANTS):
            tenant = create_tenant({"domain": f"filler{t}.example", "name": f"Filler {t}"})
            users = [create_user(tenant, {"extension": str(1000 + u), "name": f"User {u}", "vm_pin": "1234"})
                     for u in range(20)]
            team = create_ring_group(tenant, {"name": "Team", "extension": "2001",
                                              "members": [{"user_id": u.id} for u in users[:5]]})
            create_schedule(tenant, {"name": "Office", "default": {"type": "ring_group", "id": team.id},
                                     "ranges": [{"days": "mon-fri", "start": "08:00", "end": "18:00",
                                                 "dest": {"type": "user", "id": users[0].id}}]})
            db.session.commit()
        office = db.session.execute(select(Schedule.id).where(Schedule.name == "Heures d'ouverture")).scalar_one()
        sales = db.session.execute(select(RingGroup.id).where(RingGroup.name == "Ventes")).scalar_one()
    return office, sales


def _client(port, requests, deadline, counts, errors, offset):
    auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded",
               "User-Agent": "freeswitch-xml/1.0"}
    i = offset
    while time.monotonic() < deadline:
        path, body = requests[i % len(requests)]
        i += 1
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status == 200 and b"<action" in data:
                counts[0] += 1
            else:
                errors.append(response.status if response.status != 200 else data[:120])
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
        print("bench/routing_dialplan.py: run under scripts/with-postgres.sh (make bench)", file=sys.stderr)
        return 2
    from centrex.platform.crypto import SecretBox

    sip_key = SecretBox.new_key()
    office, sales = populate(database_url, sip_key)
    bodies = scenario_bodies(office, sales)
    requests = [("/xml/dialplan", body) for body in bodies]
    port = _free_port()
    env = {**os.environ, "CENTREX_DATABASE_URL": database_url, "CENTREX_SIP_SECRET_KEY": sip_key,
           "CENTREX_INSTANCE": tempfile.mkdtemp(prefix="centrex-bench-"), "CENTREX_LOG_LEVEL": "WARNING",
           "CENTREX_XMLCURL_USERNAME": USER, "CENTREX_XMLCURL_PASSWORD": PASSWORD,
           "CENTREX_XMLCURL_ALLOWED_NETWORKS": "127.0.0.1/32"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--pythonpath", str(REPO), "--log-level", "warning",
                               "bench.routing_dialplan:bench_app()"], cwd=REPO, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        constant = [("/bench/constant", bodies[0])]
        load(port, constant, 1.0)  # warm both workers up
        load(port, requests, 1.0)
        ceiling, ceiling_errors = load(port, constant, SECONDS)
        rate, errors = load(port, requests, SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratio = rate / ceiling if ceiling else 0.0
    print(f"dialplan: constant endpoint {ceiling:8.1f} req/s (ceiling, same load generator, same bodies)")
    print(f"dialplan: Dupont scenario   {rate:8.1f} req/s over {len(requests)} kinds of request "
          f"({ratio:.0%} of the ceiling; goal >= {GOAL:.0%}), {FILLER_TENANTS + 2} tenants")
    if ceiling_errors or errors:
        print(f"dialplan: errors: constant {ceiling_errors} dialplan {errors}", file=sys.stderr)
        return 1
    if ratio < GOAL:
        print("dialplan: BELOW GOAL", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
