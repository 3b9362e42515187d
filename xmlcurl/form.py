"""The urlencoded form mod_xml_curl posts, decoded only where read.

A dialplan request carries ~190 fields (the whole channel) and an answer reads a handful; werkzeug's
request.form decoded every one of them per request, which was a third of a dialplan answer's CPU.
Same rules as werkzeug's parser: split on '&', the first '=' separates key and value, '+' is a space,
%XX escapes are UTF-8 (else left quoted), a body that is not UTF-8 is an empty form; get() returns the
first value."""
from __future__ import annotations

from urllib.parse import unquote_plus

import werkzeug.urls  # noqa: F401  registers the "werkzeug.url_quote" error handler used below

_ERRORS = "werkzeug.url_quote"  # an escape that is not UTF-8 stays quoted, as werkzeug leaves it
MAX_BODY = 1024 * 1024  # FreeSWITCH's own answers are capped at 1 MB; its requests are a few KB


class PostedForm:
    __slots__ = ("_raw",)

    def __init__(self, body: bytes):
        self._raw: dict[str, list[str]] = {}
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return
        for part in text.split("&"):
            if not part:
                continue
            key, _, value = part.partition("=")
            if "%" in key or "+" in key:
                key = unquote_plus(key, errors=_ERRORS)
            self._raw.setdefault(key, []).append(value)

    @staticmethod
    def _decode(value: str) -> str:
        return unquote_plus(value, errors=_ERRORS) if ("%" in value or "+" in value) else value

    def get(self, key: str, default=None):
        values = self._raw.get(key)
        return self._decode(values[0]) if values else default

    def getlist(self, key: str) -> list[str]:
        return [self._decode(v) for v in self._raw.get(key, ())]

    def __getitem__(self, key: str) -> str:
        values = self._raw[key]
        return self._decode(values[0])

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __len__(self) -> int:
        return len(self._raw)

    def keys(self):
        return self._raw.keys()

    def items(self, multi: bool = False):
        for key, values in self._raw.items():
            for value in (values if multi else values[:1]):
                yield key, self._decode(value)


def read_form(request) -> PostedForm | None:
    """The posted form, or None when the request is not one mod_xml_curl could have sent."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return PostedForm(b"")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY or b"\x00" in body or b"%00" in body:
        # FreeSWITCH builds the form from C strings: a NUL is never its own (and PostgreSQL refuses it).
        return None
    return PostedForm(body)
