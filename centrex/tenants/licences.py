"""The optional services of a client's licence (queues, voice menus, conferences, fax, API): the operator
chooses them; creating such an object for a client whose licence lacks it is refused. New clients get
every service; the operator takes away what was not sold."""
from __future__ import annotations

from sqlalchemy import delete, select

from centrex.models import Tenant
from centrex.models.licence import LICENSED_FEATURES, LicensedFeature
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Forbidden, Invalid, Message

FEATURE_NAMES = {  # for the refusal message
    "queues": N_("call queues"),
    "ivr": N_("voice menus"),
    "conferences": N_("conferences"),
    "fax": N_("fax"),
    "api": N_("the API"),
}


def features_of(tenant_id: int) -> frozenset[str]:
    return frozenset(db.session.execute(select(LicensedFeature.feature)
                                        .where(LicensedFeature.tenant_id == tenant_id)).scalars())


def set_features(tenant: Tenant, features) -> frozenset[str]:
    """The client's licence includes exactly `features` from now on. Flushes and audits a change."""
    wanted = frozenset(features)
    unknown = wanted - set(LICENSED_FEATURES)
    if unknown:
        raise Invalid(N_("Unknown service: %(names)s."), names=", ".join(sorted(unknown)),
                      fields={"features": [N_("Unknown.")]})
    current = features_of(tenant.id)
    if wanted == current:
        return current
    removed, added = current - wanted, wanted - current
    if removed:
        db.session.execute(delete(LicensedFeature).where(LicensedFeature.tenant_id == tenant.id,
                                                         LicensedFeature.feature.in_(sorted(removed))))
    db.session.add_all(LicensedFeature(tenant_id=tenant.id, feature=f) for f in sorted(added))
    db.session.flush()
    audit.record("update", tenant, tenant_id=tenant.id,
                 changes={"services_added": ", ".join(sorted(added)), "services_removed": ", ".join(sorted(removed))})
    return wanted


def require(tenant: Tenant, feature: str) -> None:
    """Refuse (403) when the client's licence does not include `feature`."""
    if feature not in features_of(tenant.id):
        raise Forbidden(N_("%(tenant)s's licence does not include %(feature)s."), tenant=tenant.name,
                        feature=Message.of(FEATURE_NAMES[feature]))
