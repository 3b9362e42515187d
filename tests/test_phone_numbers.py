"""Phone numbers as people type them, read with the company's country, and shown back as people read them."""
from __future__ import annotations

import pytest

from centrex.platform.phone_numbers import readable, to_e164


@pytest.mark.parametrize("typed,country,e164", [
    ("079 555 12 34", "CH", "+41795551234"),
    ("+41 79 555 12 34", "CH", "+41795551234"),
    ("0041 79 555 12 34", "CH", "+41795551234"),
    ("(079) 555-12-34", "CH", "+41795551234"),
    ("06 12 34 56 78", "FR", "+33612345678"),
    ("+33 6 12 34 56 78", "CH", "+33612345678"),
    ("079 55", "CH", None),
    ("079 555 12 34 ext", "CH", None),
    ("", "CH", None),
])
def test_typed_numbers_in_e164(typed, country, e164):
    assert to_e164(typed, country) == e164


def test_pool_numbers_need_only_be_possible():
    assert to_e164("021 555 01 99", "CH", any_range=True) == "+41215550199"
    assert to_e164("021 55", "CH", any_range=True) is None


@pytest.mark.parametrize("stored,country,shown", [
    ("+41795551234", "CH", "079 555 12 34"),
    ("+41795551234", "FR", "+41 79 555 12 34"),
    ("+33612345678", "FR", "06 12 34 56 78"),
    ("1001", "CH", "1001"),
    (None, "CH", ""),
])
def test_shown_as_people_read_them(stored, country, shown):
    assert readable(stored, country) == shown
