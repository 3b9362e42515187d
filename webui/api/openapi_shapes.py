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
    schemas = doc["components"]["schemas"]
    enums: dict[tuple, str] = {}
    for name, schema in list(schemas.items()):
        _walk(schema)
        for prop, sub in schema.get("properties", {}).items():
            _named_nullable_enum(schemas, enums, prop, sub)
        if name.endswith("Patch"):
            _without_defaults(schema)
    for path in doc["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                _walk(parameter.get("schema", {}))
                _not_null(parameter.get("schema", {}))  # a query string cannot say null
            for response in operation["responses"].values():
                if "$ref" not in response:
                    response.setdefault("headers", {}).update(RATE_HEADERS)
    for status, response in doc["components"].get("responses", {}).items():
        if status != "Error401":
            response.setdefault("headers", {}).update(RATE_HEADERS)
    return doc


def _not_null(schema: dict) -> None:
    if schema.pop("nullable", None):
        if schema.get("default", 0) is None:
            del schema["default"]
        if isinstance(schema.get("enum"), list):
            schema["enum"] = [value for value in schema["enum"] if value is not None]


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
    for key in ("properties",):
        for sub in schema.get(key, {}).values():
            _walk(sub)
    for key in ("items", "additionalProperties"):
        _walk(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            _walk(sub)


def _named_nullable_enum(schemas: dict, enums: dict, prop: str, schema: dict) -> None:
    """A nullable enum as "one of these values, or null": allOf [a named enum] + nullable. apispec lists
    `null` among the values, which generators turn into one class per null branch; without it, validators
    (OpenAPI 3.0.3) would read null as refused. Identical value lists share one component."""
    values = schema.get("enum")
    if not (schema.get("nullable") and isinstance(values, list)):
        return
    values = [value for value in values if value is not None]
    name = enums.get(tuple(values))
    if name is None:
        name = base = "".join(part.title() for part in prop.split("_"))
        while name in schemas:
            name = f"{base}{len(enums) + 1}"
        schemas[name] = {"type": schema.get("type", "string"), "enum": values}
        enums[tuple(values)] = name
    kept = {k: v for k, v in schema.items() if k in ("default", "description")}
    schema.clear()
    schema.update(kept, allOf=[{"$ref": f"#/components/schemas/{name}"}], nullable=True)


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
