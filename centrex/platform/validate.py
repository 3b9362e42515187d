"""marshmallow's validators, with messages that carry a key and parameters (centrex.platform.errors.Message) so the
adapters translate them by key; the English wording stays marshmallow's. Use `from centrex import validate`
where a schema would use `from marshmallow import validate`."""

from __future__ import annotations

from marshmallow import validate as _mm
from marshmallow.validate import (  # noqa: F401 - the same names as marshmallow.validate
    URL,
    ContainsNoneOf,
    ContainsOnly,
    Email,
    Equal,
    NoneOf,
    Predicate,
    Regexp,
    Validator,
)

from centrex.platform.errors import N_, Message

# marshmallow's own fixed messages (fields and validators), translated by their wording.
MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("Not a valid integer."),
    N_("Not a valid boolean."),
    N_("Not a valid string."),
    N_("Not a valid email address."),
    N_("String does not match expected pattern."),
    N_("Not a valid date."),
    N_("Not a valid time."),
    N_("Not a valid datetime."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid URL."),
    N_("Not a valid number."),
    N_("Invalid type."),
)


class Range(_mm.Range):
    def _format_error(self, value, message: str) -> str:
        if isinstance(self.error, Message):
            return self.error
        text = super()._format_error(value, message)
        if self.error or not (self.min_inclusive and self.max_inclusive):
            return text
        if message == self.message_all:
            return Message(text, N_("Must be between %(min)s and %(max)s."), {"min": self.min, "max": self.max})
        if message == self.message_min:
            return Message(text, N_("Must be at least %(min)s."), {"min": self.min})
        return Message(text, N_("Must be at most %(max)s."), {"max": self.max})


class Length(_mm.Length):
    def _format_error(self, value, message: str) -> str:
        if isinstance(self.error, Message):
            return self.error
        text = super()._format_error(value, message)
        if self.error or message == self.message_equal:
            return text
        if message == self.message_all:
            return Message(text, N_("Length must be between %(min)s and %(max)s."),
                           {"min": self.min, "max": self.max})
        if message == self.message_min:
            return Message(text, N_("Shorter than minimum length %(n)s."), {"n": self.min})
        return Message(text, N_("Longer than maximum length %(n)s."), {"n": self.max})


class OneOf(_mm.OneOf):
    def _format_error(self, value) -> str:
        text = super()._format_error(value)
        if self.error != self.default_message:
            return text
        return Message(text, N_("Must be one of: %(choices)s."), {"choices": self.choices_text})
