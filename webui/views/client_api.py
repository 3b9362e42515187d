"""A client's API keys and webhooks (menu client): create and revoke keys (a key is shown once), subscribe
the CRM's URLs to events (the signing secret is shown once), see each delivery and its tries."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.access import api_tokens
from centrex.models import ApiToken, WebhookDelivery, WebhookSubscription
from centrex.models.api import SCOPES, WEBHOOK_EVENTS
from centrex.platform.errors import N_, DomainError, Forbidden
from centrex.platform.tenancy import get_scoped
from centrex.webhooks import subscriptions as webhooks
from webui.access import STAFF, allow, current_principal
from webui.forms import change, errors_of, int_or_none
from webui.views.client import bp


def _token_page(form=None, errors=None, new_key=None, status=200):
    return (
        render_template(
            "console/api_tokens.html",
            tokens=api_tokens.tokens_of(g.tenant.id),
            scopes=[s for s in SCOPES if current_principal().may_grant_scope(s)],
            form=form or {"scopes": []},
            errors=errors or {},
            new_key=new_key,
        ),
        status,
    )


@bp.route("/api", methods=["GET", "POST"])
@allow(*STAFF)
def api_tokens_page():
    if request.method == "GET":
        return _token_page()
    form = {
        "name": request.form.get("name", "").strip(),
        "scopes": request.form.getlist("scopes"),
        "rate_limit": int_or_none(request.form.get("rate_limit")),
    }
    beyond = [s for s in form["scopes"] if not current_principal().may_grant_scope(s)]
    if beyond:  # a delegated administrator's key gets no more than the role grants
        error = Forbidden(N_("Your role cannot give these rights."), fields={"scopes": [", ".join(beyond)]})
        return _token_page(form, errors_of(error), status=error.status)
    try:
        with change():
            _token, key = api_tokens.create_token(g.tenant, form, created_by=current_principal().email)
    except DomainError as exc:
        return _token_page(form, errors_of(exc), status=exc.status)
    return _token_page(new_key=key, status=201)


@bp.post("/api/tokens/<int:token_id>/revoke")
@allow(*STAFF)
def api_token_revoke(token_id):
    with change():
        token = api_tokens.revoke_token(get_scoped(ApiToken, g.tenant.id, token_id))
    flash(_("The key %(name)s no longer works.", name=token.name))
    return redirect(url_for("client.api_tokens_page"))


def _webhooks_page(form=None, errors=None, new_secret=None, status=200):
    return (
        render_template(
            "console/api_webhooks.html",
            subscriptions=webhooks.subscriptions_of(g.tenant.id),
            events=WEBHOOK_EVENTS,
            form=form or {"events": []},
            errors=errors or {},
            new_secret=new_secret,
        ),
        status,
    )


@bp.route("/api/webhooks", methods=["GET", "POST"])
@allow(*STAFF)
def api_webhooks():
    if request.method == "GET":
        return _webhooks_page()
    form = {
        "url": request.form.get("url", "").strip(),
        "events": request.form.getlist("events"),
        "description": request.form.get("description", "").strip() or None,
    }
    try:
        with change():
            _subscription, secret = webhooks.create_subscription(g.tenant, form)
    except DomainError as exc:
        return _webhooks_page(form, errors_of(exc), status=exc.status)
    return _webhooks_page(new_secret=secret, status=201)


@bp.get("/api/webhooks/<int:webhook_id>")
@allow(*STAFF)
def api_webhook(webhook_id):
    subscription = get_scoped(WebhookSubscription, g.tenant.id, webhook_id)
    return render_template(
        "console/api_webhook.html",
        subscription=subscription,
        deliveries=webhooks.deliveries_of(subscription, limit=100),
        new_secret=None,
    )


@bp.post("/api/webhooks/<int:webhook_id>/change")
@allow(*STAFF)
def api_webhook_change(webhook_id):
    """action=toggle (switch on/off), rotate (new secret, shown once) or delete."""
    subscription = get_scoped(WebhookSubscription, g.tenant.id, webhook_id)
    action = request.form.get("action")
    if action == "rotate":
        with change():
            secret = webhooks.rotate_secret(subscription)
        return render_template(
            "console/api_webhook.html",
            subscription=subscription,
            new_secret=secret,
            deliveries=webhooks.deliveries_of(subscription, limit=100),
        )
    if action == "delete":
        with change():
            webhooks.delete_subscription(subscription)
        flash(_("Subscription deleted."))
        return redirect(url_for("client.api_webhooks"))
    if action == "toggle":
        with change():
            webhooks.update_subscription(subscription, {"active": not subscription.active})
        flash(_("Changes saved."))
    return redirect(url_for("client.api_webhook", webhook_id=subscription.id))


@bp.post("/api/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/retry")
@allow(*STAFF)
def api_delivery_retry(webhook_id, delivery_id):
    subscription = get_scoped(WebhookSubscription, g.tenant.id, webhook_id)
    delivery = get_scoped(WebhookDelivery, g.tenant.id, delivery_id)
    if delivery.subscription_id == subscription.id:
        with change():
            webhooks.redeliver(delivery)
        flash(_("The delivery will be sent again in a moment."))
    return redirect(url_for("client.api_webhook", webhook_id=subscription.id))
