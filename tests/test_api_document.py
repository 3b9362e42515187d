"""The OpenAPI document says what the server does (issue 22, point 4): valid for openapi-spec-validator, a
nullable destination typed as "a destination or null", a nullable enum as "a named enum or null", servers, a
bearer scheme without scopes (they are in its description), 405/415/429 and the rate-limit headers
documented, /cdrs.csv without paging, a 204 answered without content or content type, and examples the
server takes."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import ForwardRule, Number, Schedule, User
from centrex.platform.db import db

pytestmark = pytest.mark.smoke


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _subschemas(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _subschemas(value)


def test_the_document_is_valid_openapi(spec):
    validate(spec)
    assert spec["servers"] == [{"url": "/", "description": "This server (the paths start with /api/v1)"}]


def test_a_nullable_destination_is_a_destination_or_null(spec):
    schemas = spec["components"]["schemas"]
    for name, target in (("RingGroupOut", "DestinationOut"), ("RingGroup", "Destination"),
                         ("RingGroupPatch", "Destination")):
        prop = {k: v for k, v in schemas[name]["properties"]["no_answer"].items() if k != "default"}
        assert prop == {"allOf": [{"$ref": f"#/components/schemas/{target}"}], "nullable": True}
    assert not [s for s in _subschemas(spec) if s == {"type": "object", "nullable": True}]


def test_nullable_enums_are_one_named_enum_or_null(spec):
    enums = [s for s in _subschemas(spec) if isinstance(s.get("enum"), list)]
    assert [s for s in enums if None in s["enum"]] == []
    schemas = spec["components"]["schemas"]
    for name in ("User", "UserPatch"):
        language = schemas[name]["properties"]["language"]
        assert (language["allOf"], language["nullable"]) == ([{"$ref": "#/components/schemas/Language"}], True)
    assert schemas["Language"] == {"type": "string", "enum": ["fr", "en", "de", "it"]}


def test_scopes_are_described_not_listed_on_the_bearer_scheme(spec):
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "users:write" in scheme["description"]
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            if "x-scope" in operation:
                assert operation["security"] == [{"bearerAuth": []}], path
                assert f"Scope: `{operation['x-scope']}`." in operation["description"], path


def test_every_operation_documents_405_429_and_the_rate_headers(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path.endswith("openapi.json"):
                continue
            assert {"405", "429"} <= set(responses), (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= set(responses), (method, path)
            success = next(r for status, r in responses.items() if status.startswith("2"))
            assert set(success["headers"]) == {"X-RateLimit-Limit", "X-RateLimit-Remaining"}, (method, path)
    errors = spec["components"]["responses"]
    assert "X-RateLimit-Remaining" in errors["Error422"]["headers"]
    assert "Retry-After" in errors["Error429"]["headers"]


def test_the_csv_export_documents_no_paging(spec):
    names = {p["name"] for p in spec["paths"]["/api/v1/cdrs.csv"]["get"]["parameters"]}
    assert names == {"from", "to", "user", "number", "direction"}


def test_a_204_has_no_content_and_no_content_type(client, demo, keys, spec):
    assert "content" not in spec["paths"]["/api/v1/ring-groups/{group_id}"]["delete"]["responses"]["204"]
    group = client.post("/api/v1/ring-groups", json={"name": "Temporaire"}, headers=bearer(keys["dupont"]))
    answer = client.delete(f"/api/v1/ring-groups/{group.get_json()['id']}", headers=bearer(keys["dupont"]))
    assert (answer.status_code, answer.data, answer.headers.get("Content-Type")) == (204, b"", None)


def test_rules_only_the_server_checks_are_described(spec):
    schemas = spec["components"]["schemas"]
    assert "12 hexadecimal digits" in schemas["Device"]["properties"]["mac"]["description"]
    assert "metadata addresses are refused" in schemas["WebhookSubscription"]["properties"]["url"]["description"]
    assert "control characters" in schemas["User"]["properties"]["name"]["description"]
    assert "`external`" in schemas["Member"]["properties"]["user_id"]["description"]
    assert "needs `id`" in schemas["Destination"]["properties"]["type"]["description"]


def test_every_example_in_the_document_is_accepted(client, demo, keys, spec):
    tenant = demo["dupont.example"]
    alain = db.session.execute(select(User).filter_by(tenant_id=tenant.id, extension="1001")).scalar_one()
    ids = {
        "user_id": alain.id,
        "rule_id": db.session.execute(select(ForwardRule.id).filter_by(user_id=alain.id)).scalars().first(),
        "number_id": db.session.execute(select(Number.id).filter_by(e164="+41215550106")).scalar_one(),
        "schedule_id": db.session.execute(select(Schedule.id).filter_by(tenant_id=tenant.id)).scalars().first(),
    }
    sent = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "example" not in content:
                continue
            answer = client.open(path.format(**ids), method=method.upper(), json=content["example"],
                                 headers=bearer(keys["dupont"]))
            assert answer.status_code in (200, 201), (method, path, answer.get_json())
            sent += 1
    assert sent >= 7
