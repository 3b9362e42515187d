"""Webhooks of a tenant: subscriptions (a URL, the events it wants, its own signing secret), and events
emitted once each, fanned out into one delivery per interested subscription. Delivery itself (signed
POST, retries with backoff) is centrex.webhooks.delivery, run by the outbox worker."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validates
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from centrex.directory.users import secret_box
from centrex.models import Tenant, WebhookDelivery, WebhookEvent, WebhookSubscription
from centrex.models.api import WEBHOOK_EVENTS
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_
from centrex.platform.forms import apply, load
from centrex.platform.schemas import Text, no_control_chars
from centrex.platform.tenancy import scoped
from centrex.webhooks.address import AddressRefused, AddressUnknown, internet_addresses

SECRET_PREFIX = "whsec_"


class WebhookSubscriptionSchema(Schema):
    url = fields.String(required=True, validate=[validate.Length(min=10, max=500), no_control_chars], metadata={
        "description": "An http:// or https:// address without credentials, on the Internet: loopback, private, "
                       "link-local and metadata addresses are refused."})
    events = fields.List(
        fields.String(validate=validate.OneOf(WEBHOOK_EVENTS)),
        required=True,
        validate=validate.Length(min=1, max=len(WEBHOOK_EVENTS)),
    )
    description = Text(120, allow_none=True, load_default=None)
    active = fields.Boolean(load_default=True)

    @validates("url")
    def web_address(self, value: str, **_):
        try:
            parts = urlsplit(value)
            port = parts.port
        except ValueError as exc:
            raise ValidationError(N_("Not a valid address.")) from exc
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
            raise ValidationError(
                N_("An http:// or https:// address without credentials, e.g. "
                "https://crm.example.com/hooks/centrex.")
            )
        if port == 0:
            raise ValidationError(N_("Not a valid port."))
        try:
            internet_addresses(parts.hostname, port or 443, allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])
        except AddressRefused as exc:
            raise ValidationError(
                N_("Webhooks only go to the Internet, not to a private or reserved address.")) from exc
        except AddressUnknown:
            pass  # not resolvable today: checked again at every delivery


_schema = WebhookSubscriptionSchema()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signing_secret(subscription: WebhookSubscription) -> str:
    return secret_box().decrypt(subscription.secret_enc)


def create_subscription(tenant: Tenant, data: dict) -> tuple[WebhookSubscription, str]:
    """A new subscription; returns it with its signing secret (also shown again on request)."""
    values = load(_schema, data)
    secret = new_secret()
    subscription = WebhookSubscription(
        tenant_id=tenant.id,
        url=values["url"],
        events=_ordered(values["events"]),
        description=values["description"],
        active=values["active"],
        secret_enc=secret_box().encrypt(secret),
    )
    db.session.add(subscription)
    db.session.flush()
    audit.record(
        "create",
        subscription,
        tenant_id=tenant.id,
        changes={
            "url": subscription.url,
            "events": ",".join(subscription.events),
            "active": subscription.active,
        },
    )
    return subscription, secret


def update_subscription(subscription: WebhookSubscription, data: dict) -> WebhookSubscription:
    values = load(_schema, data, partial=True)
    if "events" in values:
        values["events"] = _ordered(values["events"])
    changed = apply(subscription, values)
    if changed:
        db.session.flush()
        audit.record(
            "update",
            subscription,
            tenant_id=subscription.tenant_id,
            changes={k: (",".join(v) if isinstance(v, list) else v) for k, v in changed.items()},
        )
    return subscription


def rotate_secret(subscription: WebhookSubscription) -> str:
    secret = new_secret()
    subscription.secret_enc = secret_box().encrypt(secret)
    db.session.flush()
    audit.record(
        "rotate_secret", subscription, tenant_id=subscription.tenant_id, changes={"secret": "changed"}
    )
    return secret


def delete_subscription(subscription: WebhookSubscription) -> None:
    audit.delete_row(subscription, tenant_id=subscription.tenant_id, changes={"url": subscription.url})


def subscriptions_of(tenant_id: int) -> list[WebhookSubscription]:
    return list(
        db.session.execute(scoped(WebhookSubscription, tenant_id).order_by(WebhookSubscription.id)).scalars()
    )


def deliveries_of(
    subscription: WebhookSubscription, *, limit: int = 50, offset: int = 0
) -> list[WebhookDelivery]:
    return list(
        db.session.execute(
            scoped(WebhookDelivery, subscription.tenant_id)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
            .offset(offset)
        )
        .unique()
        .scalars()
    )


def count_deliveries(subscription: WebhookSubscription) -> int:
    return db.session.execute(
        select(func.count(WebhookDelivery.id)).where(
            WebhookDelivery.tenant_id == subscription.tenant_id,
            WebhookDelivery.subscription_id == subscription.id,
        )
    ).scalar_one()


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (after the receiver was fixed), with a fresh count of tries."""
    delivery.state, delivery.attempts = "waiting", 0
    delivery.next_attempt_at = datetime.now(timezone.utc)
    delivery.claimed_by = delivery.claimed_until = None
    db.session.flush()
    audit.record("redeliver", delivery, tenant_id=delivery.tenant_id, changes={"event_id": delivery.event_id})
    return delivery


def wanted(tenant_id: int, event_type: str) -> list[WebhookSubscription]:
    """The tenant's active subscriptions that want this event (a JSON list: filtered here, not in SQL)."""
    rows = db.session.execute(
        scoped(WebhookSubscription, tenant_id).where(WebhookSubscription.active.is_(True))
    ).scalars()
    return [s for s in rows if event_type in (s.events or [])]


def emit(tenant_id: int, event_type: str, ref: str, data: dict) -> WebhookEvent | None:
    """Record an event once (by `ref`) and queue a delivery to every subscription that wants it, in the
    current transaction (flushed, not committed). Nothing is stored when nobody subscribed."""
    if event_type not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event_type}")
    subscriptions = wanted(tenant_id, event_type)
    if not subscriptions:
        return None
    ref = f"{event_type}:{ref}"[:160]
    if db.session.execute(select(WebhookEvent.id).where(WebhookEvent.ref == ref)).first():
        return None
    try:
        with db.session.begin_nested():
            event = WebhookEvent(tenant_id=tenant_id, event_type=event_type, ref=ref, payload=data)
            db.session.add(event)
            db.session.flush()
    except IntegrityError:  # the same event recorded meanwhile by another worker
        return None
    attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    for subscription in subscriptions:
        db.session.add(
            WebhookDelivery(
                tenant_id=tenant_id,
                subscription_id=subscription.id,
                event_id=event.id,
                state="waiting",
                attempts=0,
                max_attempts=attempts,
                next_attempt_at=datetime.now(timezone.utc),
            )
        )
    db.session.flush()
    return event


def envelope(event: WebhookEvent, tenant_domain: str) -> dict:
    """What a receiver gets: the event's id, type, time, tenant and data."""
    return {
        "id": f"evt_{event.id}",
        "type": event.event_type,
        "tenant": tenant_domain,
        "created_at": _iso(event.created_at),
        "data": event.payload,
    }


def _iso(value: datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _ordered(events: list[str]) -> list[str]:
    return [e for e in WEBHOOK_EVENTS if e in set(events)]
