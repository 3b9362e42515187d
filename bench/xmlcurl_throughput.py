"""xml_curl throughput under gunicorn (2 workers, loopback, PostgreSQL), as ratios of a ceiling measured
in the same run: a constant-XML Flask endpoint, then the captured directory sip_auth (REGISTER of
1001@dupont.example) and the captured dialplan ext-to-ext call (1001 -> 1002), all driven by wrk. Those
ask for one user again and again (after the first request, the answer cache answers); the cold, warm and
churn rows ask for a different user of the 50,000 in every request (see harness/distinct_load.py).

Goals: directory >= 70 % and dialplan >= 50 % of the ceiling's requests/s, warm or cold, and the
directory >= 80 % under churn; CPU per cold request (gunicorn's) <= 0.6 ms for the directory and 0.9 ms
for the dialplan; at most 3 SQL queries per request; directory p50 with ~50,000 users in ~1,000 tenants
within 1.2x of the p50 with ~1,000 users.
Rounds are interleaved (every case once per round) and each ratio is the median of the per-round ratios,
so a neighbour's load on the machine hits the ceiling and the cases alike. The CPU milliseconds per
request (gunicorn's processes, and PostgreSQL's) are printed too: they move much less with that load.

Add a case: append a Case to CASES (a captured request, replacements in its body if needed, the bytes its
answer must contain, a goal). Every dataset holds the demo (centrex.demo.companies.load_demo) plus bulk tenants.
Exit status: 0 goals met, 1 a goal missed, 2 could not measure."""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import harness
from harness import cpu, distinct_load, run_bench, verdict
from harness.benchapp import CONSTANT_PATH
from harness.database import postmaster_pid
from harness.distinct_load import WARM_USERS, Churn, DistinctCase, UserBodies
from harness.load import LoadResult, add_round_options, require_wrk, run_wrk
from harness.server import Gunicorn
from harness.xmlcurl_data import CALL, LARGE, REGISTER, SMALL, Dataset, build_dataset, product_env, xmlcurl_headers

MAX_QUERIES = 3
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")  # not counted as queries
SCALE_LIMIT = 1.2


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
# A different user in every request, in the large dataset: (case, at most this many bodies for a cold run:
# a dialplan body is ~7 kB and wrk holds them all)
DISTINCT = [(DistinctCase("directory", "/xml/directory", REGISTER, b'name="a1-hash"'), 50_000),
            (DistinctCase("dialplan", "/xml/dialplan", CALL, b'application="bridge"'), 20_000)]
MODES = ("cold", "warm", "churn 1/s")
GOALS = {"directory cold": 0.70, "directory warm": 0.70, "directory churn 1/s": 0.80,
         "dialplan cold": 0.50, "dialplan warm": 0.50, "dialplan churn 1/s": 0.50}
BEFORE = " (baseline)"  # rows of the --baseline checkout
CPU_GOALS = {"directory cold": 0.6, "dialplan cold": 0.9}  # gunicorn's CPU ms per request


