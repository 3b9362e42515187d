"""Calls per second through a real FreeSWITCH 1.10 (configured by freeswitch/deploy.py, as the live suite
does), backed by the product (gunicorn, 2 sync workers, PostgreSQL, 2,000 users in 100 companies, the ESL
listener journaling the calls) and, in the same run, interleaved, by constant answers (harness/
switch_answers.py: the dialplan bridges the DID's user at once, the directory answers any user, the call
record posts get an empty 200).
Each round: the switch started cold and the product's answer caches emptied; 400 users (4 per company)
register from one SIPp phone that answers every call at once and hangs up after 1 s (no RTP); then the
carrier (SIPp on the external profile, as live.carrier_call does) calls their direct numbers, the
companies in turn, at a fixed rate for --seconds. Per rate and backend: calls offered, answered, failed
by final status (or "no answer": SIPp gave up), setup time (INVITE to 200) p50/p99, CPU ms per call of
the backend (gunicorn + PostgreSQL; the ESL listener apart) and of FreeSWITCH, and for the product the call
records written (each call the switch took, i.e. created a channel for, must have exactly one; a "503
Maximum Calls In Progress" is sofia refusing at the door, switch.conf's caps: no channel, no record).
The knee: the highest rate at which every call was answered with a setup p99 <= 1 s. Before
the steps, an untimed 3 s round per backend (the workers' first requests: imports, connection pools).
Goals (issue 23): the product's knee >= 95 % of the constant's, one call record per call at every rate.
Exit 0 met, 1 missed, 2 could not measure (no FreeSWITCH or SIPp: skipped)."""
from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import create_engine, text

from harness import CANNOT_RUN, REPO, run_bench, verdict
from harness.distinct_load import empty_answer_caches
from harness.live_switch_load import (
    Backend,
    BenchSwitch,
    Rig,
    SippRun,
    call_scenario,
    cpu,
    exit_on_sigterm,
    knee,
    load_average,
    missing as switch_missing,
    phone_scenario,
    register_scenario,
    replace_in,
    run_sipp,
    sipp_rows,
    start_sipp,
    stop_process,
)
from harness.switch_setup import COMPANIES, did, prepare, start_backends, users

PHONES_PER_COMPANY = 4
KNEE_SHARE = 0.95
KNEE_SETUP_P99_MS = 1000.0  # INVITE to 200 with a phone that answers at once: the switch's and the lookups' time
REFUSALS = (403, 404, 407, 480, 486, 487, 488, 500, 502, 503, 600, 603)  # the live call's
CALLER = "+41791112233"
MAX_CALLS = "Maximum Calls In Progress"


def carrier_scenario() -> str:
    """The live suite's carrier call (live.carrier_call: INVITE, whatever final answer, ACK, the phone's
    BYE or its own after 10 s), timed from the INVITE to the 200, each refusal logged with its status and
    whether sofia refused it at the door ("503 Maximum Calls In Progress", switch.conf's caps: no channel)."""
    no_channel = ('<action><ereg regexp="Maximum Calls In Progress" search_in="msg" check_it="false" '
                  'assign_to="no_channel"/></action>')
    edits = [('<send retrans="500">', '<send retrans="500" start_rtd="1">', 1),
             ('<recv response="200" rrs="true"/>',
              '<recv response="200" rtd="1" rrs="true"><action><log message="answered"/></action></recv>', 1),
             ('  <label id="refused"/>', "".join(f"""  <label id="r{code}"/>
  <nop><action><log message="refused {code} [$no_channel]"/></action></nop>
  <nop next="refused"/>
""" for code in REFUSALS) + '  <label id="refused"/>', 1)]
    edits += [(f'<recv response="{code}" optional="true" next="refused"/>',
               f'<recv response="{code}" optional="true" next="r{code}">{no_channel}</recv>', 1) for code in REFUSALS]
    return replace_in(call_scenario(auth=False, talk_ms=10_000), edits)


