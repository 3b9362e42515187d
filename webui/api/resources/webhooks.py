"""Webhook subscriptions and their delivery history (core: centrex.webhooks.subscriptions)."""

from __future__ import annotations

from marshmallow import Schema, fields

from centrex.models import WebhookDelivery, WebhookSubscription
from centrex.models.api import WEBHOOK_EVENTS
from centrex.platform.errors import NotFound
from centrex.platform.tenancy import get_scoped
from centrex.webhooks import subscriptions as webhook_service
from centrex.webhooks.subscriptions import WebhookSubscriptionSchema
from webui.api.framework import body, query, route, tenant
from webui.api.paging import ListQuery, numbered, page_of, window
from webui.api.schemas import PageQuery, list_of, timestamp


class SubscriptionOut(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    description = fields.String(allow_none=True, required=True)
    events = fields.List(fields.String(metadata={"enum": list(WEBHOOK_EVENTS)}), required=True)
    active = fields.Boolean(required=True)
    created_at = timestamp(required=True)


class SubscriptionCreated(SubscriptionOut):
    secret = fields.String(
        required=True,
        metadata={
            "description": "The signing secret, shown in this answer only (rotate it to get a new one)."
        },
    )


class SecretOut(Schema):
    secret = fields.String(required=True)


class AttemptOut(Schema):
    at = timestamp(required=True)
    status = fields.Integer(allow_none=True, required=True)
    error = fields.String(allow_none=True, required=True)
    duration_ms = fields.Integer(required=True)


class DeliveryOut(Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    event_type = fields.String(required=True, attribute="event.event_type")
    state = fields.String(required=True, metadata={"enum": ["waiting", "sending", "delivered", "failed"]})
    attempts = fields.Integer(required=True)
    max_attempts = fields.Integer(required=True)
    next_attempt_at = timestamp(required=True)
    last_status = fields.Integer(allow_none=True, required=True)
    last_error = fields.String(allow_none=True, required=True)
    delivered_at = timestamp(allow_none=True, required=True)
    created_at = timestamp(required=True)
    tries = fields.List(fields.Nested(AttemptOut), required=True, attribute="attempt_log")


SUBSCRIPTION_LIST = list_of(SubscriptionOut, "WebhookSubscriptionList")
DELIVERY_LIST = list_of(DeliveryOut, "WebhookDeliveryList", paged=True)


@route(
    "/webhooks",
    "GET",
    scope="webhooks:read",
    summary="List the webhook subscriptions",
    tag="webhooks",
    query=ListQuery(),
    response=SUBSCRIPTION_LIST,
)
def list_webhooks():
    return page_of(webhook_service.subscriptions_of(tenant().id), query())


@route(
    "/webhooks",
    "POST",
    scope="webhooks:write",
    summary="Subscribe a URL to events",
    tag="webhooks",
    body=WebhookSubscriptionSchema(),
    response=SubscriptionCreated(),
    status=201,
    example={"url": "https://crm.example.com/hooks/centrex", "events": ["call.ringing", "call.ended"],
             "description": "CRM"},
)
def create_webhook():
    subscription, secret = webhook_service.create_subscription(tenant(), body())
    return {**SubscriptionOut().dump(subscription), "secret": secret, "created_at": subscription.created_at}


@route(
    "/webhooks/<int:webhook_id>",
    "GET",
    scope="webhooks:read",
    summary="One subscription",
    tag="webhooks",
    response=SubscriptionOut(),
)
def get_webhook(webhook_id: int):
    return get_scoped(WebhookSubscription, tenant().id, webhook_id)


@route(
    "/webhooks/<int:webhook_id>",
    "PATCH",
    scope="webhooks:write",
    summary="Change a subscription",
    tag="webhooks",
    body=WebhookSubscriptionSchema(partial=True),
    response=SubscriptionOut(),
)
def update_webhook(webhook_id: int):
    return webhook_service.update_subscription(
        get_scoped(WebhookSubscription, tenant().id, webhook_id), body()
    )


@route(
    "/webhooks/<int:webhook_id>",
    "DELETE",
    scope="webhooks:write",
    summary="Delete a subscription",
    tag="webhooks",
    status=204,
)
def delete_webhook(webhook_id: int):
    webhook_service.delete_subscription(get_scoped(WebhookSubscription, tenant().id, webhook_id))


@route(
    "/webhooks/<int:webhook_id>/secret",
    "POST",
    scope="webhooks:write",
    tag="webhooks",
    summary="Replace the signing secret (the new one is shown once)",
    response=SecretOut(),
)
def rotate_webhook_secret(webhook_id: int):
    return {"secret": webhook_service.rotate_secret(get_scoped(WebhookSubscription, tenant().id, webhook_id))}


@route(
    "/webhooks/<int:webhook_id>/deliveries",
    "GET",
    scope="webhooks:read",
    tag="webhooks",
    summary="Delivery history of a subscription, newest first",
    query=PageQuery(),
    response=DELIVERY_LIST,
)
def list_deliveries(webhook_id: int):
    subscription = get_scoped(WebhookSubscription, tenant().id, webhook_id)
    offset, limit = window(query())
    items = webhook_service.deliveries_of(subscription, limit=limit, offset=offset)
    return numbered(items, webhook_service.count_deliveries(subscription), offset, limit)


@route(
    "/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/retry",
    "POST",
    scope="webhooks:write",
    tag="webhooks",
    summary="Send a delivery again now",
    response=DeliveryOut(),
)
def retry_delivery(webhook_id: int, delivery_id: int):
    delivery = get_scoped(WebhookDelivery, tenant().id, delivery_id)
    if delivery.subscription_id != webhook_id:
        raise NotFound(f"WebhookDelivery {delivery_id} not found")
    return webhook_service.redeliver(delivery)
