"""A live FreeSWITCH 1.10 for the tests: found on the machine, configured by `freeswitch/deploy.py` exactly
as the README tells an operator (on a copy of the stock configuration; only addresses, ports, the URL and
the credentials differ), started under libfaketime so that a test can choose the instant of its calls."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from live_processes import stop_process

REPO = Path(__file__).resolve().parents[2]
HOW_TO_GET = ("no FreeSWITCH 1.10 found (CENTREX_FREESWITCH_HOME, /opt/freeswitch, or Debian packages "
              "from SignalWire in /usr/bin): `make test` installs the build of ../shared/freeswitch, or "
              "see the README, « Pointing a real FreeSWITCH 1.10 at it »")
FAKETIME_LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                 "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1")


@dataclass(frozen=True)
class Install:
    binary: Path
    fs_cli: Path
    stock_conf: Path
    sounds: Path
    lib: Path | None


def find_freeswitch() -> Install | None:
    """$CENTREX_FREESWITCH_HOME, else /opt/freeswitch (the source build's prefix), else the Debian packages'
    layout (/usr/bin/freeswitch, /usr/share/freeswitch/conf/vanilla)."""
    homes = [os.environ.get("CENTREX_FREESWITCH_HOME"), "/opt/freeswitch"]
    for home in filter(None, homes):
        home = Path(home)
        if (home / "bin" / "freeswitch").exists():
            lib = home / "lib"
            return Install(home / "bin" / "freeswitch", home / "bin" / "fs_cli", home / "etc" / "freeswitch",
                           home / "share" / "freeswitch" / "sounds", lib if lib.is_dir() else None)
    if Path("/usr/bin/freeswitch").exists():
        return Install(Path("/usr/bin/freeswitch"), Path("/usr/bin/fs_cli"),
                       Path("/usr/share/freeswitch/conf/vanilla"), Path("/usr/share/freeswitch/sounds"), None)
    return None


def faketime_library() -> str | None:
    return next((lib for lib in FAKETIME_LIBS if Path(lib).exists()), None)


@dataclass
class Ports:
    internal: int
    external: int
    esl: int
    rtp_start: int
    wss: int = 0  # the web phone's secure WebSocket (0: internal + 8)

    def __post_init__(self):
        self.wss = self.wss or self.internal + 8


def self_signed_wss_pem(path: Path) -> Path:
    """A certificate for 127.0.0.1 and its key in one PEM, as an operator gives deploy.py --wss-cert."""
    key, cert = path.with_suffix(".key"), path.with_suffix(".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    path.write_text(cert.read_text() + key.read_text())
    return path


class LiveSwitch:
    """One FreeSWITCH process and its folders under `root`."""

    def __init__(self, install: Install, root: Path, ports: Ports, *, centrex_url: str, credentials: str,
                 esl_password: str, carrier: str, cdr_url: str | None = None):
        self.install, self.root, self.ports = install, root, ports
        self.cdr_url = cdr_url  # where mod_xml_cdr posts (deploy.py --cdr-url); None: deploy.py's default
        self.esl_password = esl_password
        self.conf, self.log_dir, self.certs = root / "conf", root / "log", root / "certs"
        self.db_dir, self.run_dir, self.storage = root / "db", root / "run", root / "storage"
        self.clock_file = root / "faketime"
        self.centrex_url, self.credentials, self.carrier = centrex_url, credentials, carrier
        self.process: subprocess.Popen | None = None

    @property
    def log_file(self) -> Path:
        return self.log_dir / "freeswitch.log"

    @property
    def cdr_spool(self) -> Path:
        return self.log_dir / "centrex-cdr-spool"

    def configure(self) -> None:
        """The README's deployment step, on a copy of the stock configuration."""
        if self.conf.exists():
            shutil.rmtree(self.conf)
        shutil.copytree(self.install.stock_conf, self.conf)
        for folder in (self.log_dir, self.db_dir, self.run_dir, self.storage):
            folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(REPO / "freeswitch" / "deploy.py"), str(self.conf),
                        *self.deploy_options()], check=True, capture_output=True)

    def deploy_options(self) -> list[str]:
        """freeswitch/deploy.py's options for this node (a subclass may add some)."""
        return ["--url", self.centrex_url, "--credentials", self.credentials,
                "--esl-password", self.esl_password, "--esl-port", str(self.ports.esl),
                "--carrier-proxy", self.carrier, "--carrier-network", "127.0.0.0/8",
                "--sip-ip", "127.0.0.1", "--internal-port", str(self.ports.internal),
                "--external-port", str(self.ports.external),
                "--rtp-ports", f"{self.ports.rtp_start}-{self.ports.rtp_start + 998}",
                "--wss-port", str(self.ports.wss), "--certs-dir", str(self.certs),
                "--wss-cert", str(self_signed_wss_pem(self.root / "wss-source.pem")),
                *(["--cdr-url", self.cdr_url] if self.cdr_url else [])]

    def environment(self) -> dict:
        env = dict(os.environ)
        if self.install.lib:
            env["LD_LIBRARY_PATH"] = f"{self.install.lib}:{env.get('LD_LIBRARY_PATH', '')}".rstrip(":")
        library = faketime_library()
        if library:
            # The wall clock only (FreeSWITCH's timers run on the monotonic clock and would stall), read
            # from a file the tests rewrite (uncached: a cached offset was never read again).
            self.clock_file.write_text("+0s\n")
            env.update({"LD_PRELOAD": library, "FAKETIME_TIMESTAMP_FILE": str(self.clock_file),
                        "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_NO_CACHE": "1"})
        return env

    def start(self, timeout: float = 30.0) -> None:
        self.process = subprocess.Popen(
            [str(self.install.binary), "-nonat", "-nc", "-nf", "-conf", str(self.conf), "-log", str(self.log_dir),
             "-db", str(self.db_dir), "-run", str(self.run_dir), "-storage", str(self.storage),
             "-certs", str(self.certs)],
            env=self.environment(), stdin=subprocess.DEVNULL, stdout=open(self.root / "stdout.log", "ab"),
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"FreeSWITCH exited ({self.process.returncode}): {self.tail(40)}")
            try:
                running = [line.split()[0] for line in self.api("sofia status").splitlines()
                           if "\tprofile\t" in line and "RUNNING" in line]
                if {"external", "internal"} <= set(running):
                    return
            except subprocess.SubprocessError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"FreeSWITCH did not start in {timeout} s: {self.tail(40)}")

    def stop(self) -> None:
        stop_process(self.process, timeout=20)

    def api(self, command: str, timeout: float = 10.0) -> str:
        """An API command over the event socket, as an operator types it in fs_cli."""
        env = {**os.environ}
        if self.install.lib:
            env["LD_LIBRARY_PATH"] = str(self.install.lib)
        result = subprocess.run([str(self.install.fs_cli), "-H", "127.0.0.1", "-P", str(self.ports.esl),
                                 "-p", self.esl_password, "-x", command],
                                capture_output=True, text=True, timeout=timeout, env=env)
        if result.returncode != 0:
            raise subprocess.SubprocessError(result.stderr or result.stdout)
        return result.stdout

    def channel_count(self) -> int:
        """How many channels (call legs) the switch holds now."""
        return int(self.api("show channels count").split()[0])

    def clock(self) -> float:
        """FreeSWITCH's own idea of the wall-clock time, as a POSIX timestamp."""
        return int(self.api("strmicroepoch").strip()) / 1e6

    def set_clock(self, at: datetime | None) -> None:
        """Move FreeSWITCH's wall clock to `at` (an aware datetime), or back to the real time."""
        offset = 0 if at is None else round(at.timestamp() - time.time())
        # Atomically: libfaketime (no cache) reads the file at every wall-clock call, a half-written
        # file reads as "no offset".
        partial = self.clock_file.with_suffix(".partial")
        partial.write_text(f"{offset:+d}s\n")
        os.replace(partial, self.clock_file)
        # FreeSWITCH keeps time as the monotonic clock plus an offset taken from the wall clock at start;
        # this takes the offset again. Checked and retried: with the soft RTP timer running, a sync was
        # seen to take the real time, the switch to read the old time for a moment after it, its event
        # socket to refuse a connection, and calls to stall for seconds, more often after a move than
        # without: hence Live.at() moves it only when a test needs another instant.
        for attempt in range(10):
            try:
                self.api("fsctl sync_clock")
                seen = self._clock_trouble(offset)
                if seen is None:
                    return
            except (subprocess.SubprocessError, ValueError) as exc:
                seen = f"an error ({exc})"
            with open(self.root / "clock-retries.log", "a") as log:  # how often: for whoever wonders
                log.write(f"{datetime.now().isoformat()} set_clock({at}) attempt {attempt + 1}: {seen}\n")
            time.sleep(0.3)
        raise RuntimeError(f"FreeSWITCH's clock did not move to {at} ({offset:+d} s)")

    def _clock_trouble(self, offset: int) -> str | None:
        """None when the switch's clock reads the faked time and runs at the pace of the real one (its
        timer thread takes the new offset at its next tick: the first reading waits a little)."""
        time.sleep(0.2)
        first, started = self.clock(), time.monotonic()
        time.sleep(0.3)
        second, elapsed = self.clock(), time.monotonic() - started
        if abs(second - (time.time() + offset)) > 2:
            return f"a wrong time ({second - time.time() - offset:+.1f} s)"
        if not 0.5 * elapsed <= second - first <= elapsed + 0.3:
            return f"a clock not running ({second - first:.2f} s in {elapsed:.2f} s)"
        return None

    def log_size(self) -> int:
        return self.log_file.stat().st_size if self.log_file.exists() else 0

    def log_since(self, offset: int) -> str:
        if not self.log_file.exists():
            return ""
        with open(self.log_file, "rb") as fh:
            fh.seek(offset)
            return fh.read().decode(errors="replace")

    def tail(self, lines: int) -> str:
        text = self.log_since(max(0, self.log_size() - 200_000))
        return "\n".join(text.splitlines()[-lines:])
