"""The Dupont SA scenario of the client's manual, on the demo data as `load-demo` creates it, through the
dry run (load from the database + the engine, the same path as the dialplan)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from centrex.demo.companies import DUPONT_MAIN, DUPONT_SALES
from centrex.demo.routing import ALAIN_SECOND_OFFICE
from centrex.routing.explain import explain_call

pytestmark = pytest.mark.smoke

OUTSIDE = "+41791112233"
ON_CALL_MOBILES = ["+41791234568", "+41791234569", "+41791234570", "+41791234571"]
SALES_PHONES = ["1001", "1002", "1005"]


def explain(demo, caller, destination, when, domain="dupont.example"):
    at = datetime.strptime(when, "%Y-%m-%d %H:%M") if isinstance(when, str) else when
    return explain_call(demo[domain].id, caller, destination, at)


def executed(steps):
    return [s for s in steps if s["kind"] not in ("decision", "set", "limit", "transfer", "announcement")]


def first(steps):
    return executed(steps)[0]


def legs(step):
    assert step["kind"] == "ring", step
    return [leg["address"] for leg in step["legs"]]


def branch(step, outcome):
    return next(b["steps"] for b in step["branches"] if outcome in b["outcomes"])


def is_main_voicemail(steps):
    return executed(steps) == [{**first(steps), "kind": "voicemail", "box": "1000", "language": "fr"}]


def test_tuesday_0900_main_number_rings_mme_dumas_then_her_voicemail(demo):
    result = explain(demo, OUTSIDE, DUPONT_MAIN, "2026-12-01 09:00")
    assert result["weekday"] == "tuesday"
    ring = first(result["steps"])
    assert legs(ring) == ["1000"] and ring["legs"][0]["label"] == "Claire Dumas"
    for outcome in ("busy", "no_answer", "offline"):
        assert is_main_voicemail(branch(ring, outcome))
    texts = [s["text"]["fr"] for s in result["steps"]]
    assert any("Heures d'ouverture" in t and "Bureau matin" in t for t in texts)


@pytest.mark.parametrize("when", ["2026-12-01 13:00", "2026-12-01 19:00", "2026-12-05 20:00",
                                  "2026-12-06 19:00", "2026-12-01 07:59"])
def test_outside_office_hours_the_main_number_goes_to_its_voicemail(demo, when):
    assert is_main_voicemail(explain(demo, OUTSIDE, DUPONT_MAIN, when)["steps"])


def test_saturday_1000_on_call_mobiles_one_by_one(demo):
    ring = first(explain(demo, OUTSIDE, DUPONT_MAIN, "2026-12-05 10:00")["steps"])
    assert ring["mode"] == "sequential" and legs(ring) == ON_CALL_MOBILES
    assert all(leg["kind"] == "external" and leg["ring_seconds"] >= 20 for leg in ring["legs"])
    assert all(leg["caller_id"] == OUTSIDE for leg in ring["legs"])  # the on-call mobile sees who calls
    assert is_main_voicemail(branch(ring, "no_answer"))


def test_holiday_the_office_stays_closed(demo):
    result = explain(demo, OUTSIDE, DUPONT_MAIN, "2026-12-25 10:00")  # Christmas, a Friday
    assert is_main_voicemail(result["steps"])
    assert any(s["note"] == "schedule_exception" and "Noël" in s["text"]["fr"] for s in result["steps"])
    assert legs(first(explain(demo, OUTSIDE, DUPONT_MAIN, "2027-12-24 10:00")["steps"])) == ["1000"]


@pytest.mark.parametrize("utc, on_call", [
    (datetime(2026, 3, 29, 5, 30, tzinfo=timezone.utc), True),    # 07:30 CEST: first Sunday of summer time
    (datetime(2026, 3, 29, 4, 30, tzinfo=timezone.utc), False),   # 06:30 CEST
    (datetime(2026, 10, 25, 5, 30, tzinfo=timezone.utc), False),  # 06:30 CET: first Sunday of winter time
    (datetime(2026, 10, 25, 6, 30, tzinfo=timezone.utc), True),   # 07:30 CET
    (datetime(2026, 10, 25, 17, 59, tzinfo=timezone.utc), True),  # 18:59 CET
])
def test_dst_sundays_on_call_follows_the_local_clock(demo, utc, on_call):
    steps = explain(demo, OUTSIDE, DUPONT_MAIN, utc)["steps"]
    assert (first(steps)["kind"] == "ring" and legs(first(steps)) == ON_CALL_MOBILES) is on_call


def test_sales_number_mornings_all_sales_phones_then_the_main_number(demo):
    ring = first(explain(demo, OUTSIDE, DUPONT_SALES, "2026-12-01 09:00")["steps"])
    assert ring["mode"] == "simultaneous" and legs(ring) == SALES_PHONES
    after = branch(ring, "no_answer")  # 30 s later, the main number's schedule: Mme Dumas
    assert legs(first(after)) == ["1000"]
    assert any("Heures d'ouverture" in s["text"]["fr"] for s in after)


@pytest.mark.parametrize("when, expect_claire", [("2026-12-01 15:00", True), ("2026-12-01 12:30", False),
                                                 ("2026-12-05 10:00", None)])
def test_sales_number_afternoon_goes_to_the_main_number_schedule(demo, when, expect_claire):
    steps = explain(demo, OUTSIDE, DUPONT_SALES, when)["steps"]
    if expect_claire:
        assert legs(first(steps)) == ["1000"]
    elif expect_claire is None:  # Saturday: the main number's on-call service
        assert legs(first(steps)) == ON_CALL_MOBILES
    else:
        assert is_main_voicemail(steps)


def test_support_cascade_support_sales_main_number_voicemail(demo):
    """Mme Dumas sends a caller to the support team's short number at 10:00 on a Tuesday."""
    support = first(explain(demo, "1000", "2001", "2026-12-01 10:00")["steps"])
    assert legs(support) == ["1003", "1004"]
    sales = first(branch(support, "no_answer"))
    assert legs(sales) == SALES_PHONES
    back_to_main = first(branch(sales, "no_answer"))
    assert legs(back_to_main) == ["1000"]
    assert is_main_voicemail(branch(back_to_main, "no_answer"))


