"""Call history (CDRs): a client's calls with filters, charts and CSV for its administrator, every
client's for the operator, one's own in self-care. Reads through centrex.platform.tenancy.scoped only."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Response, g, render_template, request
from sqlalchemy import Select, or_, select

from centrex.calls.history import csv_cell
from centrex.models import CallRecord, Tenant, User
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from webui.access import OPERATOR, STAFF, USER, allow
from webui.views import client, me, operator
from webui.views.operator_platform import all_tenants

PAGE_SIZE = 50
CHART_ROWS = 20000  # calls read for the charts at most (a busy client's month)
CSV_ROWS = 100000
CSV_COLUMNS = ("started_at", "direction", "caller_name", "caller_number", "dialed_number", "did",
               "answered_by", "answered_at", "ended_at", "duration", "billsec", "hangup_cause", "voicemail_box")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters() -> dict[str, str]:
    args = request.args
    return {name: args.get(name, "").strip() for name in ("since", "until", "extension", "number", "direction",
                                                          "tenant")}


def _involves(extension: str):
    return or_(CallRecord.caller_number == extension, CallRecord.dialed_number == extension,
               CallRecord.destination == extension, CallRecord.answered_by == extension)


def filtered(query: Select, filters: dict[str, str], zone: ZoneInfo, *, by_tenant: bool = False) -> Select:
    """`query` (already limited to what the reader may see) narrowed by the page's filters."""
    since, until = _day(filters["since"]), _day(filters["until"])
    if since:
        query = query.where(CallRecord.started_at >= datetime.combine(since, time.min, zone))
    if until:
        query = query.where(CallRecord.started_at < datetime.combine(until + timedelta(days=1), time.min, zone))
    if filters["extension"]:
        query = query.where(_involves(filters["extension"]))
    if filters["number"]:
        digits = filters["number"].replace(" ", "")
        query = query.where(or_(CallRecord.caller_number.contains(digits), CallRecord.dialed_number.contains(digits),
                                CallRecord.did.contains(digits)))
    if filters["direction"] in ("internal", "inbound", "outbound"):
        query = query.where(CallRecord.direction == filters["direction"])
    if by_tenant and filters["tenant"].isdigit():
        query = query.where(CallRecord.tenant_id == int(filters["tenant"]))
    return query


def _newest_first(query: Select) -> Select:
    return query.order_by(CallRecord.started_at.desc(), CallRecord.id.desc())


def charts(query: Select, zone: ZoneInfo) -> dict:
    """Calls per day, answered against missed, busiest hours: counted here, drawn as CSS bars."""
    rows = db.session.execute(_newest_first(query.with_only_columns(CallRecord.started_at, CallRecord.answered_at))
                              .limit(CHART_ROWS)).all()
    per_day, per_hour = Counter(), Counter()
    answered = 0
    for started, answered_at in rows:
        local = started.astimezone(zone) if started.tzinfo else started.replace(tzinfo=timezone.utc).astimezone(zone)
        per_day[local.date()] += 1
        per_hour[local.hour] += 1
        answered += answered_at is not None
    days = sorted(per_day.items())[-31:]
    return {
        "total": len(rows),
        "answered": answered,
        "missed": len(rows) - answered,
        "days": days,
        "day_max": max((n for _, n in days), default=0),
        "hours": [(h, per_hour.get(h, 0)) for h in range(24)],
        "hour_max": max(per_hour.values(), default=0),
    }


def page_of(query: Select) -> tuple[list[CallRecord], int, bool]:
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
    rows = db.session.execute(_newest_first(query).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars().all()
    return rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE


def csv_response(query: Select, zone: ZoneInfo, name: str, tenant_names: dict[int, str] | None = None) -> Response:
    """The filtered calls as CSV (UTF-8 with BOM so that spreadsheets read accents), local times."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow((("client",) if tenant_names is not None else ()) + CSV_COLUMNS)
    for call in db.session.execute(_newest_first(query).limit(CSV_ROWS)).scalars():
        values = []
        for column in CSV_COLUMNS:
            value = getattr(call, column)
            if isinstance(value, datetime):
                value = value.astimezone(zone).isoformat(timespec="seconds")
            values.append("" if value is None else csv_cell(value))
        client_name = [csv_cell(tenant_names.get(call.tenant_id, ""))] if tenant_names is not None else []
        writer.writerow(client_name + values)
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _zone(tenant: Tenant | None) -> ZoneInfo:
    try:
        return ZoneInfo(tenant.timezone if tenant else "Europe/Zurich")
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Zurich")


# --- client admin --------------------------------------------------------------------------------
def _tenant_calls() -> Select:
    return filtered(scoped(CallRecord, g.tenant.id), _filters(), _zone(g.tenant))


@client.bp.get("/calls")
@allow(*STAFF)
def calls():
    query = _tenant_calls()
    rows, page, more = page_of(query)
    users = {u.extension: u.name for u in db.session.execute(scoped(User, g.tenant.id)).scalars()}
    return render_template("console/calls/client.html", calls=rows, page=page, more=more, filters=_filters(),
                           chart=charts(query, _zone(g.tenant)), names=users, zone=_zone(g.tenant))


@client.bp.get("/calls.csv")
@allow(*STAFF)
def calls_csv():
    return csv_response(_tenant_calls(), _zone(g.tenant), f"calls-{g.tenant.domain}")


# --- operator: every client ----------------------------------------------------------------------
def _all_calls() -> Select:
    return filtered(select(CallRecord), _filters(), _zone(None), by_tenant=True)


@operator.bp.get("/calls")
@allow(OPERATOR)
def all_calls():
    rows, page, more = page_of(_all_calls())
    tenants = all_tenants()
    return render_template("console/calls/operator.html", calls=rows, page=page, more=more, filters=_filters(),
                           tenants=tenants, tenant_names={t.id: t.name for t in tenants}, zone=_zone(None))


@operator.bp.get("/calls.csv")
@allow(OPERATOR)
def all_calls_csv():
    return csv_response(_all_calls(), _zone(None), "calls-all-clients", {t.id: t.name for t in all_tenants()})


# --- self-care: one's own calls ------------------------------------------------------------------
def _own_calls() -> tuple[Select, ZoneInfo]:
    user = me.own_user()
    filters = _filters() | {"extension": user.extension}
    zone = _zone(g.tenant)
    return filtered(scoped(CallRecord, user.tenant_id), filters, zone), zone


@me.bp.get("/calls")
@allow(USER)
def my_calls():
    query, zone = _own_calls()
    rows, page, more = page_of(query)
    return render_template("console/calls/mine.html", calls=rows, page=page, more=more, filters=_filters(),
                           zone=zone)


@me.bp.get("/calls.csv")
@allow(USER)
def my_calls_csv():
    query, zone = _own_calls()
    return csv_response(query, zone, "my-calls")
