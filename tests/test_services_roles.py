"""The custom-role service: validated, flushed, audited, scoped to one company."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.access.accounts import create_account
from centrex.access.roles import assign_role, create_role, delete_role, logins_with, update_role
from centrex.models import Account, AuditEntry, Role
from centrex.platform.db import db
from centrex.platform.errors import Conflict, Invalid

pytestmark = pytest.mark.smoke


def audit_actions(role: Role) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "console_role", AuditEntry.object_id == role.id)
            .order_by(AuditEntry.id)
        ).scalars()
    )


def test_create_change_levels_and_areas_in_place(dupont):
    role = create_role(dupont, {"name": "Standard", "permissions": {"users": "read", "calls": "read"}})
    update_role(role, {"permissions": {"users": "write", "faxes": "read"}})  # one level up, one out, one in
    db.session.expire_all()
    assert db.session.get(Role, role.id).grants() == {"users": "write", "faxes": "read"}
    update_role(role, {"description": "Standard téléphonique"})
    update_role(role, {"description": "Standard téléphonique"})  # no change, no audit row
    assert audit_actions(role) == ["create", "update", "update"]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": ""}, "name"),
        ({"name": "X", "permissions": {"operator": "write"}}, "permissions"),
        ({"name": "X", "permissions": {"users": "admin"}}, "permissions"),
        ({"name": "A\nB"}, "name"),  # no line breaks (audit rows, page titles)
    ],
)
def test_invalid_roles_are_refused_with_their_field(dupont, data, field):
    with pytest.raises(Invalid) as refused:
        create_role(dupont, data)
    assert field in refused.value.fields
    assert db.session.execute(select(Role).where(Role.name == "X")).first() is None


def test_names_are_unique_per_company_ignoring_case(demo, dupont):
    with pytest.raises(Conflict):
        create_role(dupont, {"name": " réception "})
    create_role(demo["martin.example"], {"name": "Réception"})  # another company may use the name


def test_assign_only_to_admins_of_the_same_company_and_delete_only_when_unused(demo, dupont):
    role = create_role(dupont, {"name": "Compta", "permissions": {"calls": "read"}})
    alain = db.session.execute(
        select(Account).where(Account.email == "alain.dupont@dupont.example")
    ).scalar_one()
    with pytest.raises(Invalid):
        assign_role(alain, role)  # an employee login
    martin_admin = create_account(
        "boss@martin.example", "long-password-1", "admin", tenant=demo["martin.example"]
    )
    with pytest.raises(Invalid):
        assign_role(martin_admin, role)
    compta = create_account("compta@dupont.example", "long-password-1", "admin", tenant=dupont)
    with pytest.raises(Invalid):
        assign_role(compta, role, by=compta)  # nobody limits their own login
    assign_role(compta, role)
    assert logins_with(role) == [compta]
    with pytest.raises(Conflict) as refused:
        delete_role(role)
    assert refused.value.fields == {"logins": ["compta@dupont.example"]}
    assign_role(compta, None)
    delete_role(role)
    assert db.session.get(Role, role.id) is None