class Step:
    def __init__(self, rate: float, run: SippRun, web_cpu: float = 0, listener_cpu: float = 0,
                 switch_cpu: float = 0):
        self.rate, self.run = rate, run
        self.records: int | None = None
        self.offered = run.count("OutgoingCall(C)")
        self.answered = sum(1 for line in run.logs if line.endswith("answered"))
        refusals = [line.split("refused ", 1)[1].strip() for line in run.logs if "refused " in line]
        self.refused = collections.Counter(r[:3] + ("-no-channel" if MAX_CALLS in r else "") for r in refusals)
        self.no_channel = sum(1 for r in refusals if MAX_CALLS in r)
        self.no_answer = self.offered - self.answered - len(refusals)
        self.failed = self.offered - self.answered
        self.p50, self.p99 = run.quantile(0.50), run.quantile(0.99)
        calls = max(self.offered, 1)
        self.web_ms, self.listener_ms = 1000 * web_cpu / calls, 1000 * listener_cpu / calls
        self.switch_ms = 1000 * switch_cpu / calls

    @property
    def with_channel(self) -> int:
        """Calls the switch took (a channel, so a call record): all but the unanswered and the refused at
        the door."""
        return self.offered - self.no_answer - self.no_channel

    @property
    def failures(self) -> str:
        parts = [f"{code}: {n}" for code, n in sorted(self.refused.items())]
        if self.no_answer:
            parts.append(f"none: {self.no_answer}")
        return " ".join(parts) or "-"


