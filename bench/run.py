"""`make bench`: runs every bench/*.py script except this one, one after the other, then a summary.

Each script is a standalone program (run it alone the same way: scripts/with-postgres.sh .venv/bin/python
bench/<name>.py) that prints its figures and exits 0 when its goals are met, 1 when one is missed, and
anything else when it could not measure. Shared helpers live in the bench/harness package (and files
named _*.py, such as a package's __init__.py, are not scripts).
Usage: bench/run.py [NAME ...]   (only the scripts whose name contains one of the NAMEs)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERDICTS = {0: "goals met", 1: "GOAL MISSED"}


def scripts(selected: list[str]) -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py")
                   if p.resolve() != Path(__file__).resolve() and not p.name.startswith("_"))
    return [p for p in found if not selected or any(name in p.stem for name in selected)]


def main(argv: list[str]) -> int:
    chosen = scripts(argv)
    if not chosen:
        print(f"bench: no script matches {argv}", file=sys.stderr)
        return 2
    summary = []
    for script in chosen:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.monotonic()
        status = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False).returncode
        summary.append((script.name, status, time.monotonic() - started))
    print("\n=== summary ===")
    for name, status, seconds in summary:
        verdict = VERDICTS.get(status, f"COULD NOT MEASURE (exit {status})")
        print(f"{name:<32} {verdict:<34} {seconds:6.0f} s")
    return 0 if all(status == 0 for _, status, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
