"""xml_curl throughput under gunicorn (2 workers, loopback, PostgreSQL), as ratios of a ceiling measured
in the same run: a constant-XML Flask endpoint, then the captured directory sip_auth (REGISTER of
1001@dupont.example) and the captured dialplan ext-to-ext call (1001 -> 1002), all driven by wrk.

Goals: directory >= 70 % and dialplan >= 50 % of the ceiling's requests/s; at most 3 SQL queries per
request; directory p50 with ~50,000 users in ~1,000 tenants within 1.2x of the p50 with ~1,000 users.
Rounds are interleaved (every case once per round) and each ratio is the median of the per-round ratios,
so a neighbour's load on the machine hits the ceiling and the cases alike. The CPU milliseconds per
request (gunicorn's processes, and PostgreSQL's) are printed too: they move much less with that load.

Add a case: append a Case to CASES (a captured request, replacements in its body if needed, the bytes its
answer must contain, a goal). Every dataset holds the demo (centrex.demo.companies.load_demo) plus bulk tenants.
Exit status: 0 goals met, 1 a goal missed, 2 could not measure."""
from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import statistics
import tempfile
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import harness
from harness import cpu, run_bench, sip_secret_key, verdict
from harness.benchapp import CONSTANT_PATH
from harness.database import fresh_database, postmaster_pid
from harness.load import LoadResult, add_round_options, require_wrk, run_wrk
from harness.server import Gunicorn

REGISTER = "21-directory-sip_auth-register-1001-password.http"
CALL = "25-dialplan-call-1001-to-1002.http"
MAX_QUERIES = 3
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")  # not counted as queries
SCALE_LIMIT = 1.2


@dataclass(frozen=True)
class Dataset:
    name: str
    bulk_tenants: int
    users_per_tenant: int


SMALL = Dataset("small", bulk_tenants=20, users_per_tenant=50)     # ~1,000 users (+ the demo)
LARGE = Dataset("large", bulk_tenants=1000, users_per_tenant=50)   # ~50,000 users (+ the demo)


@dataclass(frozen=True)
class Case:
    name: str
    dataset: Dataset
    path: str
    capture: str                  # fixtures/xml_curl/<capture>: its body is what wrk posts...
    expect: bytes                 # the answer must contain this (checked before the load)
    goal: float | None = None     # minimum share of the ceiling's requests/s
    count_queries: bool = True
    replace: tuple[tuple[str, str], ...] = ()  # ...with these (old, new) replacements in the body

    def body(self, fixtures: Path) -> bytes:
        body = harness.read_capture(fixtures, self.capture)[1]
        for old, new in self.replace:
            if old.encode() not in body:
                raise RuntimeError(f"{self.name}: {old!r} is not in {self.capture}")
            body = body.replace(old.encode(), new.encode())
        return body


CEILING = Case("ceiling: constant XML", SMALL, CONSTANT_PATH, REGISTER, b'<document type="freeswitch/xml"',
               count_queries=False)
DIRECTORY = Case("directory sip_auth", SMALL, "/xml/directory", REGISTER, b'name="a1-hash"', goal=0.70)
DIRECTORY_LARGE = Case("directory sip_auth, 50k users", LARGE, "/xml/directory", REGISTER, b'name="a1-hash"')
CASES = [  # run in this order in every round: the two directory sizes back to back
    CEILING,
    DIRECTORY,
    DIRECTORY_LARGE,
    Case("dialplan ext-to-ext", SMALL, "/xml/dialplan", CALL, b"user/1002@dupont.example", goal=0.50),
]


