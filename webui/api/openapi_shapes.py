"""Shapes apispec's output into what OpenAPI 3.0 and its tooling (generators, validators) read as the server
behaves: PATCH bodies without defaults, a nullable object as "that object or null", nullable enums without
a `null` member, rate-limit headers on every answer."""

from __future__ import annotations

RATE_HEADERS = {
    "X-RateLimit-Limit": {
        "description": "Requests this key may make in a minute (absent when the key was not accepted).",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current minute.",
        "schema": {"type": "integer"},
    },
}


def shaped(doc: dict) -> dict:
    for name, schema in doc["components"]["schemas"].items():
        _walk(schema)
        if name.endswith("Patch"):
            _without_defaults(schema)
    for path in doc["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                _walk(parameter.get("schema", {}))
            for response in operation["responses"].values():
                if "$ref" not in response:
                    response.setdefault("headers", {}).update(RATE_HEADERS)
    for status, response in doc["components"].get("responses", {}).items():
        if status != "Error401":
            response.setdefault("headers", {}).update(RATE_HEADERS)
    return doc


def _without_defaults(schema: dict) -> None:
    """A PATCH body changes only what it names: no default in it, or generated clients send the defaults
    (and reset what nobody asked to change). Creation bodies keep theirs."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


def _walk(schema: dict) -> None:
    """Fix every (sub)schema in place."""
    if not isinstance(schema, dict):
        return
    _nullable_object(schema)
    if schema.get("nullable") and isinstance(schema.get("enum"), list):
        schema["enum"] = [value for value in schema["enum"] if value is not None]
    for key in ("properties",):
        for sub in schema.get(key, {}).values():
            _walk(sub)
    for key in ("items", "additionalProperties"):
        _walk(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            _walk(sub)


def _nullable_object(schema: dict) -> None:
    """apispec writes a nullable Nested as anyOf [{type: object, nullable}, {$ref}]: "any object, or X" (so
    `{}` looks valid, and clients never parse it as X). OpenAPI 3.0 says "X or null" as allOf [X] + nullable."""
    parts = schema.get("anyOf")
    if not isinstance(parts, list) or len(parts) != 2:
        return
    refs = [part for part in parts if "$ref" in part]
    nulls = [part for part in parts if part == {"type": "object", "nullable": True}]
    if len(refs) == 1 and len(nulls) == 1:
        del schema["anyOf"]
        schema["allOf"] = refs
        schema["nullable"] = True
