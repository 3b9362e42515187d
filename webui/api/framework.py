"""How every API endpoint runs: Bearer token -> rate limit -> scope -> validated query and body -> the view
(inside one transaction acting as "api:<token name>") -> the response schema. The same declaration feeds
the OpenAPI document (webui/api/openapi.py), so what is validated is what is documented."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound as RouteNotFound

from centrex.access import api_tokens
from centrex.models import ApiToken, Tenant
from centrex.platform.audit import Actor
from centrex.platform.db import db
from centrex.platform.errors import DomainError, Forbidden, Invalid, NotFound
from centrex.platform.ports import SwitchError
from centrex.platform.unit_of_work import unit_of_work
from centrex.tenants import licences
from webui.api import idempotent
from webui.api.strict import type_errors

log = logging.getLogger("centrex.api")

bp = Blueprint("api", __name__, url_prefix="/api/v1")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_ID = 2**31 - 1  # the database's integer ids


class Unauthorized(DomainError):
    status = 401


class TooManyRequests(DomainError):
    status = 429


class TooLarge(DomainError):
    status = 413


class NotJson(DomainError):
    status = 415


@dataclass
class Operation:
    """One documented endpoint."""

    rule: str
    method: str
    endpoint: str
    scope: str | None
    summary: str
    tag: str
    body: Schema | None = None
    query: Schema | None = None
    response: Schema | None = None
    status: int = 200
    content_type: str = "application/json"
    errors: tuple[int, ...] = (400, 401, 403, 404, 422, 429)
    description: str = ""
    extra: dict = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def token() -> ApiToken:
    return g.api_token


def tenant() -> Tenant:
    return g.api_tenant


def body() -> dict:
    return g.api_body


def query() -> dict:
    return g.api_query


def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("Send your API key as 'Authorization: Bearer <key>'.")
    found = api_tokens.authenticate(key.strip())
    if found is None:
        raise Unauthorized("Unknown or revoked API key.")
    # End the read before counting: the counter's transaction starts with its write (on SQLite a read
    # transaction turned writer fails at once when another worker wrote meanwhile).
    db.session.expunge(found)
    db.session.commit()  # nothing written yet: this only ends the read
    with unit_of_work(write=True):  # the count stands even if the request fails; SQLite: waits its turn
        decision = api_tokens.consume_request(found)
    g.api_rate = decision
    if not decision.allowed:
        raise TooManyRequests(
            f"More than {decision.limit} requests in a minute with this key; "
            f"try again in {decision.retry_after} s."
        )
    tenant_row = db.session.get(Tenant, found.tenant_id)
    if not tenant_row.active:
        raise Forbidden("This company's account is suspended.")
    licences.require(tenant_row, "api")  # taken out of the licence: existing keys stop too
    g.api_token, g.api_tenant = found, tenant_row


def _validated(schema: Schema, data) -> dict:
    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise Invalid("Some fields are not valid.", fields=messages) from exc


MAX_BODY = 1_000_000


def _json_body() -> dict:
    if (request.content_length or 0) > MAX_BODY:
        raise TooLarge("The body is larger than 1 MB.")
    if not request.is_json:
        raise NotJson(
            f"Send the body as JSON with 'Content-Type: application/json' (not {request.mimetype or 'none'})."
        )
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise DomainError("The body must be a JSON object.")
    return data


def route(
    rule: str,
    method: str,
    *,
    scope: str | None,
    summary: str,
    tag: str,
    body: Schema | None = None,
    query: Schema | None = None,
    response: Schema | None = None,
    status: int = 200,
    content_type: str = "application/json",
    errors: tuple[int, ...] | None = None,
    description: str = "",
    example: dict | None = None,
):
    """Declare an endpoint: it answers only with a token holding `scope`; `body`/`query` are validated
    before the view runs; the view's return value is dumped with `response` (None: empty answer)."""

    def decorate(view):
        @wraps(view)
        def run(**kwargs):
            g.api_query, g.api_body = {}, {}
            _authenticate()
            if any(isinstance(v, int) and v > MAX_ID for v in kwargs.values()):
                raise NotFound("No such object (ids are below 2^31).")
            if scope and scope not in (token().scopes or []):
                raise Forbidden(f"This API key lacks the scope {scope}.")
            if query is not None:
                g.api_query = _validated(query, request.args.to_dict())
            if body is not None:  # validated as documented; the service loads the same JSON itself
                g.api_body = _json_body()
                wrong_types = type_errors(body, g.api_body)
                if wrong_types:
                    raise Invalid("Some fields are not valid.", fields=wrong_types)
                _validated(body, g.api_body)
            key = idempotent.requested_key() if method == "POST" else None
            if method in WRITE_METHODS:
                with unit_of_work(Actor(f"api:{token().name}", request.remote_addr), write=True):
                    if key is not None:
                        return idempotent.once(token(), key, lambda: _answer(view(**kwargs)))
                    result = view(**kwargs)
                return _answer(result)
            answer = _answer(view(**kwargs))
            db.session.rollback()  # a read ends here: no snapshot is kept until the next request
            return answer

        def _answer(result):
            if response is None and content_type == "application/json":
                empty = current_app.response_class(status=status)
                del empty.headers["Content-Type"]  # no content, so no type (Flask says text/html)
                return empty
            if content_type != "application/json":
                return result
            dumped = jsonify(response.dump(result))
            dumped.status_code = status
            return dumped

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=run, methods=[method])
        documented = (
            errors
            if errors is not None
            else (
                (400, 401, 403, 404, 409, 422, 429)
                if method in WRITE_METHODS
                else (400, 401, 403, 404, 422, 429)
            )
        )
        if body is not None:
            documented = tuple(sorted({*documented, 413, 415}))
        documented = tuple(sorted({*documented, 503}))  # FreeSWITCH unreachable, or SQLite busy too long
        OPERATIONS.append(
            Operation(
                rule,
                method,
                view.__name__,
                scope,
                summary,
                tag,
                body,
                query,
                response,
                status,
                content_type,
                documented,
                description or (view.__doc__ or ""),
                {"example": example} if example else {},
            )
        )
        return run

    return decorate


