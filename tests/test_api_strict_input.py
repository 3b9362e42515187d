"""No 500 and no loose reading of a body (issue 22, points 2 and 3): a PATCH of members without their ring
time, ids far beyond the database's integers, booleans that are not JSON booleans, integers that are not
JSON integers (2.589e-42 was stored as 0) and bodies that are not JSON each get a 4xx with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import Number, RingGroup, User
from centrex.platform.db import db

pytestmark = pytest.mark.smoke


@pytest.fixture
def rows(demo):
    tenant = demo["dupont.example"]

    def first(model, **where):
        return db.session.execute(select(model).filter_by(tenant_id=tenant.id, **where)).scalars().first()

    return {"group": first(RingGroup), "user": first(User, extension="1001"),
            "number": first(Number, e164="+41215550106")}


def test_members_without_ring_time_are_taken_by_patch_as_by_post(client, rows, keys):
    members = {"members": [{"user_id": rows["user"].id}]}
    answer = client.patch(f"/api/v1/ring-groups/{rows['group'].id}", json=members, headers=bearer(keys["dupont"]))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["members"] == [{"user_id": rows["user"].id, "external": None, "ring_seconds": None}]
    created = client.post("/api/v1/ring-groups", json={"name": "Accueil bis", **members},
                          headers=bearer(keys["dupont"]))
    assert created.get_json()["members"] == answer.get_json()["members"]


@pytest.mark.parametrize(("target", "body", "fields"), [
    ("group", {"no_answer": {"type": "user", "id": 2**70}},
     {"no_answer": {"id": ["Out of range: integers here are between -2147483648 and 2147483647."]}}),
    ("number", {"dest_type": "user", "dest_id": 2**70},
     {"dest_id": ["Out of range: integers here are between -2147483648 and 2147483647."]}),
    ("number", {"dest_type": "user", "dest_id": 2.589e-42},
     {"dest_id": ["Not an integer: send a JSON integer such as 42."]}),
    ("user", {"max_calls": "3"}, {"max_calls": ["Not an integer: send a JSON integer such as 42."]}),
    ("user", {"enabled": 0}, {"enabled": ["Not a boolean: send true or false."]}),
    ("user", {"allow_premium": "yes"}, {"allow_premium": ["Not a boolean: send true or false."]}),
    ("group", {"members": [{"user_id": 1.5}]},
     {"members": {"0": {"user_id": ["Not an integer: send a JSON integer such as 42."]}}}),
])
def test_values_of_the_wrong_json_type_are_refused_per_field(client, rows, keys, target, body, fields):
    url = {"group": "/api/v1/ring-groups/", "user": "/api/v1/users/", "number": "/api/v1/numbers/"}[target]
    before = client.get(f"{url}{rows[target].id}", headers=bearer(keys["dupont"])).get_json()
    answer = client.patch(f"{url}{rows[target].id}", json=body, headers=bearer(keys["dupont"]))
    assert (answer.status_code, answer.get_json()) == (422, {"error": "Some fields are not valid.", "fields": fields})
    assert client.get(f"{url}{rows[target].id}", headers=bearer(keys["dupont"])).get_json() == before


def test_a_body_that_is_not_json_gets_415_with_the_reason(client, rows, keys):
    url = f"/api/v1/users/{rows['user'].id}"
    answer = client.patch(url, data='{"name": "X Y"}', headers={**bearer(keys["dupont"]), "Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert answer.get_json()["error"] == (
        "Send the body as JSON with 'Content-Type: application/json' (not text/plain).")
    assert client.get(url, headers=bearer(keys["dupont"])).get_json()["name"] == "Alain Dupont"
    answer = client.post("/api/v1/webhooks", data="url=https://crm.example.com", headers=bearer(keys["dupont"]),
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 415
    assert client.patch(url, json={"enabled": False}, headers=bearer(keys["dupont"])).status_code == 200
