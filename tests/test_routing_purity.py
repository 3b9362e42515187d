"""The routing engine is pure: importing and running it pulls in no database, web or FreeSWITCH code."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

PROBE = """
import sys
from datetime import datetime, timezone
from centrex.routing.engine import route
from centrex.routing.plan import Call, TenantConfig, UserEntry
config = TenantConfig(1, "a.example", users={"1000": UserEntry(1, "1000", "A")})
plan = route(config, Call("a.example", "1000"), datetime.now(timezone.utc), expand=True)
assert plan.steps
print(" ".join(sorted(m for m in ("flask", "sqlalchemy", "lxml", "ESL", "werkzeug") if m in sys.modules)))
"""


def test_engine_imports_no_adapter_nor_database():
    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=repo, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
