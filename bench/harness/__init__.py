"""Shared pieces of the `make bench` scripts: throwaway databases, bulk data, a gunicorn server,
the wrk load generator and the report. The scripts in bench/ import it as `harness`."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # the product's packages, even without the editable install
    sys.path.insert(0, str(REPO))

GOAL_MISSED = 1   # exit status of a bench script whose goal was missed
CANNOT_RUN = 2    # exit status when the bench could not measure at all


def fixtures_dir() -> Path:
    """The captures of a real FreeSWITCH (shared/fixtures/freeswitch): $CENTREX_FIXTURES, else ../shared
    beside this checkout or beside the main checkout of this worktree."""
    import os
    import subprocess

    candidates = [os.environ.get("CENTREX_FIXTURES"), REPO.parent / "shared" / "fixtures" / "freeswitch"]
    common = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--git-common-dir"],
                            capture_output=True, text=True, check=False).stdout.strip()
    if common:
        candidates.append((REPO / common).resolve().parent.parent / "shared" / "fixtures" / "freeswitch")
    for candidate in candidates:
        if candidate and (Path(candidate) / "xml_curl").is_dir():
            return Path(candidate).resolve()
    raise RuntimeError("FreeSWITCH captures not found: set CENTREX_FIXTURES to shared/fixtures/freeswitch")


def read_capture(fixtures: Path, name: str) -> tuple[str, bytes]:
    """(request path, urlencoded body) of a captured mod_xml_curl request."""
    raw = (fixtures / "xml_curl" / name).read_bytes()
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    return head.split(b"\n", 1)[0].split()[1].decode(), body.strip()