def test_support_is_an_internal_short_number_only(demo):
    from sqlalchemy import select

    from centrex.models import Number, RingGroup
    from centrex.platform.db import db

    support = db.session.execute(select(RingGroup).where(RingGroup.name == "Support")).scalar_one()
    assert support.extension == "2001"
    assert db.session.execute(select(Number).where(Number.dest_type == "ring_group",
                                                   Number.dest_id == support.id)).first() is None


def test_alain_offline_mobile_no_answer_second_office_busy_sales(demo):
    for caller, number in (("1002", "1001"), (OUTSIDE, "+41215550102")):
        ring = first(explain(demo, caller, number, "2026-12-01 09:00")["steps"])
        assert legs(ring) == ["1001"] and ring["timeout"] == 60
        assert legs(first(branch(ring, "offline"))) == ["+41791234567"]
        second_office = first(branch(ring, "no_answer"))
        assert legs(second_office) == [ALAIN_SECOND_OFFICE]
        assert executed(branch(second_office, "no_answer"))[0]["box"] == "1001"  # then his voicemail
        assert legs(first(branch(ring, "busy"))) == ["1002", "1005"]  # the sales team but Alain, who is busy


def test_same_extension_in_another_company_gets_nothing_of_dupont(demo):
    result = explain(demo, "1000", "1001", "2026-12-01 09:00", domain="martin.example")
    ring = first(result["steps"])
    assert legs(ring) == ["1001"] and ring["legs"][0]["label"] == "Pierre Martin"
    assert ring["timeout"] == 30 and {b["steps"][-1]["kind"] for b in ring["branches"]} == {"voicemail"}
    assert "dupont" not in str(result)


def test_sales_number_greets_callers_before_it_rings(demo):
    steps = explain(demo, OUTSIDE, DUPONT_SALES, "2026-12-01 09:00")["steps"]
    kinds = [s["kind"] for s in steps]
    announcement = steps[kinds.index("announcement")]
    assert kinds.index("announcement") < kinds.index("ring")
    assert "pré-décroché" in announcement["text"]["fr"] and announcement["path"].endswith(".wav")
    main = [s["kind"] for s in explain(demo, OUTSIDE, DUPONT_MAIN, "2026-12-01 09:00")["steps"]]
    assert "announcement" not in main
