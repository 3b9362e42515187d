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
    """The captures of a real FreeSWITCH 1.10.12, kept in the repository (tests/fixtures/freeswitch)."""
    return REPO / "tests" / "fixtures" / "freeswitch"


def read_capture(fixtures: Path, name: str) -> tuple[str, bytes]:
    """(request path, urlencoded body) of a captured mod_xml_curl request."""
    raw = (fixtures / "xml_curl" / name).read_bytes()
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    return head.split(b"\n", 1)[0].split()[1].decode(), body.strip()


def sip_secret_key() -> str:
    """A fresh key for the users' SIP secrets (CENTREX_SIP_SECRET_KEY)."""
    from centrex.platform.crypto import SecretBox
    return SecretBox.new_key()


def verdict(missed: list[str]) -> int:
    """Print each goal missed; the script's exit status (0 when every goal was met)."""
    for line in missed:
        print(f"GOAL MISSED: {line}")
    return GOAL_MISSED if missed else 0


def run_bench(main, logs: str) -> None:
    """Exit with main()'s status, or CANNOT_RUN saying why when it could not measure (logs: where to look)."""
    try:
        sys.exit(main())
    except (RuntimeError, OSError) as exc:
        print(f"bench could not measure: {exc} (gunicorn logs in {logs})", file=sys.stderr)
        sys.exit(CANNOT_RUN)