class Listener:
    """`flask esl run` on the product's database, towards the running switch (the product's second path
    for call records, as in production)."""

    def __init__(self, env: dict, database_url: str, switch: BenchSwitch, work: Path):
        self._env = {**os.environ, **env, "FLASK_APP": "wsgi:create_app", "PYTHONPATH": str(REPO),
                     "CENTREX_DATABASE_URL": database_url,
                     "CENTREX_ESL_NODES": f"127.0.0.1:{switch.ports.esl}:{switch.esl_password}",
                     "CENTREX_CDR_SPOOL_DIR": str(switch.cdr_spool)}
        self._log = work / "esl-listener.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Listener:
        offset = self._log.stat().st_size if self._log.exists() else 0
        self.process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "esl", "run"], cwd=REPO,
                                        env=self._env, stdin=subprocess.DEVNULL,
                                        stdout=open(self._log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and b"connected" not in self._log.read_bytes()[offset:]:
            time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        stop_process(self.process, timeout=10)


def call_records(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM call_record")).scalar_one()
    engine.dispose()
    return count


def settled_records(database_url: str, expected: int, timeout: float = 40) -> int:
    """The call records once their number stops moving (the posts and the listener catch up)."""
    deadline, last, still = time.monotonic() + timeout, -1, 0
    while time.monotonic() < deadline:
        count = call_records(database_url)
        still = still + 1 if count == last else 0
        if count >= expected and still >= 2 or still >= 6:
            return count
        last = count
        time.sleep(1.0)
    return last


def _tree_cpu(roots) -> float:
    return cpu.cpu_seconds([p for root in roots for p in cpu.children(root)])


def register_phones(rig: Rig, switch: BenchSwitch, phones, port: int, work: Path) -> None:
    run = run_sipp(work, rig.internal, register_scenario(), sipp_rows(phones), port, rate=100, count=len(phones))
    if run.count("SuccessfulCall(C)") != len(phones):
        raise RuntimeError(f"only {run.count('SuccessfulCall(C)')} of {len(phones)} phones registered ({work})")
    deadline = time.monotonic() + 60  # sofia writes registrations through a queued SQL thread, not in order
    while (found := registrations(switch)) < len(phones):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the switch holds {found} of the {len(phones)} phones' registrations")
        time.sleep(0.5)


def registrations(switch: BenchSwitch) -> int:
    """How many registrations the internal profile's database holds."""
    found = re.search(r"Total items returned: (\d+)", switch.api("sofia status profile internal reg", timeout=30))
    return int(found[1]) if found else 0


def one_round(rig: Rig, backend: Backend, rate: float, seconds: float, phones, env: dict, database_url: str,
              work: Path) -> Step:
    folder = work / f"calls-{backend.name}-{rate:g}"
    empty_answer_caches(database_url)
    product = backend.name == "product"
    with rig.running(backend) as switch, ExitStack() as stack:
        phone_port = rig.ports.internal + 20
        register_phones(rig, switch, phones, phone_port, folder / "register")
        phone = start_sipp(folder / "phone", rig.internal, phone_scenario("answer", ring_ms=1, talk_ms=1000),
                           phone_port, "-s", "phone")
        stack.callback(stop_process, phone, 5)
        listener_pids = []
        if product:
            listener = stack.enter_context(Listener(env, database_url, switch, work))
            listener_pids.append(listener.process.pid)
            time.sleep(1.0)  # its start (catching up with the spool and the journal) is not a call's
        records_before = call_records(database_url) if product else 0
        rows = [[CALLER, did(ext, domain), rig.external, "", "carrier.example"] for ext, domain, _ in phones]
        trees = (backend.pids, listener_pids, [switch.pid])
        before = [_tree_cpu(roots) for roots in trees]
        run = run_sipp(folder / "carrier", rig.external, carrier_scenario(), rows, rig.ports.internal + 30,
                       rate=rate, count=int(rate * seconds), timeout=seconds + 60,
                       extra=("-mi", "127.0.0.1", "-mp", str(rig.ports.internal + 32), "-recv_timeout", "30000"))
        time.sleep(2.0)  # the call records posted after the last hang-ups
        records = settled_records(database_url, Step(rate, run).with_channel) - records_before if product else None
        step = Step(rate, run, *(_tree_cpu(roots) - cpu_before for roots, cpu_before in zip(trees, before)))
        step.records = records
    return step


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rates", default="10,15,20,25,30", help="calls per second, one step each")
    parser.add_argument("--seconds", type=float, default=20, help="length of each step")
    parser.add_argument("--sessions-per-second", type=int, help="switch.conf's sessions-per-second in the bench's "
                        "deployed copy (default: as deployed; the stock 30 is 15 bridged calls/s)")
    args = parser.parse_args()
    exit_on_sigterm()
    why = switch_missing()
    if why:
        print(f"switch_call_rate SKIPPED: {why}")
        return CANNOT_RUN
    rates = [float(r) for r in args.rates.split(",")]
    started = time.monotonic()
    work, env, database_url = prepare("bench-switch-calls-")
    every = users()
    per_company = len(every) // COMPANIES
    phones = [every[n * per_company + i] for i in range(PHONES_PER_COMPANY) for n in range(COMPANIES)]
    results: dict[str, list[Step]] = {"product": [], "constant": []}
    with ExitStack() as stack:
        backends = start_backends(stack, env, database_url, work, list(results))
        rig = Rig(work, args.sessions_per_second)
        for backend in backends.values():  # untimed: the workers' first requests (imports, pools)
            one_round(rig, backend, rates[0], 3, phones, env, database_url, work / "warm-up")
        for number, rate in enumerate(rates):
            for name in (list(results) if number % 2 == 0 else list(results)[::-1]):
                step = one_round(rig, backends[name], rate, args.seconds, phones, env, database_url, work)
                results[name].append(step)
                print(f"  {rate:5g}/s {name:<9} offered {step.offered:5d} answered {step.answered:5d} "
                      f"failed {step.failures}", flush=True)
    cap = args.sessions_per_second or "as deployed"
    print(f"\nCalls through FreeSWITCH, carrier -> DID -> a registered phone, {len(phones)} phones, "
          f"{args.seconds:g} s per rate, sessions-per-second {cap} ({time.monotonic() - started:.0f} s; "
          f"work folder {work}); load average now {load_average()}")
    return report(results)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _passed(step: Step) -> bool:
    return bool(step.offered) and not step.failed and step.p99 is not None and step.p99 <= KNEE_SETUP_P99_MS


def report(results: dict[str, list[Step]]) -> int:
    print(f"{'backend':<9} {'rate/s':>6} {'offered':>7} {'answered':>8} {'p50 ms':>6} {'p99 ms':>6} "
          f"{'web+db ms/call':>14} {'ESL ms/call':>11} {'FS ms/call':>10} {'records':>7}  failed (final status: calls)")
    for name, steps in results.items():
        for s in steps:
            records = "-" if s.records is None else str(s.records)
            print(f"{name:<9} {s.rate:6g} {s.offered:7d} {s.answered:8d} {_ms(s.p50):>6} {_ms(s.p99):>6} "
                  f"{s.web_ms:14.1f} {s.listener_ms:11.1f} {s.switch_ms:10.1f} {records:>7}  {s.failures}")
    knees = {name: knee(steps, _passed) for name, steps in results.items()}
    print(f"\nknee = highest rate with every call answered and a setup p99 <= {KNEE_SETUP_P99_MS:g} ms")
    base = knees["constant"]
    for name, value in knees.items():
        ratio = f"  ({value / base:.0%} of the constant's)" if base else ""
        print(f"  knee {name:<9} {value:5g} calls/s{ratio}")
    missed = []
    if not base:
        missed.append("the constant backend has no knee: calls failed at every rate (see the work folder)")
    elif knees["product"] < KNEE_SHARE * base:
        missed.append(f"product knee {knees['product']:g}/s < {KNEE_SHARE:.0%} of the constant's {base:g}/s")
    for s in results["product"]:
        if s.records != s.with_channel:
            missed.append(f"{s.records} call records for {s.with_channel} calls the switch took "
                          f"at {s.rate:g}/s")
    return verdict(missed)


if __name__ == "__main__":
    run_bench(main, logs=tempfile.gettempdir())
