"""The Idempotency-Key header of a POST (core: centrex.access.idempotency): the first answer is kept and
replayed, marked `Idempotent-Replayed: true`, for the same request; another request with the key is 422."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Response, current_app, jsonify, request

from centrex.access import idempotency
from centrex.models import ApiToken
from centrex.platform.errors import DomainError

HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
DOCUMENTED = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"},
    "description": "Any unique string of yours (a UUID, say). Sent again with the same request within 24 h, "
    "the first answer comes back (header Idempotent-Replayed: true) and nothing is done twice; with another "
    "request: 422.",
}


def requested_key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_RE.match(key):
        raise DomainError(f"The {HEADER} header is 1 to 255 visible ASCII characters.")
    return key


def once(token: ApiToken, key: str, answer: Callable[[], Response]) -> Response:
    """Inside the request's transaction: the kept answer, or `answer()` kept for the next time."""
    print_ = idempotency.fingerprint(request.method, request.path, request.get_data())
    kept = idempotency.kept_answer(token, key, print_)
    if kept is not None:
        replay = jsonify(kept.body) if kept.body is not None else current_app.response_class()
        if kept.body is None:
            del replay.headers["Content-Type"]
        replay.status_code = kept.status
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    fresh = answer()
    idempotency.keep_answer(token, key, print_, fresh.status_code, fresh.get_json(silent=True))
    return fresh
