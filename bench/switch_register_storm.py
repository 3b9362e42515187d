"""A REGISTER storm through a real FreeSWITCH 1.10 (configured by freeswitch/deploy.py, as the live suite
does), backed by the product (gunicorn, 2 sync workers, PostgreSQL, 2,000 users in 100 companies) and, in
the same run, interleaved, by constant answers (harness/switch_answers.py: a user document of the same
shape for any user@domain, no database).
Each step: the switch started cold (empty database folder, nothing cached) and the product's answer
caches emptied, then SIPp registers every one of the 2,000 users once (REGISTER, 401, REGISTER with the
digest, 200) at a fixed rate. Per step and backend: REGISTERs accepted per second, failures (timeouts,
any answer but 200), p50/p99 of the time from the first REGISTER to its 200 (both legs of the digest
dance, SIPp's response-time mark), CPU ms per REGISTER of the backend (gunicorn + PostgreSQL, from /proc)
and of FreeSWITCH.
Before the steps, an untimed storm of 200 users per backend (the workers' first requests: imports, pools).
The knee: the highest rate of the steps at which every REGISTER of the step got its 200 and
the p99 was at most 200 ms.
Extra rows (product variants, measured on the bench's own deployed copy, never freeswitch/): sofia's
send-message-query-on-register off, the directory answer without max-registrations-per-extension, and
without `cacheable` (FreeSWITCH's user cache off: the message-count lookup after each REGISTER asks the
product again).
Goals (issue 23): the product's knee >= 95 % of the constant's, its p99 <= 1.2x the constant's at every
step up to the constant's knee, and no failure there. Exit 0 met, 1 missed, 2 could not measure (no
FreeSWITCH or SIPp: skipped)."""
from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from harness import CANNOT_RUN, live_switch_load, run_bench, verdict
from harness.distinct_load import empty_answer_caches
from harness.live_switch_load import Backend, Rig, SippRun, knee, load_average, register_scenario, run_sipp, sipp_rows
from harness.switch_setup import prepare, start_backends, users

KNEE_P99_MS = 200.0
KNEE_SHARE, P99_FACTOR = 0.95, 1.2
# row name -> (backend, switch config variant)
ROWS = {
    "product": ("product", ""),
    "constant": ("constant", ""),
    "product/no-message-query": ("product", "no-message-query"),
    "product/no-max-registrations": ("product-no-max-registrations", ""),
    "product/no-user-cache": ("product-no-user-cache", ""),
}


class Step:
    """One backend at one rate: SIPp's counts and the CPU spent."""

    def __init__(self, rate: float, offered: int, run: SippRun, app_cpu: float, switch_cpu: float):
        self.rate, self.offered, self.run = rate, offered, run
        self.ok = run.count("SuccessfulCall(C)")
        self.failed = self.offered - self.ok
        self.timeouts = run.count("FailedMaxUDPRetrans(C)") + run.count("FailedTimeoutOnRecv(C)")
        self.p50, self.p99 = run.quantile(0.50), run.quantile(0.99)
        self.per_second = self.ok / run.seconds if run.seconds else 0.0
        self.app_ms = 1000 * app_cpu / max(self.ok, 1)
        self.switch_ms = 1000 * switch_cpu / max(self.ok, 1)

    @property
    def passed(self) -> bool:
        return self.failed == 0 and self.p99 is not None and self.p99 <= KNEE_P99_MS


