"""Every list a page at a time (issue 22, point 5): `limit` and `cursor`, a `next` link to follow until it is
null, the same items as one large page; CDRs and deliveries still take page/per_page; users and numbers
filtered and ordered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import User
from centrex.platform.db import db

pytestmark = pytest.mark.smoke


def _user(demo, extension: str) -> User:
    tenant = demo["dupont.example"]
    return db.session.execute(select(User).filter_by(tenant_id=tenant.id, extension=extension)).scalar_one()


def _followed(client, key, url: str) -> list:
    items, pages = [], 0
    while url:
        answer = client.get(url, headers=bearer(key))
        assert answer.status_code == 200, (url, answer.get_json())
        page = answer.get_json()
        assert len(page["items"]) <= 2
        items += page["items"]
        url, pages = page["next"], pages + 1
        assert pages < 100
    return items


def _answer(spec: dict, operations: dict) -> dict:
    """The properties of a GET's JSON answer ({} for other answers)."""
    content = operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "/")
    return spec["components"]["schemas"].get(ref.rsplit("/", 1)[1], {}).get("properties", {})


def _device(demo) -> int:
    """Alain's T46U with five speed-dial keys (the demo has no phone)."""
    from centrex.phones.devices import set_device_keys
    from provisioning_helpers import phone

    device = phone(demo["dupont.example"], _user(demo, "1001"), model="T46U")
    set_device_keys(device, [{"position": n, "kind": "speed_dial", "number": f"10{n:02d}"} for n in range(2, 7)])
    return device.id


def test_every_list_is_paged_with_a_next_link(client, demo, keys):
    key = keys["dupont"]
    alain = _user(demo, "1001")
    spec = client.get("/api/v1/openapi.json").get_json()
    lists = [path for path, operations in spec["paths"].items() if "next_cursor" in _answer(spec, operations)]
    device_id = _device(demo)
    assert len(lists) >= 11, lists
    for path in lists:
        url = (path.replace("{user_id}", str(alain.id)).replace("{room_id}", "1").replace("{webhook_id}", "1")
               .replace("{device_id}", str(device_id)))
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"] if p["in"] == "query"}
        assert {"limit", "cursor"} <= names, path
        if "{webhook_id}" in path or "{room_id}" in path:
            continue  # no deliveries nor conference members in the demo; see the deliveries test
        whole = client.get(url, query_string={"limit": 500}, headers=bearer(key)).get_json()
        assert whole["next"] is None and whole["next_cursor"] is None
        assert _followed(client, key, f"{url}?limit=2") == whole["items"], path


def test_users_filtered_and_ordered(client, demo, keys):
    key = keys["dupont"]

    def extensions(**query):
        answer = client.get("/api/v1/users", query_string=query, headers=bearer(key))
        assert answer.status_code == 200, answer.get_json()
        return [user["extension"] for user in answer.get_json()["items"]]

    assert extensions() == sorted(extensions())
    assert extensions(order="-extension") == sorted(extensions(), reverse=True)
    assert extensions(extension="1001") == ["1001"]
    assert extensions(q="alain") == ["1001"]
    client.patch(f"/api/v1/users/{_user(demo, '1002').id}", json={"enabled": False}, headers=bearer(key))
    assert extensions(enabled="false") == ["1002"]
    names = [u["name"] for u in client.get("/api/v1/users", query_string={"order": "name"},
                                            headers=bearer(key)).get_json()["items"]]
    assert names == sorted(names)
    wrong = client.get("/api/v1/users", query_string={"order": "password"}, headers=bearer(key))
    assert wrong.status_code == 422 and "order" in wrong.get_json()["fields"]


def test_numbers_filtered_and_ordered(client, demo, keys):
    key = keys["dupont"]

    def numbers(**query):
        return [n["e164"] for n in client.get("/api/v1/numbers", query_string=query,
                                              headers=bearer(key)).get_json()["items"]]

    assert numbers() == sorted(numbers())
    assert numbers(order="-e164") == sorted(numbers(), reverse=True)
    assert numbers(q="0190") == ["+41215550190"]
    assert "+41215550100" in numbers(dest_type="schedule")
    assert all(n not in numbers(dest_type="user") for n in numbers(dest_type="schedule"))


def test_a_cursor_not_given_by_the_api_is_refused(client, keys):
    answer = client.get("/api/v1/users", query_string={"cursor": "bm9wZQ"}, headers=bearer(keys["dupont"]))
    assert answer.status_code == 422
    assert answer.get_json()["fields"] == {"cursor": ["Use the next_cursor of the page before."]}


def test_cdrs_take_page_numbers_and_cursors(client, keys):
    key = keys["dupont"]
    old = client.get("/api/v1/cdrs", query_string={"page": 1, "per_page": 10}, headers=bearer(key)).get_json()
    assert {k: old[k] for k in ("page", "per_page", "next")} == {"page": 1, "per_page": 10, "next": None}
    new = client.get("/api/v1/cdrs", query_string={"limit": 5}, headers=bearer(key)).get_json()
    assert (new["per_page"], new["next_cursor"]) == (5, None)
