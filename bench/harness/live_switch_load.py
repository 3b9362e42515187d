"""A real FreeSWITCH for the switch benches, configured by freeswitch/deploy.py exactly as the live suite
does it (tests/live/live_switch.py, imported), backed in turn by the product or by constant answers
(harness/switch_answers.py), and SIPp driving load at a given rate with its own timing and counters.

Each round starts the switch afresh on a clean database folder and stops it at the end (a cold switch:
no registrations, empty user cache); the product's answer caches are emptied before each round too.
Without libfaketime: the live suite's clock file is read at every wall-clock call, which is a cost the
product's switch never pays."""
from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from harness import CANNOT_RUN, REPO, cpu

# tests/live is not a package: its modules import each other by name
for _folder in (REPO / "tests" / "live", REPO / "tests"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import sipp  # noqa: E402
from live_processes import stop_process  # noqa: E402
from live_switch import HOW_TO_GET, LiveSwitch, Ports, find_freeswitch  # noqa: E402
from sipp import SIPP, call_scenario, phone_scenario, wait_until_listening  # noqa: E402

# re-exported for the benches: tests/live is on sys.path only from here
__all__ = ["call_scenario", "phone_scenario", "stop_process"]

INSTALL = find_freeswitch()
ESL_PASSWORD = "bench-esl-secret"
# Config variants the bench applies to its own deployed copy, never to freeswitch/: name -> (file, old, new)
VARIANTS = {
    "no-message-query": ("sip_profiles/internal.xml", 'name="send-message-query-on-register" value="true"',
                         'name="send-message-query-on-register" value="false"'),
}


def missing() -> str | None:
    """Why the switch benches cannot run here, or None."""
    if INSTALL is None:
        return HOW_TO_GET
    if SIPP is None:
        return "SIPp not found (apt-get install sip-tester)"
    return None


class BenchSwitch(LiveSwitch):
    """The live suite's switch without libfaketime, with a config variant applied after deploy.py."""

    variant: str = ""
    sessions_per_second: int | None = None  # switch.conf's cap on new sessions, when the bench sets one

    def environment(self) -> dict:
        env = super().environment()
        for name in ("LD_PRELOAD", "FAKETIME_TIMESTAMP_FILE", "FAKETIME_DONT_FAKE_MONOTONIC", "FAKETIME_NO_CACHE"):
            env.pop(name, None)
        return env

    def configure(self) -> None:
        super().configure()
        if self.variant:
            name, old, new = VARIANTS[self.variant]
            path = self.conf / name
            text = path.read_text()
            if old not in text:
                raise RuntimeError(f"variant {self.variant}: {old!r} not in {path}")
            path.write_text(text.replace(old, new))
        if self.sessions_per_second:
            path = self.conf / "autoload_configs" / "switch.conf.xml"
            text, found = re.subn(r'(<param name="sessions-per-second" value=")\d+("/>)',
                                  rf"\g<1>{self.sessions_per_second}\g<2>", path.read_text())
            if not found:
                raise RuntimeError(f"no sessions-per-second in {path}")
            path.write_text(text)

    def fresh_start(self) -> None:
        """Start on an empty database folder (no registrations, nothing cached)."""
        shutil.rmtree(self.db_dir, ignore_errors=True)
        self.db_dir.mkdir(parents=True)
        self.start(timeout=60)

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Backend:
    """What answers the switch: a gunicorn (the product or the constant answers) and what else counts
    as its CPU (PostgreSQL, the ESL listener)."""
    name: str
    url: str
    credentials: str
    pids: list[int] = field(default_factory=list)  # roots of the process trees whose CPU counts

    def cpu(self) -> float:
        return cpu.cpu_seconds([p for root in self.pids for p in cpu.children(root)])


class Rig:
    """One switch folder per (backend, variant), all on the same ports, one running at a time."""

    def __init__(self, work: Path, sessions_per_second: int | None = None):
        self.work, self.sessions_per_second = work, sessions_per_second
        base = random.randrange(21000, 31000, 10)
        self.ports = Ports(internal=base, external=base + 2, esl=base + 4,
                           rtp_start=random.randrange(33000, 39000, 1000))
        self._switches: dict[tuple[str, str], BenchSwitch] = {}

    @property
    def internal(self) -> str:
        return f"127.0.0.1:{self.ports.internal}"

    @property
    def external(self) -> str:
        return f"127.0.0.1:{self.ports.external}"

    def switch(self, backend: Backend, variant: str = "") -> BenchSwitch:
        key = (backend.name, variant)
        if key not in self._switches:
            switch = BenchSwitch(INSTALL, self.work / f"switch-{backend.name}{'-' + variant if variant else ''}",
                                 self.ports, centrex_url=backend.url, credentials=backend.credentials,
                                 esl_password=ESL_PASSWORD, carrier=f"127.0.0.1:{self.ports.internal + 6}")
            switch.variant, switch.sessions_per_second = variant, self.sessions_per_second
            switch.configure()
            self._switches[key] = switch
        return self._switches[key]

    @contextmanager
    def running(self, backend: Backend, variant: str = ""):
        """The switch for this backend and variant, started cold; stopped at the end."""
        switch = self.switch(backend, variant)
        switch.fresh_start()
        try:
            yield switch
        finally:
            switch.stop()


@dataclass
class SippRun:
    """What one SIPp load run counted."""
    seconds: float
    stats: dict[str, str]         # the last line of SIPp's -trace_stat file
    rtt_ms: list[float]           # one per call that reached its response-time mark
    logs: list[str]               # the scenario's <log> lines

    def count(self, column: str) -> int:
        return int(self.stats.get(column, "0") or 0)

    def quantile(self, q: float) -> float | None:
        if not self.rtt_ms:
            return None
        ordered = sorted(self.rtt_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_sipp(folder: Path, target: str, scenario: str, rows: list[list[str]], port: int, *, rate: float,
             count: int, extra: tuple[str, ...] = (), timeout: float = 120) -> SippRun:
    """SIPp as a UAC: `count` calls of `scenario` at `rate` per second, one CSV row each (in turn)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.xml").write_text(scenario)
    (folder / "rows.csv").write_text("SEQUENTIAL\n" + "".join(";".join(r) + "\n" for r in rows))
    argv = [SIPP, target, "-sf", "scenario.xml", "-inf", "rows.csv", "-i", "127.0.0.1", "-p", str(port),
            "-r", f"{rate:g}", "-rp", "1000", "-m", str(count), "-l", "20000", "-nostdin",
            "-trace_rtt", "-rtt_freq", "1", "-trace_stat", "-stf", "stats.csv", "-fd", "1",
            "-trace_logs", "-log_file", "logs.log", "-timeout", f"{int(timeout)}s", *extra]
    started = time.monotonic()
    with open(folder / "sipp.out", "wb") as out:
        subprocess.run(argv, cwd=folder, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                       timeout=timeout + 30, check=False)
    seconds = time.monotonic() - started
    return SippRun(seconds, _last_stats(folder / "stats.csv"), _rtts(folder), _lines(folder / "logs.log"))


def start_sipp(folder: Path, target: str, scenario: str, port: int, *extra: str) -> subprocess.Popen:
    """SIPp as a UAS (a phone) on `port`, until stopped."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.xml").write_text(scenario)
    argv = [SIPP, target, "-sf", "scenario.xml", "-i", "127.0.0.1", "-p", str(port), "-nostdin",
            "-mi", "127.0.0.1", "-mp", str(port + 2), *extra]
    process = subprocess.Popen(argv, cwd=folder, stdin=subprocess.DEVNULL,
                               stdout=open(folder / "sipp.out", "wb"), stderr=subprocess.STDOUT)
    wait_until_listening(process, port)
    return process


def register_scenario() -> str:
    """The live suite's REGISTER (REGISTER, 401, REGISTER with the digest, 200), timed from the first
    REGISTER to the 200, with the row's credentials (field2: SIPp expands no [fieldN] inside
    [authentication], so the row holds the whole keyword) and a contact of its own per registration (one
    SIPp port stands for all the phones; with the same contact, sofia's multiple-registrations=contact
    was seen to drop other companies' same extensions). Any answer but the 200 fails the call."""
    text = replace_in(sipp.register_scenario(user_agent="SIPp-storm"), [
        ('<send retrans="500">', '<send retrans="500" start_rtd="1">', 1),
        ("[authentication]", "[field2]", 1),
        ("<sip:[field0]@[local_ip]", "<sip:[field0]-[call_number]@[local_ip]", 2),
        ('<recv response="200" optional="true" next="end"/>\n  <recv response="403"/>',
         '<recv response="200" rtd="1"/>', 1)])
    return text


def replace_in(text: str, edits) -> str:
    """`text` with each (old, new, count) edit made exactly `count` times (an error if it is not there)."""
    for old, new, count in edits:
        if text.count(old) < count:
            raise RuntimeError(f"scenario: {old!r} not found {count} times")
        text = text.replace(old, new, count)
    return text


def sipp_rows(users) -> list[list[str]]:
    """field0 the extension, field1 the domain, field2 the digest keyword with the user's secret."""
    return [[ext, domain, f"[authentication username={ext} password={secret}]"] for ext, domain, secret in users]


def _last_stats(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    if len(lines) < 2:
        return {}
    return dict(zip(lines[0].split(";"), lines[-1].split(";")))


def _rtts(folder: Path) -> list[float]:
    values = []
    for path in folder.glob("*_rtt.csv"):
        for line in path.read_text(errors="replace").splitlines()[1:]:
            parts = line.split(";")
            if len(parts) >= 2:
                try:
                    values.append(float(parts[1]))
                except ValueError:
                    pass
    return values


def _lines(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines() if path.exists() else []


def knee(steps, passed) -> float:
    """The highest rate among `steps` whose `passed(step)` is true (0: none). Not "up to the first that
    failed": on a shared machine one neighbour's burst fails a low step now and then (seen: the constant
    answers' p99 at 724 ms at 100/s, 192 ms at 200/s and 228 ms at 300/s in the same run)."""
    return max((step.rate for step in steps if passed(step)), default=0.0)


def exit_on_sigterm() -> None:
    """A SIGTERM ends the bench through its cleanup (switch, gunicorns, SIPp, listener stopped)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(CANNOT_RUN))


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, {os.cpu_count()} cores)"
