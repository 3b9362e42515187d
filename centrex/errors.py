"""Errors raised by domain services; adapters turn them into 4xx answers."""


class DomainError(Exception):
    """Base class: a request the domain refuses, with a reason a person can read."""

    status = 400

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Invalid(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403
