"""The API against its own OpenAPI document (schemathesis, hypothesis underneath): requests generated
from the document for every operation, valid and invalid, as a key of Dupont SA with every right; never
a 5xx, and every answer (status, content type, headers, body) is one the document describes.

(schemathesis' pytest plugin does not run under pytest 9 yet, so each operation's hypothesis strategy
is driven here directly.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode, checks

import webui.api
from api_testing import bearer, key_for
from centrex.platform.db import db
from webui.api.openapi import openapi_path

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
SETTINGS = settings(
    max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)


@pytest.fixture
def api_schema(app, session):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def api_key(demo):
    key = key_for(demo["dupont.example"], rate_limit=10000)
    db.session.commit()
    return key


def operations(schema):
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 25
    return found


def test_valid_requests_get_answers_the_document_describes(api_schema, api_key):
    for operation in operations(api_schema):

        @SETTINGS
        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        def run(case):
            case.call_and_validate(headers=bearer(api_key), checks=CHECKS)

        run()


def test_bodies_the_document_refuses_get_4xx_with_a_reason_never_5xx(api_schema, api_key):
    """Invalid bodies generated from each request schema (cases whose body the same marshmallow schema
    would accept are skipped: they are not invalid)."""
    for op in (op for op in webui.api.OPERATIONS if op.body is not None):
        path, _params = openapi_path(op.rule)
        operation = api_schema[path][op.method.lower()]

        @SETTINGS
        @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        def run(case):
            assume(not isinstance(case.body, dict) or op.body.validate(case.body))  # noqa: B023 - run below
            response = case.call(headers=bearer(api_key))
            assert 400 <= response.status_code < 500, (
                case.method,
                case.formatted_path,
                case.body,
                response.status_code,
                response.text[:300],
            )
            assert set(response.json()) == {"error", "fields"}

        run()


def test_the_document_describes_every_endpoint_with_its_scope_and_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.0.3"
    paths = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert len(paths) >= 25
    for path, method, op in paths:
        assert op["security"] == [{"bearerAuth": []}] and op["x-scope"], (path, method)
        assert {"401", "403", "404", "429"} <= set(op["responses"]), (path, method)
    users = document["paths"]["/api/v1/users"]["post"]
    assert users["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/User"
    }
    user = document["components"]["schemas"]["User"]
    assert user["properties"]["extension"]["pattern"] == "^[1-9][0-9]{1,5}$"  # the core's own validator
    assert "UserPatch" in document["components"]["schemas"]
    assert document["components"]["schemas"]["Error"]["required"] == ["error", "fields"]
