"""Kamailio as the registrar (issue 16, first step): phones REGISTER through it with the digest the product
keeps (the view sip_credentials), per tenant domain; a change made through the product's services counts
on the next REGISTER; locations survive a restart; failed authentications end in a ban."""
from __future__ import annotations

import re

import pytest
from cluster_edge import FAILED_AUTH_LIMIT

from centrex.directory.users import update_user
from centrex.tenants.companies import set_status
from polling import poll

pytestmark = pytest.mark.postgres

DUPONT, MARTIN = "dupont.example", "martin.example"


def registered(result) -> bool:
    return result.responses("REGISTER") == [401, 200]


def refused(result) -> bool:
    """Challenged, then refused once the phone answered the challenge (never a 200)."""
    return result.responses("REGISTER") == [401, 403]


def test_the_right_secret_registers_and_a_wrong_or_unknown_one_is_refused(edge):
    right = edge.register("1001", DUPONT, edge.secret("1001", DUPONT))
    assert registered(right), right.output
    assert "sip:1001@127.0.0.1" in edge.edge.rpc("ul.lookup", "location", f"1001@{DUPONT}")

    assert refused(edge.register("1001", DUPONT, "not-the-secret-123"))
    assert refused(edge.register("1999", DUPONT, "no-such-user-1234"))  # no such extension
    assert refused(edge.register("1001", "nobody.example", edge.secret("1001", DUPONT)))  # no such tenant


def test_the_same_extension_in_two_tenants_each_with_its_own_secret(edge):
    dupont_secret, martin_secret = edge.secret("1001", DUPONT), edge.secret("1001", MARTIN)
    assert dupont_secret != martin_secret
    assert registered(edge.register("1001", MARTIN, martin_secret))
    assert refused(edge.register("1001", MARTIN, dupont_secret))
    assert refused(edge.register("1001", DUPONT, martin_secret))


def test_a_secret_changed_through_the_product_counts_on_the_next_register(edge):
    old = edge.secret("1002", DUPONT)
    assert registered(edge.register("1002", DUPONT, old))
    with edge.data() as session:
        update_user(edge.user(session, "1002", DUPONT), {"sip_secret": "brand-new-secret-42"})
    assert registered(edge.register("1002", DUPONT, "brand-new-secret-42"))
    assert refused(edge.register("1002", DUPONT, old))


def test_a_suspended_tenant_and_a_disabled_user_are_refused_until_restored(edge):
    secret = edge.secret("1002", MARTIN)
    with edge.data() as session:
        set_status(edge.user(session, "1002", MARTIN).tenant, "suspended")
    assert refused(edge.register("1002", MARTIN, secret))
    with edge.data() as session:
        set_status(edge.user(session, "1002", MARTIN).tenant, "active")
    assert registered(edge.register("1002", MARTIN, secret))

    secret = edge.secret("1000", MARTIN)
    with edge.data() as session:
        update_user(edge.user(session, "1000", MARTIN), {"enabled": False})
    assert refused(edge.register("1000", MARTIN, secret))
    with edge.data() as session:
        update_user(edge.user(session, "1000", MARTIN), {"enabled": True})
    assert registered(edge.register("1000", MARTIN, secret))


def test_a_user_has_at_most_the_settings_number_of_phones(edge):
    secret = edge.secret("1004", DUPONT)
    for _ in range(5):  # CENTREX_MAX_REGISTRATIONS_PER_EXTENSION's default: each from a port of its own
        assert registered(edge.register("1004", DUPONT, secret))
    sixth = edge.register("1004", DUPONT, secret)
    assert sixth.responses("REGISTER")[-1] == 503, sixth.output  # registrar: too many registered contacts
    assert edge.edge.rpc("ul.lookup", "location", f"1004@{DUPONT}").count("Address:") == 5


def test_a_restart_of_kamailio_loses_no_registration(edge):
    assert registered(edge.register("1005", DUPONT, edge.secret("1005", DUPONT)))
    contacts = poll(lambda: edge.locations("1005", DUPONT), 10, 0.3, what="the location written back")
    edge.edge.restart()
    assert edge.locations("1005", DUPONT) == contacts
    assert contacts[0] in edge.edge.rpc("ul.lookup", "location", f"1005@{DUPONT}")


def test_failed_authentications_from_one_address_end_in_a_ban_with_a_clear_log_line(edge):
    offset = edge.edge.log_size()
    for _ in range(FAILED_AUTH_LIMIT):
        assert refused(edge.register("1000", DUPONT, "guessing-password-1"))
    log = edge.edge.log_since(offset)
    assert len(re.findall(r"CENTREX-AUTH-FAILED 127\.0\.0\.1: REGISTER sip:1000@dupont\.example", log)) \
        == FAILED_AUTH_LIMIT
    assert f"CENTREX-BAN 127.0.0.1: {FAILED_AUTH_LIMIT} failed authentications (last: 1000@{DUPONT})" in log

    banned = edge.register("1000", DUPONT, edge.secret("1000", DUPONT), timeout=3)
    assert banned.responses("REGISTER") == []  # silence, even with the right secret

    edge.edge.rpc("htable.delete", "ipban", "127.0.0.1")  # the operator lifts the ban
    assert registered(edge.register("1000", DUPONT, edge.secret("1000", DUPONT)))


def test_the_operator_console_counts_the_phones_registered_at_the_edge(edge):
    from centrex.cluster.status import edge_registrations

    assert registered(edge.register("1003", DUPONT, edge.secret("1003", DUPONT)))

    def counted():
        with edge.app.app_context():
            return edge_registrations()
    found = poll(lambda: (counted() or {}).get(DUPONT), 10, 0.3, what="the edge location row of dupont.example")
    assert found >= 1
    assert set(counted()) <= {DUPONT, MARTIN}  # per company domain, nothing else
