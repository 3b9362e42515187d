"""What a dialled number is: emergency, short, national, mobile, international, premium — and its E.164
form, for the tenant's country (libphonenumber's data, through the `phonenumbers` package)."""
from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, shortnumberinfo
from phonenumbers.shortnumberinfo import ShortNumberCost

# Emergency numbers we dial even for users allowed nothing else, on top of libphonenumber's list.
EMERGENCY = {
    "CH": {"112", "117", "118", "144", "143", "147", "1414", "1415"},
    "FR": {"112", "15", "17", "18", "114", "115", "119", "191", "196", "197"},
    "DE": {"112", "110", "116117"},
    "AT": {"112", "122", "133", "144", "140", "141"},
    "IT": {"112", "113", "115", "118", "1515"},
    "BE": {"112", "100", "101"},
    "LU": {"112", "113"},
}

# Call classes, each allowing what the ones before it allow.
CLASS_ORDER = ("internal", "national", "mobile", "international")

_PREMIUM_TYPES = {PhoneNumberType.PREMIUM_RATE}
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.PAGER}


@dataclass(frozen=True, slots=True)
class Dialled:
    """kind: 'emergency', 'invalid', or a number of class 'national' / 'mobile' / 'international'."""
    kind: str
    number: str            # what goes to the carrier: E.164, or the short number as dialled
    needs: str = "national"     # the call class it needs
    premium: bool = False
    reason: str = ""


def clean(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit() or ch == "+")


def is_emergency(digits: str, country: str) -> bool:
    if digits in EMERGENCY.get(country, ()):
        return True
    try:
        return shortnumberinfo.is_emergency_number(digits, country)
    except Exception:  # libphonenumber has no data for an odd region code: not an emergency number
        return False


def classify(dialled: str, country: str) -> Dialled:
    """Normalise and classify a number dialled by a user of a tenant in `country`."""
    digits = clean(dialled)
    if not digits or "+" in digits[1:]:
        return Dialled("invalid", digits, reason="not a phone number")
    if not digits.startswith("+") and is_emergency(digits, country):
        return Dialled("emergency", digits, needs="internal")
    if not digits.startswith(("+", "0")) and len(digits) <= 6:
        return _short(digits, country)
    try:
        parsed = phonenumbers.parse(digits, country)
    except phonenumbers.NumberParseException:
        return Dialled("invalid", digits, reason="not a phone number")
    if not phonenumbers.is_valid_number(parsed):
        return Dialled("invalid", digits, reason="no such number")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    kind_type = phonenumbers.number_type(parsed)
    premium = kind_type in _PREMIUM_TYPES
    if parsed.country_code != phonenumbers.country_code_for_region(country):
        return Dialled("international", e164, needs="international", premium=premium)
    if kind_type in _MOBILE_TYPES:
        return Dialled("mobile", e164, needs="mobile", premium=premium)
    return Dialled("national", e164, needs="national", premium=premium)


def _short(digits: str, country: str) -> Dialled:
    """Service short numbers (e.g. 1811 directory enquiries): national, premium when they cost extra."""
    try:
        parsed = phonenumbers.parse(digits, country)
        valid = shortnumberinfo.is_valid_short_number_for_region(parsed, country)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        return Dialled("invalid", digits, reason="no such short number")
    cost = shortnumberinfo.expected_cost_for_region(parsed, country)
    premium = cost in (ShortNumberCost.PREMIUM_RATE, ShortNumberCost.UNKNOWN_COST)
    return Dialled("national", digits, needs="national", premium=premium)


def allowed(call_class: str, needs: str) -> bool:
    if call_class not in CLASS_ORDER or needs not in CLASS_ORDER:
        return False
    return CLASS_ORDER.index(call_class) >= CLASS_ORDER.index(needs)


def carrier_e164(text: str, country: str) -> str | None:
    """A DID as carriers send it (+41…, 41…, 0…), in E.164 — without requiring a valid number plan
    entry, since test and fictitious ranges are routed like any other."""
    digits = clean(text)
    if not digits:
        return None
    if digits.startswith("+"):
        return digits if 8 <= len(digits) <= 16 else None
    if digits.startswith("00"):
        return "+" + digits[2:] if 8 <= len(digits) - 1 <= 16 else None
    try:
        parsed = phonenumbers.parse(digits, country)
    except phonenumbers.NumberParseException:
        return None
    if digits.startswith("0"):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    code = str(phonenumbers.country_code_for_region(country))
    if digits.startswith(code) and len(digits) > len(code) + 6:
        return "+" + digits
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