@dataclass(frozen=True)
class Run:
    load: LoadResult
    app_cpu_ms: float      # gunicorn master + workers, per request
    db_cpu_ms: float       # every PostgreSQL process, per request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_round_options(parser)
    parser.add_argument("--py-spy", metavar="DIR", type=Path,
                        help="record the workers' stacks under each cold load with py-spy (collapsed stacks) in DIR")
    parser.add_argument("--baseline", metavar="CHECKOUT", type=Path,
                        help="also run the cold, warm and churn rows against the product of another checkout "
                             "(e.g. `git worktree add /tmp/base main`), same database, interleaved: before/after")
    args = parser.parse_args()
    require_wrk()

    work = Path(tempfile.mkdtemp(prefix="bench-xmlcurl-"))  # gunicorn's logs; removed when all went well
    env = product_env(work)
    os.environ.update(env)
    fixtures = harness.fixtures_dir()
    bodies = {case.name: case.body(fixtures) for case in CASES}
    headers = xmlcurl_headers(env)

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
    feeds = {}  # (case, row suffix) -> its bodies: each server keeps its own cache, so each its own users

    def feed(case: DistinctCase, suffix: str) -> UserBodies:
        if (case.name, suffix) not in feeds:
            feeds[case.name, suffix] = UserBodies(case, harness.read_capture(fixtures, case.capture)[1], LARGE,
                                                  seed=len(feeds))
        return feeds[case.name, suffix]

    with ExitStack() as stack:
        servers = {d: stack.enter_context(Gunicorn(d.name, {**env, "CENTREX_DATABASE_URL": url}, work))
                   for d, url in urls.items()}
        targets = [("", servers[LARGE])]  # (row suffix, server) asked for distinct users
        if args.baseline:
            targets.append((BEFORE, stack.enter_context(Gunicorn(
                "baseline", {**env, "CENTREX_DATABASE_URL": urls[LARGE], "PYTHONPATH": str(args.baseline)}, work,
                repo=args.baseline.resolve()))))

        def measure(server: Gunicorn, load) -> Run:
            app0, db0 = cpu.cpu_seconds(cpu.children(server.pid)), cpu.cpu_seconds(cpu.children(postmaster))
            result = load()
            app1, db1 = cpu.cpu_seconds(cpu.children(server.pid)), cpu.cpu_seconds(cpu.children(postmaster))
            per = 1000 / max(result.requests, 1)
            return Run(result, (app1 - app0) * per, (db1 - db0) * per)

        def fixed(case: Case, seconds: float) -> Run:
            return measure(servers[case.dataset], lambda: run_wrk(
                servers[case.dataset].url + case.path, bodies[case.name], headers, seconds=seconds,
                connections=args.connections))

        for case in CASES:
            check_answer(servers[case.dataset].url + case.path, bodies[case.name], headers, case.name, case.expect)
            fixed(case, 1)  # warm-up: imports, connections, prepared statements
        results: dict[str, list[Run]] = {name: [] for name in row_names([suffix for suffix, _ in targets])}
        for round_no in range(args.rounds):
            for case in CASES:
                results[case.name].append(fixed(case, args.seconds))
            # A cold run cannot outrun the ceiling by much: bodies for 1.3x its rate (at most `cap`).
            size = int(results[CEILING.name][-1].load.rps * args.seconds * 1.3) + 100
            for case, cap in DISTINCT:
                for suffix, server in targets:
                    asked = feed(case, suffix).next_round(min(size, cap))
                    runs, changes = distinct_round(case, asked, server, urls[LARGE],
                                                   measure, headers, args, seed=round_no)
                    for mode, run in zip(MODES, runs):
                        results[f"{case.name} {mode}{suffix}"].append(run)
                    print(f"  {case.name}{suffix}: {changes} changes made under churn", flush=True)
            print(f"round {round_no + 1}/{args.rounds}: " + ", ".join(
                f"{name} {runs[-1].load.rps:.0f}/s" for name, runs in results.items()), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return report(results, queries, sizes, args)


@contextmanager
def py_spy(folder: Path | None, server: Gunicorn, name: str, seconds: float):
    """With a folder: py-spy records the server's workers (their CPU, not their waits) while the block runs."""
    if folder is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    spy = subprocess.Popen([shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"), "record",
                            "--pid", str(server.pid), "--subprocesses", "--format", "raw", "--rate", "200",
                            "--duration", str(int(seconds + 1)), "--output", str(folder / f"{name}.txt")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # attached before the load starts
    try:
        yield
    finally:
        spy.wait(timeout=seconds + 30)


def row_names(suffixes=("",)) -> list[str]:
    return [c.name for c in CASES] + [f"{case.name} {mode}{suffix}" for case, _ in DISTINCT for mode in MODES
                                      for suffix in suffixes]


def distinct_round(case: DistinctCase, bodies: list[bytes], server: Gunicorn, database_url: str, measure,
                   headers: dict, args, seed: int) -> tuple[list[Run], int]:
    """One round of a case asked for distinct users: cold, warm, under churn; and the changes made."""
    url = server.url + case.path
    check_answer(url, bodies[0], headers, case.name, case.expect)
    distinct_load.empty_answer_caches(database_url)
    time.sleep(0.3)  # the NOTIFY reaches both workers
    with py_spy(args.py_spy, server, f"{case.name}-cold-{seed + 1}", args.seconds):
        cold = measure(server, lambda: distinct_load.cold(url, bodies, headers, args.seconds, args.connections))
    asked = bodies[:max(1, min(cold.load.requests, WARM_USERS) // 4)]
    distinct_load.warm_up(url, asked, headers, args.connections, cold.load.rps)
    warm = measure(server, lambda: distinct_load.warm(url, asked, headers, args.seconds, args.connections))
    with Churn(database_url, LARGE, seed) as churn:
        churned = measure(server, lambda: distinct_load.warm(url, asked, headers, args.seconds, args.connections))
    return [cold, warm, churned], churn.changes


def count_queries_per_request(cases, urls, bodies, headers, repeat: int = 5):
    """SQL statements per request with the answer cache off (transaction control excluded), counted
    in-process as the product's metric counts them (centrex.platform.metrics.queries: every statement
    on any engine, and those run straight through psycopg); and each case's answer."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from centrex.platform import metrics
    from centrex.platform.db import db
    from wsgi import create_app

    counts, answers = {}, {}
    for case in cases:
        app = create_app({"SQLALCHEMY_DATABASE_URI": urls[case.dataset], "ANSWER_CACHE": False})
        client = app.test_client()
        control: list[str] = []

        def record(conn, cursor, statement, *rest):
            if statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
                control.append(statement)  # noqa: B023 - this case's list: the listener is removed below
        event.listen(Engine, "before_cursor_execute", record)
        before = metrics.queries.count
        for _ in range(repeat):
            response = client.post(case.path, data=bodies[case.name], headers=headers,
                                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
            if case.expect not in response.data:
                raise RuntimeError(f"{case.name}: unexpected answer {response.data[:300]!r}")
        counts[case.name] = (metrics.queries.count - before - len(control)) / repeat
        event.remove(Engine, "before_cursor_execute", record)
        with app.app_context():
            db.engine.dispose()
        answers[case.name] = response.data
    return counts, answers


def check_answer(url: str, body: bytes, headers: dict, name: str, expect: bytes) -> None:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:  # the first one waits for the worker
        data = response.read()
    if response.status != 200 or expect not in data:
        raise RuntimeError(f"{name}: unexpected answer {response.status} {data[:300]!r}")


def report(results: dict[str, list[Run]], queries, sizes, args) -> int:
    med = statistics.median
    ceiling = results[CEILING.name]
    missed = []
    print(f"\nxml_curl under gunicorn (2 sync workers), wrk -c {args.connections}, {args.rounds} interleaved "
          f"rounds of {args.seconds:g} s; medians")
    print(f"{'case':<44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs ceiling':>10} {'goals':>16} "
          f"{'CPU ms/req app+db':>18} {'queries':>7} {'errors':>6}")
    for name, runs in results.items():
        ratio = med([r.load.rps / c.load.rps for r, c in zip(runs, ceiling)])
        errors = sum(r.load.errors for r in runs)
        q = queries.get(name)
        app_cpu = med([r.app_cpu_ms for r in runs])
        goal_text = []
        ratio_goal = next((c.goal for c in CASES if c.name == name), GOALS.get(name))
        if name.endswith(BEFORE):  # the other checkout's figures: for comparison, no goal
            ratio_goal = None
        if ratio_goal is not None:
            goal_text.append(f">={ratio_goal:.0%}" + ("" if ratio >= ratio_goal else "!"))
            if ratio < ratio_goal:
                missed.append(f"{name}: {ratio:.0%} of the ceiling's requests/s (goal {ratio_goal:.0%})")
        if name in CPU_GOALS:
            goal_text.append(f"<={CPU_GOALS[name]:g}ms" + ("" if app_cpu <= CPU_GOALS[name] else "!"))
            if app_cpu > CPU_GOALS[name]:
                missed.append(f"{name}: {app_cpu:.2f} ms of CPU per request (goal <= {CPU_GOALS[name]:g} ms)")
        if q is not None and q > MAX_QUERIES:
            missed.append(f"{name}: {q:g} SQL queries per request (goal <= {MAX_QUERIES})")
        if errors and not name.endswith(BEFORE):
            missed.append(f"{name}: {errors} failed requests (a cold run: or users asked twice)")
        cpu_text = f"{app_cpu:.2f}+{med([r.db_cpu_ms for r in runs]):.2f}"
        rps, p50, p99 = (med([getattr(r.load, k) for r in runs]) for k in ("rps", "p50_ms", "p99_ms"))
        label = name if name in {c.name for c in CASES} else name.replace(BEFORE, "") + ", 50k distinct" + (
            " (baseline)" if name.endswith(BEFORE) else "")
        print(f"{label:<44} {rps:>7.0f} {p50:>7.2f} {p99:>7.2f} {ratio:>10.0%} {' '.join(goal_text):>16} "
              f"{cpu_text:>18} {'-' if q is None else f'{q:g}':>7} {errors:>6}")
    print("(goal: a ! marks one missed; CPU ms/req: gunicorn's processes + PostgreSQL's, per request)")
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
