"""A tenant's call history for integrations: call records filtered by date, user, number and direction,
a page at a time or as CSV; the same shape in the API and in the `call.ended` webhook."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema
from sqlalchemy import func, or_

from centrex.models import CallRecord, Tenant
from centrex.models.cdr import CALL_DIRECTIONS
from centrex.platform import validate
from centrex.platform.db import db
from centrex.platform.errors import N_
from centrex.platform.schemas import EXTENSION_RE
from centrex.platform.tenancy import scoped
from centrex.routing.engine import dialing


class UtcDateTime(fields.DateTime):
    """RFC 3339 with its offset; naive values (SQLite gives those back) are UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class CallRecordSchema(Schema):
    """One call as integrations see it."""

    call_id = fields.String(required=True, attribute="call_uuid")
    direction = fields.String(required=True, metadata={"enum": list(CALL_DIRECTIONS)})
    caller_name = fields.String(allow_none=True, required=True)
    caller_number = fields.String(allow_none=True, required=True)
    dialed_number = fields.String(allow_none=True, required=True)
    destination = fields.String(allow_none=True, required=True)
    did = fields.String(
        allow_none=True, required=True, metadata={"description": "The company number called."}
    )
    answered_by = fields.String(allow_none=True, required=True, metadata={"description": "Extension."})
    started_at = UtcDateTime(required=True)
    answered_at = UtcDateTime(allow_none=True, required=True)
    ended_at = UtcDateTime(allow_none=True, required=True)
    duration = fields.Integer(required=True, metadata={"description": "Seconds from start to end."})
    billsec = fields.Integer(required=True, metadata={"description": "Seconds talked."})
    hangup_cause = fields.String(allow_none=True, required=True)
    voicemail_box = fields.String(allow_none=True, required=True)
    fax_status = fields.String(allow_none=True, required=True)


class CallFilterSchema(Schema):
    """?from=&to=&user=&number=&direction=&page=&per_page="""

    class Meta:
        unknown = EXCLUDE

    since = fields.AwareDateTime(
        data_key="from",
        load_default=None,
        default_timezone=timezone.utc,
        metadata={"description": "Calls started at or after (ISO 8601)."},
    )
    until = fields.AwareDateTime(
        data_key="to",
        load_default=None,
        default_timezone=timezone.utc,
        metadata={"description": "Calls started before (ISO 8601)."},
    )
    user = fields.String(
        load_default=None,
        validate=validate.Regexp(EXTENSION_RE),
        metadata={"description": "An extension: calls it made, took or was called on."},
    )
    number = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\+?[0-9]{2,20}$"),
        metadata={"description": "A phone number the call came from or went to."},
    )
    direction = fields.String(load_default=None, validate=validate.OneOf(CALL_DIRECTIONS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

    @validates_schema
    def period(self, data, **_):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError({"to": [N_("Must be after 'from'.")]})


_record_schema = CallRecordSchema()


def shown(record: CallRecord) -> dict:
    return _record_schema.dump(record)


def _filtered(tenant: Tenant, filters: dict):
    query = scoped(CallRecord, tenant.id)
    if filters.get("since"):
        query = query.where(CallRecord.started_at >= filters["since"])
    if filters.get("until"):
        query = query.where(CallRecord.started_at < filters["until"])
    if filters.get("direction"):
        query = query.where(CallRecord.direction == filters["direction"])
    if filters.get("user"):
        ext = filters["user"]
        query = query.where(
            or_(
                CallRecord.caller_number == ext,
                CallRecord.answered_by == ext,
                CallRecord.dialed_number == ext,
                CallRecord.destination == ext,
            )
        )
    if filters.get("number"):
        forms = {
            filters["number"],
            dialing.carrier_e164(filters["number"], tenant.country) or filters["number"],
        }
        columns = (CallRecord.caller_number, CallRecord.dialed_number, CallRecord.did, CallRecord.destination)
        query = query.where(or_(*(column.in_(forms) for column in columns)))
    return query


def page(tenant: Tenant, filters: dict, *, offset: int | None = None) -> dict:
    """{"items": [...], "page", "per_page", "total"}: newest first (from `offset` when given)."""
    query = _filtered(tenant, filters)
    total = db.session.execute(query.with_only_columns(func.count(CallRecord.id)).order_by(None)).scalar_one()
    size = filters.get("per_page", 50)
    number = filters.get("page", 1)
    rows = db.session.execute(
        query.order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
        .limit(size)
        .offset((number - 1) * size if offset is None else offset)
    ).scalars()
    return {"items": list(rows), "page": number, "per_page": size, "total": total}


CSV_LIMIT = 100000


def as_csv(tenant: Tenant, filters: dict) -> str:
    """The filtered calls (newest first, up to CSV_LIMIT) as CSV, one line per call, with a header."""
    out = io.StringIO()
    columns = list(CallRecordSchema().fields)
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    query = _filtered(tenant, filters).order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
    for record in db.session.execute(query.limit(CSV_LIMIT)).scalars():
        writer.writerow({k: csv_cell(v) for k, v in shown(record).items()})
    return out.getvalue()


def csv_cell(value):
    """A value as a spreadsheet may show it but never run it: text starting like a formula ("=", "+", "-",
    "@", tab, carriage return; a caller name "=HYPERLINK(…)") gets a leading quote, numbers stay numbers.
    Every CSV export (API and console) writes its cells through here."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    return value[:1] in "+-" and value[1:].isdigit() or value.isdigit()


def calls_per_hour(tenant: Tenant, now: datetime) -> list[int]:
    """Today's calls (in the tenant's time zone) started in each hour 0–23: the dashboard's chart."""
    zone = ZoneInfo(tenant.timezone or "Europe/Zurich")
    start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    counts = [0] * 24
    rows = db.session.execute(scoped(CallRecord, tenant.id).with_only_columns(CallRecord.started_at).where(
        CallRecord.started_at >= start.astimezone(timezone.utc),
        CallRecord.started_at < (start + timedelta(days=1)).astimezone(timezone.utc))).scalars()
    for started in rows:
        if started.tzinfo is None:  # SQLite gives naive UTC back
            started = started.replace(tzinfo=timezone.utc)
        counts[started.astimezone(zone).hour] += 1
    return counts
