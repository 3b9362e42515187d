"""Phone numbers in the console as the client's people read them (the `phone` template filter and form
values); what they type is read by the core (centrex.platform.phone_numbers)."""
from __future__ import annotations

from flask import current_app, g

from centrex.platform.phone_numbers import readable


def readable_number(number: str | None) -> str:
    """A stored E.164 number in the national format of the client's country, international otherwise."""
    tenant = g.get("tenant")
    return readable(number, tenant.country if tenant is not None else current_app.config.get("CARRIER_COUNTRY"))
