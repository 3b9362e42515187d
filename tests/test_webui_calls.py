"""Call history pages: a client's calls (filters, charts, CSV), every client's for the operator, one's
own in self-care. The calls are the captured FreeSWITCH events, imported through centrex.calls.journal; Martin
Sàrl gets the same calls under fresh UUIDs (same extensions), and must never show on Dupont's pages."""

from __future__ import annotations

import csv
import io

import pytest

from cdr_captures import hangups, headers_of, plain_text, session1_hangups, with_fresh_uuids
from centrex.calls import journal as cdr
from centrex.platform.db import db
from webui_testing import ADMIN_DUPONT, OPERATOR, USER_DUPONT, login, text

OUTCOME = "events-plain-outcome_d-sequential.bin"


def import_events(messages):
    entries = [cdr.entry_from_event(headers_of(m), plain_text(m), node="127.0.0.1:8021") for m in messages]
    cdr.import_calls(cdr.journal(entries))


@pytest.fixture
def calls(demo):
    """Dupont's captured calls, and a copy of one of them for Martin Sàrl (fresh UUIDs)."""
    import_events(session1_hangups() + hangups(OUTCOME))
    martin = with_fresh_uuids(hangups(OUTCOME), {b"dupont.example": b"martin.example",
                                                 b"accountcode: dupont": b"accountcode: martin"})
    import_events(martin)
    db.session.commit()
    return {domain: cdr.calls(tenant.id, limit=1000) for domain, tenant in demo.items()}


def rows_of(response) -> list[dict[str, str]]:
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_admin_sees_the_company_calls_with_charts_and_no_other_company(client, demo, calls):
    login(client, ADMIN_DUPONT)
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    assert calls["dupont.example"] and calls["martin.example"]
    page = text(client.get(f"/t/{dupont.id}/calls"))
    answered = sum(c.answered_at is not None for c in calls["dupont.example"])
    missed = len(calls["dupont.example"]) - answered
    assert f"{len(calls['dupont.example'])} appels : {answered} répondus, {missed} manqués" in page
    assert 'class="bars"' in page and "Heures les plus chargées" in page
    for call in calls["dupont.example"]:
        assert call.caller_number in page
    assert client.get(f"/t/{martin.id}/calls").status_code == 404
    assert client.get(f"/t/{martin.id}/calls.csv").status_code == 404


def test_admin_csv_holds_exactly_the_filtered_calls(client, demo, calls):
    login(client, ADMIN_DUPONT)
    dupont = demo["dupont.example"]
    everything = rows_of(client.get(f"/t/{dupont.id}/calls.csv"))
    mine = calls["dupont.example"]
    assert len(everything) == len(mine)
    assert [r["caller_number"] for r in everything] == [c.caller_number for c in mine]
    assert [int(r["billsec"]) for r in everything] == [c.billsec for c in mine]
    with_1002 = [c for c in mine if "1002" in (c.caller_number, c.dialed_number, c.destination,
                                                          c.answered_by)]
    filtered = rows_of(client.get(f"/t/{dupont.id}/calls.csv?extension=1002"))
    assert with_1002 and len(filtered) == len(with_1002)
    assert rows_of(client.get(f"/t/{dupont.id}/calls.csv?since=2099-01-01")) == []
    day = min(c.started_at for c in mine).date().isoformat()
    assert len(rows_of(client.get(f"/t/{dupont.id}/calls.csv?until={day}&since={day}"))) >= 1
    assert rows_of(client.get(f"/t/{dupont.id}/calls.csv?direction=outbound")) == [
        r for r in everything if r["direction"] == "outbound"]


def test_operator_sees_every_client_and_filters_by_client(client, demo, calls):
    login(client, OPERATOR)
    martin = demo["martin.example"]
    page = text(client.get("/operator/calls"))
    assert "Martin Sàrl" in page and "Dupont SA" in page
    rows = rows_of(client.get("/operator/calls.csv"))
    assert len(rows) == len(calls["dupont.example"]) + len(calls["martin.example"])
    only_martin = rows_of(client.get(f"/operator/calls.csv?tenant={martin.id}"))
    assert {r["client"] for r in only_martin} == {"Martin Sàrl"}
    assert len(only_martin) == len(calls["martin.example"])


def test_a_user_sees_only_own_calls(client, demo, calls):
    login(client, USER_DUPONT)  # extension 1001
    rows = rows_of(client.get("/me/calls.csv"))
    expected = [c for c in calls["dupont.example"]
                if "1001" in (c.caller_number, c.dialed_number, c.destination, c.answered_by)]
    assert len(rows) == len(expected)
    page = text(client.get("/me/calls?extension=1002"))  # cannot widen to a colleague's calls
    assert page.count("<tr>") - 1 == max(len(expected), 1)
    assert client.get(f"/t/{demo['dupont.example'].id}/calls").status_code == 403


@pytest.mark.parametrize("path, account", [("/t/{dupont}/calls.csv", ADMIN_DUPONT), ("/operator/calls.csv", OPERATOR)])
def test_console_csv_never_hands_a_spreadsheet_a_formula(client, demo, calls, path, account):
    """Caller names come from outside callers (audit finding 4): the console's exports quote them as the
    API's export does."""
    call = calls["dupont.example"][0]
    call.caller_name = '=HYPERLINK("http://evil.example","clic")'
    db.session.commit()
    login(client, account)
    rows = rows_of(client.get(path.format(dupont=demo["dupont.example"].id)))
    names = [r["caller_name"] for r in rows if r["caller_number"] == call.caller_number]
    assert "'" + call.caller_name in names
    assert not any(cell.startswith(("=", "@")) for row in rows for cell in row.values())
    assert all(r["caller_number"] == "" or r["caller_number"].lstrip("+").isdigit() or
               r["caller_number"].isalnum() for r in rows)  # numbers stay numbers
