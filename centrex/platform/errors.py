"""Errors raised by domain services; adapters turn them into 4xx answers.

A message is a key (its English wording, marked with `N_` so `make translations` extracts it) and its
parameters; the adapters word it in the reader's language by that key (webui/i18n.py), the API in English:

    raise Conflict(N_("Extension %(ext)s is already used in this company."), ext=extension,
                   fields={"extension": [N_("Already used.")]})
"""

from __future__ import annotations


def N_(key: str) -> str:  # noqa: N802 - the gettext convention for "translated later"
    """Marks a message key for extraction; the adapters translate it."""
    return key


class Message(str):
    """A text a person reads: its English wording (the string itself, what the API answers) plus the key
    and parameters it is translated with. Parameters that are Messages are translated too."""

    key: str
    params: dict

    def __new__(cls, text: str, key: str | None = None, params: dict | None = None):
        self = super().__new__(cls, text)
        self.key = text if key is None else key
        self.params = dict(params or {})
        return self

    @classmethod
    def of(cls, key: str, **params) -> Message:
        return cls(key % params if params else key, key, params)

    def __reduce__(self):
        return Message, (str(self), self.key, self.params)


class DomainError(Exception):
    """Base class: a request the domain refuses, with a reason a person can read (a key and its
    parameters) and, per field, messages (keys, or Messages when they have parameters)."""

    status = 400

    def __init__(self, key: str, fields: dict | None = None, **params):
        self.text = key if isinstance(key, Message) and not params else Message.of(key, **params)
        super().__init__(str(self.text))
        self.message = str(self.text)
        self.fields = fields or {}


class Invalid(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403
