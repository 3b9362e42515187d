"""The `call.ended` webhook: announced once a call's record is imported (the ESL listener does it right
after its import; the outbox worker's task catches what came another way, e.g. xml_cdr posts or a spool
import, or was missed). Idempotent by the call's UUID."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import exists, literal, select

from centrex.calls.history import shown
from centrex.models import ApiCall, CallRecord, WebhookEvent, WebhookSubscription
from centrex.platform import outbox
from centrex.platform.db import db
from centrex.webhooks import subscriptions as webhooks

CATCH_UP_WINDOW = timedelta(hours=6)


def announce(record: CallRecord) -> None:
    """Queue `call.ended` for this record (nothing when nobody subscribed, or already done)."""
    click = db.session.execute(
        select(ApiCall.id).where(ApiCall.tenant_id == record.tenant_id, ApiCall.id == record.call_uuid)
    ).scalar_one_or_none()
    webhooks.emit(
        record.tenant_id, "call.ended", record.call_uuid, {**shown(record), "click_to_call_id": click}
    )


def announce_calls(call_uuids) -> int:
    """Announce the records of these calls (flushes); returns how many were announced. One query finds
    the companies listening for `call.ended`: the calls of all the others cost nothing more."""
    listening = subscribed_tenants("call.ended")
    if not listening:
        return 0
    uuids = sorted(set(call_uuids))
    records = db.session.execute(select(CallRecord).where(CallRecord.call_uuid.in_(uuids),
                                                          CallRecord.tenant_id.in_(sorted(listening)))
                                 ).scalars().all()
    for record in records:
        announce(record)
    return len(records)


def subscribed_tenants(event_type: str) -> set[int]:
    """Companies with an active subscription to `event_type` (the event list is JSON: filtered here)."""
    rows = db.session.execute(select(WebhookSubscription.tenant_id, WebhookSubscription.events)
                              .where(WebhookSubscription.active.is_(True))).all()
    return {tenant_id for tenant_id, events in rows if event_type in (events or [])}


def catch_up(now: datetime | None = None) -> int:
    """Worker task: records imported lately (after the subscription was made) that were not announced."""
    now = now or datetime.now(timezone.utc)
    since_by_tenant: dict[int, datetime] = {}
    for subscription in db.session.execute(
        select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    ).scalars():
        if "call.ended" in (subscription.events or []):
            created = (
                subscription.created_at
                if subscription.created_at.tzinfo
                else subscription.created_at.replace(tzinfo=timezone.utc)
            )
            start = max(created, now - CATCH_UP_WINDOW)
            since_by_tenant[subscription.tenant_id] = min(
                start, since_by_tenant.get(subscription.tenant_id, start)
            )
    announced = 0
    for tenant_id, since in since_by_tenant.items():
        done = exists().where(WebhookEvent.ref == literal("call.ended:") + CallRecord.call_uuid)
        records = (
            db.session.execute(
                select(CallRecord)
                .where(CallRecord.tenant_id == tenant_id, CallRecord.imported_at >= since, ~done)
                .order_by(CallRecord.id)
                .limit(500)
            )
            .scalars()
            .all()
        )
        for record in records:
            announce(record)
        announced += len(records)
        db.session.commit()
    return announced


outbox.register_task(catch_up)
