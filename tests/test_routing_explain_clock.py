"""The dry run at a local time the clocks skip or show twice (DST nights, Europe/Zurich): it says which
instant the engine really routes, in French and English, and routes that instant (as FreeSWITCH would)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from centrex.demo.companies import DUPONT_MAIN
from centrex.routing.engine.schedule import local_time, wall_time_gap
from centrex.routing.explain import explain_call

pytestmark = pytest.mark.smoke
ZURICH = "Europe/Zurich"


def test_wall_time_gap():
    assert wall_time_gap(datetime(2026, 3, 29, 2, 30), ZURICH) == "missing"
    assert wall_time_gap(datetime(2026, 10, 25, 2, 30), ZURICH) == "twice"
    assert wall_time_gap(datetime(2026, 3, 29, 3, 30), ZURICH) is None
    assert wall_time_gap(datetime(2026, 12, 7, 2, 30), ZURICH) is None


def test_local_time_of_a_missing_wall_time_is_the_real_instant():
    missing = datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo(ZURICH))  # fold=0: +01:00, i.e. 01:30 UTC
    assert local_time(missing, ZURICH).isoformat() == "2026-03-29T03:30:00+02:00"


def test_dry_run_in_the_missing_hour_names_the_real_time(demo):
    result = explain_call(demo["dupont.example"].id, "+41791112233", DUPONT_MAIN, datetime(2026, 3, 29, 2, 30))
    assert result["at"] == "2026-03-29T03:30+02:00"  # not 02:30+01:00, a time no clock shows
    clock = result["steps"][0]
    assert clock["note"] == "clock_missing"
    assert "02:30 n’existe pas le 2026-03-29" in clock["text"]["fr"]
    assert "01:30 UTC" in clock["text"]["fr"] and "03:30 (+02:00)" in clock["text"]["fr"]
    assert "02:30 does not exist on 2026-03-29" in clock["text"]["en"]
    assert "routed as at 03:30 (+02:00)" in clock["text"]["en"]
    assert not any("02:30" in step["text"]["fr"] for step in result["steps"][1:])  # the schedule read 03:30
    assert any("2026-03-29 03:30" in step["text"]["fr"] for step in result["steps"][1:])


def test_dry_run_in_the_repeated_hour_takes_the_first(demo):
    result = explain_call(demo["dupont.example"].id, "+41791112233", DUPONT_MAIN, datetime(2026, 10, 25, 2, 30))
    assert result["at"] == "2026-10-25T02:30+02:00"
    clock = result["steps"][0]
    assert clock["note"] == "clock_twice"
    assert "a lieu deux fois" in clock["text"]["fr"] and "00:30 UTC" in clock["text"]["fr"]
    assert "02:30 (+01:00) = 01:30 UTC" in clock["text"]["en"]


def test_an_ordinary_time_has_no_clock_note(demo):
    result = explain_call(demo["dupont.example"].id, "+41791112233", DUPONT_MAIN, datetime(2026, 3, 29, 3, 30))
    assert all(step["note"] not in ("clock_missing", "clock_twice") for step in result["steps"])


def test_cli_prints_the_real_time_and_the_clock_note(app, demo):
    from centrex.platform.db import db

    db.session.commit()  # the CLI runs in its own app context on the same connection
    runner = app.test_cli_runner()
    args = ["route", "explain", "--tenant", "dupont.example", "--from", "+41791112233", "--to", "+41215550100",
            "--at", "2026-03-29 02:30"]
    french = runner.invoke(args=args)
    assert french.exit_code == 0, french.output
    header, first = french.output.splitlines()[:2]
    assert "2026-03-29T03:30+02:00" in header and "02:30+01:00" not in french.output
    assert first.startswith("1. 02:30 n’existe pas le 2026-03-29")
    english = runner.invoke(args=args + ["--lang", "en"])
    assert "02:30 does not exist on 2026-03-29" in english.output
