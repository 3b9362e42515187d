"""Public holidays of a country (and of its region where they differ, e.g. a Swiss canton) from the
maintained `holidays` library, added to a schedule as holidays (exceptions to its default destination),
named in the company's language where the library has it; days already listed are left as they are."""
from __future__ import annotations

from datetime import date

import holidays

from centrex.models import Schedule, ScheduleException, Tenant
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid


def subdivisions(country: str) -> list[tuple[str, str]]:
    """(code, name) of the regions with their own holidays ("VD", "Vaud"); empty when the country has none
    or the library does not know the country."""
    try:
        calendar = holidays.country_holidays(country)
    except NotImplementedError:
        return []
    names: dict[str, list[str]] = {}
    for name, code in getattr(calendar, "subdivisions_aliases", {}).items():
        names.setdefault(code, []).append(name)
    return [(code, " / ".join(names.get(code, [])) or code) for code in calendar.subdivisions]


def public_holidays(country: str, year: int, subdivision: str | None, language: str) -> dict[date, str]:
    """{day: name} of that year; refused when the library does not know the country or the region."""
    if not 2000 <= year <= 2100:
        raise Invalid(N_("Not a sensible year."), fields={"year": [N_("Not a sensible year.")]})
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        raise Invalid(N_("No public holidays are known for the country %(country)s."), country=country,
                      fields={"subdivision": [N_("Unknown here.")]}) from None
    spoken = next((lang for lang in (language, f"{language}_US", f"{language}_CH")
                   if lang in calendar.supported_languages), None)
    if spoken:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year, language=spoken)
    return dict(sorted(calendar.items()))


def import_public_holidays(schedule: Schedule, year: int, subdivision: str | None = None) -> list[ScheduleException]:
    """Add the public holidays of `year` that the schedule does not list yet (a yearly date counts);
    flushed and audited. Returns what was added."""
    tenant = db.session.get(Tenant, schedule.tenant_id)
    if subdivision and subdivision not in dict(subdivisions(tenant.country)):
        raise Invalid(N_("Unknown region."), fields={"subdivision": [N_("Unknown region.")]})
    found = public_holidays(tenant.country, year, subdivision, tenant.language or "fr")
    listed = {e.day for e in schedule.exceptions}
    yearly = {(e.day.month, e.day.day) for e in schedule.exceptions if e.yearly}
    added = [ScheduleException(tenant_id=tenant.id, day=day, yearly=False, label=name[:120])
             for day, name in found.items() if day not in listed and (day.month, day.day) not in yearly]
    if added:
        schedule.exceptions.extend(added)
        db.session.flush()
        audit.record("import_holidays", schedule, tenant_id=tenant.id, changes={
            "name": schedule.name, "exceptions": "; ".join(f"{e.day.isoformat()} {e.label}" for e in added)})
    return added
