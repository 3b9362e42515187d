"""Two instances of the product on one host, each started by `make run`'s script: each gunicorn keeps its
own control socket (in its instance folder, named after its bind address), answering `gunicornc` with its
own listener; neither takes over, nor on stopping removes, the other's; nothing lands in ~/.gunicorn."""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    """scripts/run.sh on its own instance folder, ports and (shared) home directory."""

    def __init__(self, root: Path, home: Path):
        self.folder = root / "instance"
        self.port = free_port()
        self.log = root / "run.log"
        env = {**os.environ, "HOME": str(home), "CENTREX_INSTANCE": str(self.folder),
               "CENTREX_BIND": f"127.0.0.1:{self.port}", "CENTREX_WORKERS": "1",
               "CENTREX_CDR_BIND": f"127.0.0.1:{free_port()}", "CENTREX_CDR_WORKERS": "1",
               "CENTREX_ESL_NODES": f"127.0.0.1:{free_port()}:ClueCon",
               "CENTREX_FAX_INTAKE_BIND": f"127.0.0.1:{free_port()}", "PATH": f"{BIN}:{os.environ['PATH']}"}
        for name in ("CENTREX_DATABASE_URL", "XDG_RUNTIME_DIR", "CENTREX_CONTROL_SOCKET"):
            env.pop(name, None)
        root.mkdir(parents=True, exist_ok=True)
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def control_socket(self) -> Path:
        return self.folder / f"gunicorn-127.0.0.1_{self.port}.ctl"

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=5).read()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.5)
        pytest.fail(f"run.sh did not serve within 120 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def listeners(control_socket: Path) -> str:
    """What `gunicornc -s SOCKET -c "show listeners"` says (its listening addresses), or why it cannot."""
    if not control_socket.exists():
        return "no such socket"
    done = subprocess.run([str(BIN / "gunicornc"), "-s", str(control_socket), "-c", "show listeners", "-j"],
                          capture_output=True, text=True, timeout=30)
    if done.returncode:
        return f"gunicornc failed: {done.stdout}{done.stderr}"
    return " ".join(sorted(item["address"] for item in json.loads(done.stdout)["listeners"]))


def wait_for_socket(path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not path.exists():
        time.sleep(0.2)


def test_two_instances_on_one_host_keep_their_own_control_sockets(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    user_default = home / ".gunicorn" / "gunicorn.ctl"  # gunicorn's default: one per user
    first = Instance(tmp_path / "a", home)
    second = None
    try:
        first.wait_until_serving()
        second = Instance(tmp_path / "b", home)
        second.wait_until_serving()
        for instance in (first, second):
            wait_for_socket(instance.control_socket)
        seen = {name: listeners(instance.control_socket) for name, instance in (("first", first), ("second", second))}
        seen["~/.gunicorn/gunicorn.ctl"] = listeners(user_default)
        assert seen == {"first": f"http://127.0.0.1:{first.port}", "second": f"http://127.0.0.1:{second.port}",
                        "~/.gunicorn/gunicorn.ctl": "no such socket"}
        assert stat.S_ISSOCK(first.control_socket.stat().st_mode)
        assert stat.S_IMODE(first.control_socket.stat().st_mode) == 0o600  # the user's own, as by default

        first.stop()  # stopping one instance leaves the other's socket alone
        assert not first.control_socket.exists()
        assert listeners(second.control_socket) == f"http://127.0.0.1:{second.port}"
    finally:
        first.stop()
        if second is not None:
            second.stop()