# --- errors: JSON {"error": ..., "fields": {...}}, never an HTML page -----------------------------------


def error_body(message: str, fields: dict | None = None, status: int = 400, headers: dict | None = None):
    response = jsonify({"error": message, "fields": fields or {}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    db.session.rollback()
    headers = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="centrex"'
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(g.api_rate.retry_after)
    return error_body(exc.message, exc.fields, exc.status, headers)


@bp.errorhandler(SwitchError)
def _switch_error(exc: SwitchError):
    db.session.rollback()
    return error_body(f"FreeSWITCH did not do it: {exc}", status=503)


@bp.errorhandler(IntegrityError)
def _integrity_error(exc: IntegrityError):
    db.session.rollback()
    log.info("API request refused by a database constraint: %s", exc.orig)
    return error_body("This conflicts with existing data (it may have changed meanwhile).", status=409)


@bp.errorhandler(OperationalError)
def _busy(exc: OperationalError):
    """SQLite's write lock still taken by others after the busy timeout: a busy server, not a fault."""
    db.session.rollback()
    if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
        raise exc
    log.warning("API request waited too long for the database's write lock: %s", exc.orig)
    return error_body("The server is busy; try again in a moment.", status=503, headers={"Retry-After": "1"})


@bp.errorhandler(DataError)
def _data_error(exc: DataError):
    """A value the database cannot hold (an id or number beyond its integers, say): the request's fault."""
    db.session.rollback()
    log.info("API request refused by the database: %s", exc.orig)
    return error_body("A value is out of range.", status=422)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_body(exc.description or exc.name, status=exc.code or 400)


@bp.app_errorhandler(RouteNotFound)
def _no_route(exc):
    if request.path.startswith(bp.url_prefix + "/") or request.path == bp.url_prefix:
        return error_body("No such API resource.", status=404)
    return exc


@bp.app_errorhandler(MethodNotAllowed)
def _wrong_method(exc):
    if request.path.startswith(bp.url_prefix + "/"):
        response = error_body(f"{request.method} is not allowed here.", status=405)
        response.headers["Allow"] = ", ".join(exc.valid_methods or [])
        return response
    return exc


@bp.after_request
def _headers(response):
    rate = g.get("api_rate")
    if rate is not None:
        response.headers["X-RateLimit-Limit"] = str(rate.limit)
        response.headers["X-RateLimit-Remaining"] = str(rate.remaining)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
