"""Phone numbers as people type them ("079 555 12 34", "+41 79 555 12 34", "0041 79 555 12 34"): read with
the company's country into E.164 for storage, and shown back as people read them (national format at home,
international format for a number abroad). The `PhoneNumber` marshmallow field reads with the country that
`forms.load(..., country=…)` sets for the duration of one load."""
from __future__ import annotations

import re
from contextvars import ContextVar

import phonenumbers
from marshmallow import ValidationError, fields
from phonenumbers import PhoneNumberFormat

from centrex.platform.errors import N_, Message

DEFAULT_COUNTRY = "CH"
LOADING_COUNTRY: ContextVar[str | None] = ContextVar("loading_country", default=None)
_TYPED = re.compile(r"^\+?[0-9 ()./-]{2,40}$")
SHORT_RE = re.compile(r"^[0-9*#]{1,6}$")


def to_e164(text: str | None, country: str, *, any_range: bool = False) -> str | None:
    """E.164 of a number typed in `country`, or None when it is not a phone number. `any_range`: accept
    ranges libphonenumber does not know (test and fictitious DIDs of the operator's pool)."""
    text = (text or "").strip()
    if not _TYPED.match(text):
        return None
    digits = "+" + "".join(ch for ch in text if ch.isdigit()) if text.startswith("+") else \
        "".join(ch for ch in text if ch.isdigit())
    try:
        parsed = phonenumbers.parse(digits, country or DEFAULT_COUNTRY)
    except phonenumbers.NumberParseException:
        return None
    if any_range:
        if not phonenumbers.is_possible_number(parsed):
            return None
    elif not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def readable(number: str | None, country: str | None) -> str:
    """'+41795551234' -> '079 555 12 34' for a Swiss company, '+41 79 555 12 34' for any other; what is not
    an E.164 number (an extension, a short number, nothing) comes back as it is."""
    if not number or not number.startswith("+"):
        return number or ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    home = phonenumbers.country_code_for_region(country or DEFAULT_COUNTRY)
    style = PhoneNumberFormat.NATIONAL if parsed.country_code == home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def example(country: str | None) -> str:
    """A mobile number of `country` as people write it, for placeholders and messages."""
    sample = phonenumbers.example_number_for_type(country or DEFAULT_COUNTRY, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(sample, PhoneNumberFormat.NATIONAL) if sample else "+41 79 123 45 67"


def loading_country() -> str:
    return LOADING_COUNTRY.get() or DEFAULT_COUNTRY


class PhoneNumber(fields.String):
    """A phone number as typed, loaded as E.164 with the company's country. `short`: an extension or a short
    number (up to 6 digits, * and #) is kept as typed (phonebooks, speed dials). `any_range`: see to_e164."""

    def __init__(self, *, short: bool = False, any_range: bool = False, **kw):
        super().__init__(**kw)
        self.short = short
        self.any_range = any_range

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if self.short and SHORT_RE.match(text):
            return text
        number = to_e164(text, loading_country(), any_range=self.any_range)
        if number is None:
            raise ValidationError(Message.of(N_("Not a phone number (e.g. %(example)s)."),
                                             example=example(loading_country())))
        return number