@dataclass(frozen=True)
class Run:
    load: LoadResult
    app_cpu_ms: float      # gunicorn master + workers, per request
    db_cpu_ms: float       # every PostgreSQL process, per request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_round_options(parser)
    args = parser.parse_args()
    require_wrk()

    work = Path(tempfile.mkdtemp(prefix="bench-xmlcurl-"))  # gunicorn's logs; removed when all went well
    env = {"CENTREX_INSTANCE": str(work / "instance"), "CENTREX_SECRET_KEY": secrets.token_urlsafe(32),
           "CENTREX_SIP_SECRET_KEY": sip_secret_key(), "CENTREX_XMLCURL_USERNAME": "freeswitch",
           "CENTREX_XMLCURL_PASSWORD": secrets.token_urlsafe(18),
           "CENTREX_XMLCURL_ALLOWED_NETWORKS": "127.0.0.1/32,::1/128"}
    os.environ.update(env)
    fixtures = harness.fixtures_dir()
    bodies = {case.name: case.body(fixtures) for case in CASES}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "freeswitch-xml/1.0",
               "Authorization": "Basic " + base64.b64encode(
                   f"freeswitch:{env['CENTREX_XMLCURL_PASSWORD']}".encode()).decode()}

    urls, sizes = {}, {}
    for dataset in sorted({c.dataset for c in CASES}, key=lambda d: d.bulk_tenants):
        urls[dataset], sizes[dataset] = build_dataset(dataset, env)
        tenants, users = sizes[dataset]
        print(f"dataset {dataset.name}: {users:,} users in {tenants:,} tenants", flush=True)
    queries, answers = count_queries_per_request([c for c in CASES if c.count_queries], urls, bodies, headers)
    constant = work / "constant.xml"  # the ceiling sends the very bytes of the directory answer
    constant.write_bytes(answers[DIRECTORY.name])
    env["BENCH_CONSTANT_XML_FILE"] = str(constant)
    postmaster = postmaster_pid(next(iter(urls.values())))

    with ExitStack() as stack:
        servers = {d: stack.enter_context(Gunicorn(d.name, {**env, "CENTREX_DATABASE_URL": url}, work))
                   for d, url in urls.items()}

        def measure(case: Case, seconds: float) -> Run:
            server = servers[case.dataset]
            app0, db0 = cpu.cpu_seconds(cpu.children(server.pid)), cpu.cpu_seconds(cpu.children(postmaster))
            load = run_wrk(server.url + case.path, bodies[case.name], headers, seconds=seconds,
                           connections=args.connections)
            app1, db1 = cpu.cpu_seconds(cpu.children(server.pid)), cpu.cpu_seconds(cpu.children(postmaster))
            per = 1000 / max(load.requests, 1)
            return Run(load, (app1 - app0) * per, (db1 - db0) * per)

        for case in CASES:
            check_answer(servers[case.dataset].url + case.path, bodies[case.name], headers, case)
            measure(case, 1)  # warm-up: imports, connections, prepared statements
        results: dict[str, list[Run]] = {c.name: [] for c in CASES}
        for round_no in range(args.rounds):
            for case in CASES:
                results[case.name].append(measure(case, args.seconds))
            print(f"round {round_no + 1}/{args.rounds}: " + ", ".join(
                f"{c.name} {results[c.name][-1].load.rps:.0f}/s" for c in CASES), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return report(results, queries, sizes, args)


def build_dataset(dataset: Dataset, env: dict) -> tuple[str, tuple[int, int]]:
    """A fresh database with the schema, the demo (Dupont SA, Martin Sàrl) and the bulk tenants."""
    from centrex.demo.companies import load_demo
    from centrex.platform.audit import Actor, acting_as
    from centrex.platform.crypto import use_cheap_hashing
    from centrex.platform.db import db
    from harness import bulk
    from wsgi import create_app

    use_cheap_hashing()  # the demo's console logins only; nothing here is timed
    url = fresh_database(f"bench_xmlcurl_{dataset.name}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), acting_as(Actor("bench")):
        db.create_all()
        load_demo()
        db.session.commit()
        for first in range(0, dataset.bulk_tenants, 200):
            bulk.add_tenants(first, min(200, dataset.bulk_tenants - first), dataset.users_per_tenant,
                             env["CENTREX_SIP_SECRET_KEY"])
        bulk.analyze()
        size = bulk.counts()
        db.session.remove()
        db.engine.dispose()
    return url, size


def count_queries_per_request(cases, urls, bodies, headers, repeat: int = 5):
    """SQL statements per request (transaction control excluded), counted on the engine in-process;
    and each case's answer."""
    from sqlalchemy import event

    from centrex.platform.db import db
    from wsgi import create_app

    counts, answers = {}, {}
    for case in cases:
        app = create_app({"SQLALCHEMY_DATABASE_URI": urls[case.dataset]})
        client = app.test_client()
        statements: list[str] = []

        def record(conn, cursor, statement, *rest):
            if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
                statements.append(statement)  # noqa: B023 - this case's list: the listener is removed below
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        for _ in range(repeat):
            response = client.post(case.path, data=bodies[case.name], headers=headers,
                                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
            if case.expect not in response.data:
                raise RuntimeError(f"{case.name}: unexpected answer {response.data[:300]!r}")
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
        counts[case.name] = len(statements) / repeat
        answers[case.name] = response.data
    return counts, answers


def check_answer(url: str, body: bytes, headers: dict, case: Case) -> None:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        data = response.read()
    if response.status != 200 or case.expect not in data:
        raise RuntimeError(f"{case.name}: unexpected answer {response.status} {data[:300]!r}")


def report(results: dict[str, list[Run]], queries, sizes, args) -> int:
    med = statistics.median
    ceiling = results[CEILING.name]
    missed = []
    print(f"\nxml_curl under gunicorn (2 sync workers), wrk -c {args.connections}, {args.rounds} interleaved "
          f"rounds of {args.seconds:g} s; medians")
    print(f"{'case':<30} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs ceiling':>10} {'goal':>11} "
          f"{'CPU ms/req app+db':>18} {'queries':>7} {'errors':>6}")
    for case in CASES:
        runs = results[case.name]
        ratio = med([r.load.rps / c.load.rps for r, c in zip(runs, ceiling)])
        errors = sum(r.load.errors for r in runs)
        q = queries.get(case.name)
        goal = ""
        if case.goal is not None:
            goal = f">={case.goal:.0%} " + ("ok" if ratio >= case.goal else "MISSED")
            if ratio < case.goal:
                missed.append(f"{case.name}: {ratio:.0%} of the ceiling's requests/s (goal {case.goal:.0%})")
        if q is not None and q > MAX_QUERIES:
            missed.append(f"{case.name}: {q:g} SQL queries per request (goal <= {MAX_QUERIES})")
        if errors:
            missed.append(f"{case.name}: {errors} failed requests")
        cpu_text = f"{med([r.app_cpu_ms for r in runs]):.2f}+{med([r.db_cpu_ms for r in runs]):.2f}"
        rps, p50, p99 = (med([getattr(r.load, k) for r in runs]) for k in ("rps", "p50_ms", "p99_ms"))
        print(f"{case.name:<30} {rps:>7.0f} {p50:>7.2f} {p99:>7.2f} {ratio:>10.0%} {goal:>11} {cpu_text:>18} "
              f"{'-' if q is None else f'{q:g}':>7} {errors:>6}")
    scale = med([big.load.p50_ms / small.load.p50_ms for big, small in
                 zip(results[DIRECTORY_LARGE.name], results[DIRECTORY.name])])
    (t_small, u_small), (t_large, u_large) = sizes[SMALL], sizes[LARGE]
    ok = scale <= SCALE_LIMIT
    print(f"\ndirectory p50 with {u_large:,} users in {t_large:,} tenants vs {u_small:,} users in "
          f"{t_small:,} tenants: {scale:.2f}x (goal <= {SCALE_LIMIT}x) {'ok' if ok else 'MISSED'}")
    if not ok:
        missed.append(f"directory p50 grows {scale:.2f}x with the data (goal <= {SCALE_LIMIT}x)")
    return verdict(missed)


if __name__ == "__main__":
    run_bench(main, "/tmp/bench-xmlcurl-*")
