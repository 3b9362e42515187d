"""Sending webhook deliveries: a signed POST per delivery, retried with exponential backoff, every try
written down. Runs in the outbox worker (`flask outbox run`) as a registered task.

Signature: `X-Centrex-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`; the same
timestamp is in `X-Centrex-Timestamp`. Receivers recompute it over the raw body and refuse old timestamps.
A delivery is claimed (state `sending`, with a lease) and committed before the request goes out, so two
workers never send it at once and a worker killed mid-send leaves a claim that runs out."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import or_, select, update

from centrex.models import Tenant, WebhookAttempt, WebhookDelivery, WebhookSubscription
from centrex.platform import outbox
from centrex.platform.db import db
from centrex.webhooks.address import AddressRefused, AddressUnknown, internet_addresses
from centrex.webhooks.subscriptions import envelope, signing_secret

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Centrex-Signature"
TIMESTAMP_HEADER = "X-Centrex-Timestamp"
EVENT_HEADER = "X-Centrex-Event"
DELIVERY_HEADER = "X-Centrex-Delivery"
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=6)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent, the same on every try."""
    tenant = db.session.get(Tenant, delivery.tenant_id)
    return json.dumps(
        envelope(delivery.event, tenant.domain), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


# --- HTTP -------------------------------------------------------------------------------------------


class Refused(Exception):
    """The address may not be called (private network, bad scheme) or could not be reached."""


@dataclass
class Answer:
    status: int
    body: str


def _resolve(host: str, port: int) -> str:
    """One address of `host`, every one of which is on the Internet (unless the operator allows private
    ones: tests, an on-premises CRM)."""
    try:
        return internet_addresses(host, port, allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])[0]
    except (AddressRefused, AddressUnknown) as exc:
        raise Refused(str(exc)) from exc


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address we checked, not to whatever the name resolves to a moment later."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=tls)
        self._address, self._tls = address, tls

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST without following redirects; the answer's status and the start of its body."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    address = _resolve(parts.hostname, port)
    connection = (_PinnedHTTPS if secure else _PinnedHTTP)(parts.hostname, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read(2000).decode("utf-8", "replace"))
    except (OSError, http.client.HTTPException) as exc:
        raise Refused(f"{type(exc).__name__}: {exc}"[:300]) from exc
    finally:
        connection.close()


# --- the worker -------------------------------------------------------------------------------------


def _due(now: datetime):
    return or_(
        (WebhookDelivery.state == "waiting") & (WebhookDelivery.next_attempt_at <= now),
        (WebhookDelivery.state == "sending") & (WebhookDelivery.claimed_until < now),
    )


def claim_next(now: datetime | None = None) -> int | None:
    """Take one due delivery; the claim is committed on its own."""
    now = now or datetime.now(timezone.utc)
    candidates = (
        db.session.execute(
            select(WebhookDelivery.id)
            .where(_due(now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(10)
        )
        .scalars()
        .all()
    )
    db.session.commit()
    for delivery_id in candidates:
        taken = db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, _due(now))
            .values(
                state="sending",
                claimed_by=outbox.worker_id(),
                claimed_until=now + LEASE,
                attempts=WebhookDelivery.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if taken.rowcount == 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            return delivery_id
    return None


def deliver_claimed(delivery_id: int) -> str:
    """Send one claimed delivery and record the try (commits); returns the new state."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    db.session.refresh(delivery)
    subscription = db.session.get(WebhookSubscription, delivery.subscription_id)
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Centrex-Webhooks/1",
        EVENT_HEADER: delivery.event.event_type,
        DELIVERY_HEADER: str(delivery.id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(signing_secret(subscription), timestamp, body),
    }
    started = time.monotonic()
    status, error = None, None
    if not subscription.active:
        error = "Subscription switched off"
    else:
        try:
            answer = post(subscription.url, body, headers, current_app.config["WEBHOOK_TIMEOUT"])
            status = answer.status
            if not 200 <= status < 300:
                error = f"HTTP {status}: {answer.body[:200]}"
        except Refused as exc:
            error = str(exc)
    now = datetime.now(timezone.utc)
    db.session.add(
        WebhookAttempt(
            tenant_id=delivery.tenant_id,
            delivery_id=delivery.id,
            at=now,
            status=status,
            error=error[:500] if error else None,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    )
    delivery.last_status, delivery.last_error = status, (error[:500] if error else None)
    delivery.claimed_by = delivery.claimed_until = None
    if error is None:
        delivery.state, delivery.delivered_at = "delivered", now
    elif delivery.attempts >= delivery.max_attempts or not subscription.active:
        delivery.state = "failed"
        log.warning(
            "Webhook delivery %s to %s failed for good after %s tries: %s",
            delivery.id,
            subscription.url,
            delivery.attempts,
            error,
        )
    else:
        delivery.state = "waiting"
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        log.info(
            "Webhook delivery %s try %s failed, next at %s: %s",
            delivery.id,
            delivery.attempts,
            delivery.next_attempt_at,
            error,
        )
    db.session.commit()
    return delivery.state


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min… (WEBHOOK_RETRY_SECONDS doubled per try), at most 6 hours."""
    seconds = current_app.config["WEBHOOK_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def deliver_due(limit: int = 50) -> list[tuple[int, str]]:
    """Send what is due, one delivery per transaction; returns [(id, new state)]."""
    done = []
    for _ in range(limit):
        delivery_id = claim_next()
        if delivery_id is None:
            break
        done.append((delivery_id, deliver_claimed(delivery_id)))
    return done


outbox.register_task(deliver_due)
