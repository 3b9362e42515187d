"""Idempotency-Key on POST (issue 22, point 5): the same key and request give the first answer again and do
nothing twice; the same key with another request is refused with the reason; keys are per API key and kept
a day. And a webhook to a private or metadata address is refused when it is created through the API."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from api_testing import bearer, keys  # noqa: F401
from centrex.models import ApiIdempotentAnswer
from centrex.platform.db import db

pytestmark = pytest.mark.smoke
HOOK = {"url": "https://crm.example.com/hooks/centrex", "events": ["call.ended"]}


def _post(client, key: str, body: dict, idempotency_key: str | None = "order-4711"):
    headers = bearer(key) | ({"Idempotency-Key": idempotency_key} if idempotency_key else {})
    return client.post("/api/v1/webhooks", json=body, headers=headers)


def _subscriptions(client, key: str) -> list:
    return client.get("/api/v1/webhooks", headers=bearer(key)).get_json()["items"]


def test_the_same_key_and_request_replay_the_first_answer(client, keys):
    first = _post(client, keys["dupont"], HOOK)
    again = _post(client, keys["dupont"], HOOK)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()  # the secret too: the caller may have lost the first answer
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert len(_subscriptions(client, keys["dupont"])) == 1
    assert _post(client, keys["dupont"], HOOK, "order-4712").get_json()["id"] != first.get_json()["id"]
    assert _post(client, keys["dupont"], HOOK, None).status_code == 201
    assert len(_subscriptions(client, keys["dupont"])) == 3


def test_the_same_key_with_another_request_is_refused(client, keys):
    assert _post(client, keys["dupont"], HOOK).status_code == 201
    other = _post(client, keys["dupont"], {**HOOK, "description": "CRM"})
    assert other.status_code == 422
    assert other.get_json() == {
        "error": "This Idempotency-Key was already used for another request: use a new key.",
        "fields": {"Idempotency-Key": ["Already used for another request."]},
    }
    assert len(_subscriptions(client, keys["dupont"])) == 1


def test_keys_are_per_api_key_a_refused_request_is_not_kept_and_they_expire(client, keys):
    assert _post(client, keys["dupont"], HOOK).status_code == 201
    assert _post(client, keys["martin"], HOOK).status_code == 201  # Martin's key: its own keys
    assert len(_subscriptions(client, keys["martin"])) == 1
    assert _post(client, keys["dupont"], {**HOOK, "events": []}, "retry-1").status_code == 422
    assert _post(client, keys["dupont"], HOOK, "retry-1").status_code == 201  # the refusal was not kept
    db.session.execute(update(ApiIdempotentAnswer).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    again = _post(client, keys["dupont"], HOOK)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert len(_subscriptions(client, keys["dupont"])) == 3


def test_a_key_that_is_not_visible_ascii_is_400(client, keys):
    answer = _post(client, keys["dupont"], HOOK, "x" * 256)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "The Idempotency-Key header is 1 to 255 visible ASCII characters."
    assert _subscriptions(client, keys["dupont"]) == []


def test_every_post_documents_the_header(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    posts = [op for item in spec["paths"].values() for method, op in item.items() if method == "post"]
    assert len(posts) >= 8
    assert all(any(p["name"] == "Idempotency-Key" for p in op["parameters"]) for op in posts)


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",
    "https://10.1.2.3/hooks",
    "http://[::ffff:127.0.0.1]:8080/hooks",
    "https://localhost/hooks",
])
def test_a_webhook_to_a_private_or_metadata_address_is_refused_when_created(client, keys, url):
    answer = _post(client, keys["dupont"], {**HOOK, "url": url}, None)
    assert answer.status_code == 422
    assert answer.get_json()["fields"] == {
        "url": ["Webhooks only go to the Internet, not to a private or reserved address."]}
    assert _subscriptions(client, keys["dupont"]) == []