def storm(rig: Rig, backend: Backend, variant: str, rate: float, rows, work: Path, database_url: str) -> Step:
    empty_answer_caches(database_url)
    with rig.running(backend, variant) as switch:
        app_before, switch_before = backend.cpu(), live_switch_load.cpu.cpu_seconds(
            live_switch_load.cpu.children(switch.pid))
        run = run_sipp(work / f"storm-{backend.name}-{variant}-{rate:g}".replace(" ", "_").replace(",", ""),
                       rig.internal, register_scenario(), sipp_rows(rows), rig.ports.internal + 10,
                       rate=rate, count=len(rows), extra=("-recv_timeout", "15000"),
                       timeout=len(rows) / rate + 40)
        time.sleep(1.0)  # what a REGISTER sets off after its 200 (mod_voicemail's message-count lookup)
        app_cpu = backend.cpu() - app_before
        switch_cpu = live_switch_load.cpu.cpu_seconds(live_switch_load.cpu.children(switch.pid)) - switch_before
    return Step(rate, len(rows), run, app_cpu, switch_cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rates", default="100,200,300,400", help="REGISTERs per second, one step each")
    parser.add_argument("--rows", default=",".join(ROWS), help="which rows (comma separated), of: " + ", ".join(ROWS))
    parser.add_argument("--users", type=int, default=2000, help="users registered per step (at most 2000)")
    args = parser.parse_args()
    live_switch_load.exit_on_sigterm()
    why = live_switch_load.missing()
    if why:
        print(f"switch_register_storm SKIPPED: {why}")
        return CANNOT_RUN
    rates = [float(r) for r in args.rates.split(",")]
    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    started = time.monotonic()
    work, env, database_url = prepare("bench-switch-register-")
    registering = users()[:args.users]
    results: dict[str, list[Step]] = {row: [] for row in rows}
    with ExitStack() as stack:
        backends = start_backends(stack, env, database_url, work, sorted({ROWS[r][0] for r in rows}))
        rig = Rig(work)
        for backend in backends.values():  # untimed: the workers' first requests (imports, pools)
            storm(rig, backend, "", rates[0], registering[:200], work / "warm-up", database_url)
        for number, rate in enumerate(rates):
            order = rows if number % 2 == 0 else rows[::-1]  # interleaved: who goes first alternates
            for row in order:
                backend, variant = ROWS[row]
                step = storm(rig, backends[backend], variant, rate, registering, work, database_url)
                results[row].append(step)
                print(f"  {rate:5g}/s {row:<34} ok {step.ok:5d}/{step.offered} p99 {_ms(step.p99)}", flush=True)
    print(f"\nREGISTER storm through FreeSWITCH, {len(registering)} users cold per step "
          f"({time.monotonic() - started:.0f} s; work folder {work}); load average now {load_average()}")
    return report(results, rates)


def _ms(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.0f}"


def report(results: dict[str, list[Step]], rates: list[float]) -> int:
    print(f"{'row':<34} {'rate/s':>6} {'ok/s':>6} {'fail':>5} {'tmo':>4} {'p50 ms':>6} {'p99 ms':>6} "
          f"{'app ms/REG':>10} {'FS ms/REG':>9}")
    for row, steps in results.items():
        for s in steps:
            print(f"{row:<34} {s.rate:6g} {s.per_second:6.0f} {s.failed:5d} {s.timeouts:4d} {_ms(s.p50):>6} "
                  f"{_ms(s.p99):>6} {s.app_ms:10.2f} {s.switch_ms:9.2f}")
    knees = {row: knee(steps, lambda s: s.passed) for row, steps in results.items()}
    print(f"\nknee = highest rate with every REGISTER answered 200 and p99 <= {KNEE_P99_MS:g} ms")
    base = knees.get("constant")
    for row, value in knees.items():
        ratio = f"  ({value / base:.0%} of the constant's)" if base else ""
        print(f"  knee {row:<34} {value:5g} REGISTER/s{ratio}")
    if "product" not in results or "constant" not in results:
        return 0
    missed = []
    if base and knees["product"] < KNEE_SHARE * base:
        missed.append(f"product knee {knees['product']:g}/s < {KNEE_SHARE:.0%} of the constant's {base:g}/s")
    for product, constant in zip(results["product"], results["constant"]):
        if constant.rate > base:
            continue
        if product.failed:
            missed.append(f"{product.failed} REGISTERs failed at {product.rate:g}/s (below the constant's knee)")
        if product.p99 is None or (constant.p99 and product.p99 > P99_FACTOR * constant.p99):
            missed.append(f"p99 {_ms(product.p99).strip()} ms > {P99_FACTOR}x the constant's "
                          f"{_ms(constant.p99).strip()} ms at {product.rate:g}/s")
    if not base:
        missed.append("the constant backend has no knee: every step failed (see the work folder)")
    return verdict(missed)


if __name__ == "__main__":
    run_bench(main, logs=tempfile.gettempdir())
