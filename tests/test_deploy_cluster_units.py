"""deploy/systemd-cluster/: the units of the cluster deployment (README "Scaling out") pass
`systemd-analyze verify` where their programs are installed, restart on failure, and Kamailio's checks
its configuration first and keeps kamcmd's default control socket folder."""
from __future__ import annotations

import shutil
import subprocess
from configparser import ConfigParser
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "deploy" / "systemd-cluster"
PROGRAMS = {"centrex-edge.service": "/usr/sbin/kamailio",
            "centrex-freeswitch.service": "/opt/freeswitch/bin/freeswitch"}


def unit(name: str) -> ConfigParser:
    parser = ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name)
    return parser


def test_each_cluster_process_has_a_unit_that_restarts_it():
    assert sorted(p.name for p in UNITS.glob("*.service")) == sorted(PROGRAMS)
    for name, program in PROGRAMS.items():
        service = unit(name)["Service"]
        assert service["Restart"] == "always" and service["ExecStart"].startswith(program)
    edge = unit("centrex-edge.service")
    assert edge["Service"]["ExecStartPre"].startswith("/usr/sbin/kamailio -c ")
    assert edge["Service"]["RuntimeDirectory"] == "kamailio" and "-Y /run/kamailio" in edge["Service"]["ExecStart"]
    assert edge["Unit"]["Conflicts"] == "kamailio.service"


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_the_unit_passes_systemd_analyze_verify(name, tmp_path):
    if shutil.which("systemd-analyze") is None or not Path(PROGRAMS[name]).exists():
        pytest.skip(f"systemd-analyze or {PROGRAMS[name]} not installed")
    copy = tmp_path / name
    copy.write_text((UNITS / name).read_text())
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and not output, output
