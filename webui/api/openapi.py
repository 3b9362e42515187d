"""The OpenAPI 3 document of the API, built from the declared endpoints and the very schemas that
validate their requests and shape their answers (apispec's marshmallow plugin)."""

from __future__ import annotations

import re
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from centrex.models.api import SCOPES
from webui.api import idempotent
from webui.api.framework import OPERATIONS, Operation, bp
from webui.api.openapi_shapes import shaped
from webui.api.schemas import ErrorSchema

TITLE = "Centrex API"
VERSION = "1.0.0"
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    400: "Malformed request",
    401: "No valid API key",
    403: "The key lacks the scope, or the company is suspended",
    404: "Not found (or not this company's)",
    405: "This method is not allowed on this path (see Allow)",
    409: "Conflicts with existing data",
    413: "The body is larger than 1 MB",
    415: "The body is not JSON (send Content-Type: application/json)",
    422: "A field is not valid",
    429: "Too many requests with this key: see Retry-After",
    503: "FreeSWITCH did not answer a live command, or the server is busy: try again (see Retry-After)",
}


def _schema_name(schema) -> str:
    """Components are named after the class, with the variant (partial, only) spelled out."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type):
        if schema.only:
            name += "Only" + "".join(part.title().replace("_", "") for part in sorted(schema.only))
        if schema.partial:
            name += "Patch"
    return name


def openapi_path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def replace(match):
        converter, name = match.group(1), match.group(2)
        params.append(
            {
                "in": "path",
                "name": name,
                "required": True,
                "schema": {
                    "int": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                    "uuid": {"type": "string", "format": "uuid"},
                }.get(converter, {"type": "string"}),
            }
        )
        return "{" + name + "}"

    return bp.url_prefix + _PARAM.sub(replace, rule), params


def _operation(op: Operation, path_params: list[dict]) -> dict:
    doc: dict = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": list(path_params),
        "responses": {},
    }
    if op.description.strip():
        doc["description"] = " ".join(op.description.split())
    if op.scope:
        doc["security"] = [{"bearerAuth": []}]  # an http scheme takes no scopes: the key's are checked
        doc["x-scope"] = op.scope
        doc["description"] = (doc.get("description", "") + f" Scope: `{op.scope}`.").strip()
    if op.method == "POST":
        doc["parameters"].append(idempotent.DOCUMENTED)
    if op.query is not None:
        doc["parameters"].append({"in": "query", "schema": op.query})
    if op.body is not None:
        doc["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body, **op.extra}}}
    if op.status == 204 or (op.response is None and op.content_type == "application/json"):
        doc["responses"][str(op.status)] = {"description": _STATUS_TEXT.get(op.status, "Done")}
    elif op.content_type != "application/json":
        doc["responses"][str(op.status)] = {
            "description": _STATUS_TEXT[op.status],
            "content": {op.content_type: {"schema": {"type": "string"}}},
        }
    else:
        doc["responses"][str(op.status)] = {
            "description": _STATUS_TEXT.get(op.status, "OK"),
            "content": {"application/json": {"schema": op.response}},
        }
    for status in (*op.errors, 405):
        doc["responses"][str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    return doc


def build_spec() -> dict:
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.0.3",
        servers=[{"url": "/", "description": "This server (the paths start with /api/v1)"}],
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={
            "description": "JSON API of a company's telephony for CRMs and integrations: "
            "users, numbers, phones, ring groups, forwarding, call history, "
            "live calls and presence, click-to-call, webhooks. "
            "Authenticate with 'Authorization: Bearer <API key>'."
        },
    )
    spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created in the console (client menu, API & webhooks), sent as "
            "'Authorization: Bearer <key>'. A key holds the scopes ticked when it was made; each operation "
            "names the one it needs (in its description and as x-scope); without it the answer is 403. "
            "Scopes: " + ", ".join(SCOPES) + ".",
        },
    )
    spec.components.schema("Error", schema=ErrorSchema)
    for status, text in _STATUS_TEXT.items():
        if status >= 400:
            response = {"description": text, "content": {"application/json": {"schema": "Error"}}}
            if status in (429, 503):
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before trying again.",
                    }
                }
            spec.components.response(f"Error{status}", response)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path, params = openapi_path(op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, params)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return shaped(spec.to_dict())


@lru_cache(maxsize=1)
def document() -> dict:
    return build_spec()


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI document (no key needed: it describes, it does not reveal)."""
    return jsonify(document())
