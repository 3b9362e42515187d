"""Call history through the API: filters by date, user, number and direction, pages, CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from api_testing import bearer, key_for
from centrex.models import CallRecord
from centrex.platform.db import db

pytestmark = pytest.mark.smoke  # also run on SQLite, the embedded default

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def record(tenant, n, **values):
    values.setdefault("direction", "internal")
    db.session.add(
        CallRecord(
            tenant_id=tenant.id,
            call_uuid=f"{tenant.id}-{n}",
            started_at=T0 + timedelta(hours=n),
            ended_at=T0 + timedelta(hours=n, minutes=2),
            duration=120,
            billsec=100,
            **values,
        )
    )


@pytest.fixture
def history(demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    record(dupont, 0, caller_number="1001", dialed_number="1002", destination="1002", answered_by="1002")
    record(
        dupont,
        1,
        direction="inbound",
        caller_number="+41791112233",
        caller_name='=HYPERLINK("x")',
        did="+41215550100",
        destination="1000",
        answered_by="1000",
    )
    record(
        dupont,
        2,
        direction="outbound",
        caller_number="1001",
        dialed_number="0213123456",
        destination="+41213123456",
    )
    record(martin, 0, caller_number="1001", dialed_number="1002", destination="1002", answered_by="1002")
    db.session.flush()
    return key_for(dupont, ["cdr:read"])


def ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.get_json()
    return [item["call_id"] for item in answer.get_json()["items"]]


def test_filters_by_date_user_number_and_direction(client, demo, history):
    d = demo["dupont.example"].id
    get = lambda query: client.get(f"/api/v1/cdrs?{query}", headers=bearer(history))  # noqa: E731
    assert ids(get("")) == [f"{d}-2", f"{d}-1", f"{d}-0"]  # newest first, Dupont's only
    assert ids(get("from=2026-11-02T10:00:00Z&to=2026-11-02T11:00:00Z")) == [f"{d}-1"]
    assert ids(get("user=1001")) == [f"{d}-2", f"{d}-0"]
    assert ids(get("user=1000")) == [f"{d}-1"]
    assert ids(get("number=0791112233")) == [f"{d}-1"]  # national form of the caller's number
    assert ids(get("number=%2B41213123456")) == [f"{d}-2"]
    assert ids(get("direction=outbound")) == [f"{d}-2"]
    first = get("per_page=2").get_json()
    assert (len(first["items"]), first["total"], first["page"]) == (2, 3, 1)
    assert ids(get("per_page=2&page=2")) == [f"{d}-0"]
    bad = get("from=2026-11-03T00:00:00Z&to=2026-11-02T00:00:00Z")
    assert bad.status_code == 422 and bad.get_json()["fields"] == {"to": ["Must be after 'from'."]}
    assert get("direction=sideways").status_code == 422


def test_csv_has_a_header_every_call_and_no_spreadsheet_formulas(client, demo, history):
    answer = client.get("/api/v1/cdrs.csv?direction=inbound", headers=bearer(history))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [row["call_id"] for row in rows] == [f"{demo['dupont.example'].id}-1"]
    assert rows[0]["caller_name"] == '\'=HYPERLINK("x")'
    assert rows[0]["caller_number"] == "+41791112233" and rows[0]["billsec"] == "100"
    assert rows[0]["started_at"] == "2026-11-02T10:00:00+00:00"
