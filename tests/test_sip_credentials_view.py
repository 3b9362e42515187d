"""The view sip_credentials, what Kamailio authenticates REGISTERs against (tests/cluster runs it for
real): per enabled user of an active tenant, the user name, the domain and the a1-hash, nothing else;
a change of the product's services shows in it within the same transaction."""
import pytest
from sqlalchemy import select, text

from centrex.directory.users import regenerate_secret, update_user
from centrex.models import User
from centrex.platform.crypto import digest_a1
from centrex.tenants.companies import set_status

pytestmark = pytest.mark.smoke


def credentials(session, domain: str) -> dict:
    rows = session.execute(text("SELECT * FROM sip_credentials WHERE domain = :d"), {"d": domain}).mappings().all()
    assert all(set(row) == {"username", "domain", "ha1"} for row in rows)  # never a secret
    return {row["username"]: row["ha1"] for row in rows}


def test_enabled_users_of_active_tenants_with_their_digest_and_changes_seen_at_once(session, demo):
    dupont = demo["dupont.example"]
    listed = credentials(session, "dupont.example")
    assert {"1000", "1001", "1005"} <= set(listed) and set(credentials(session, "martin.example")) >= {"1001"}

    alain = session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1001")).scalar_one()
    assert listed["1001"] == alain.sip_a1_hash
    secret = regenerate_secret(alain)
    assert credentials(session, "dupont.example")["1001"] == digest_a1("1001", "dupont.example", secret)

    update_user(alain, {"enabled": False})
    assert "1001" not in credentials(session, "dupont.example")
    set_status(dupont, "suspended")
    assert credentials(session, "dupont.example") == {}
    assert "1001" in credentials(session, "martin.example")  # the other tenant's 1001 is another account
