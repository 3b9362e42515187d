"""The demo: Dupont SA (dupont.example), the worked example of the client's manual, and a second
company, Martin Sàrl (martin.example), that reuses the same extension numbers to show isolation."""
from __future__ import annotations

from sqlalchemy import select

from centrex.access.accounts import create_account
from centrex.access.roles import assign_role, create_role
from centrex.demo.fax import load_demo_fax
from centrex.demo.routing import load_routing_demo
from centrex.demo.services import load_services
from centrex.directory.users import create_user
from centrex.models import Tenant
from centrex.platform.db import db
from centrex.routing.call_rights import save_call_rights
from centrex.routing.numbers import add_number, point_number
from centrex.tenants.companies import create_tenant

DEMO_PASSWORD = "demo-centrex-2026"  # every demo console login; printed by `make run`

DUPONT_STAFF = [
    # extension, name, e-mail local part, direct number, mobile
    ("1000", "Claire Dumas", "claire.dumas", "+41215550101", None),  # the receptionist, "Mme Dumas"
    ("1001", "Alain Dupont", "alain.dupont", "+41215550102", "+41791234567"),
    ("1002", "Sophie Martin", "sophie.martin", "+41215550103", "+41791234568"),
    ("1003", "Luc Favre", "luc.favre", "+41215550104", "+41791234569"),
    ("1004", "Julie Bernard", "julie.bernard", "+41215550105", "+41791234570"),
    ("1005", "Marc Rochat", "marc.rochat", "+41215550106", "+41791234571"),
]
DUPONT_MAIN = "+41215550100"
DUPONT_SALES = "+41215550110"
DUPONT_FAX = "+41215550190"

MARTIN_STAFF = [
    ("1000", "Nadia Keller", "nadia.keller", "+41225550201", None),
    ("1001", "Pierre Martin", "pierre.martin", "+41225550202", None),
    ("1002", "Anne Rey", "anne.rey", "+41225550203", None),
]
MARTIN_MAIN = "+41225550200"

POOL_FREE = ["+41215550120", "+41215550121", "+41225550299"]


def demo_loaded() -> bool:
    return db.session.execute(select(Tenant.id).where(Tenant.domain == "dupont.example")).first() is not None


def load_demo() -> dict:
    """Create both demo companies with users, numbers and logins. Flushes; the caller commits."""
    dupont = _company("dupont.example", "Dupont SA", DUPONT_STAFF, DUPONT_MAIN, vm_pin_base=4000)
    add_number({"e164": DUPONT_SALES, "label": "Équipe de vente"}, dupont)
    add_number({"e164": DUPONT_FAX, "label": "Fax"}, dupont)
    load_routing_demo(dupont, DUPONT_MAIN, DUPONT_SALES)
    load_demo_fax(dupont)
    martin = _company("martin.example", "Martin Sàrl", MARTIN_STAFF, MARTIN_MAIN, vm_pin_base=5000)
    for e164 in POOL_FREE:
        add_number({"e164": e164, "label": None})
    create_account("operator@centrex.example", DEMO_PASSWORD, "operator")
    load_services(dupont, martin, sales_number=DUPONT_SALES)
    _reception(dupont)
    save_call_rights(dupont, DUPONT_CALL_RIGHTS)
    return {"tenants": [dupont, martin]}


# Dupont SA's allowed call destinations (« Autoriser les appels vers »): satellite phones are refused to
# everyone, premium-rate numbers too; each user keeps their own class, up to international.
DUPONT_CALL_RIGHTS = {
    "max_call_class": "international",
    "allow_premium": False,
    "prefixes": [{"prefix": "+881", "label": "Satellite (Iridium, Globalstar…)"},
                 {"prefix": "+882", "label": "Satellite et réseaux internationaux (Thuraya…)"}],
}


# Dupont SA's custom role (« Autorisations »): the reception desk sees calls, who is on the phone and the
# phonebook, and changes call groups and opening hours; its login is a delegated administrator.
RECEPTION_LOGIN = "reception@dupont.example"
RECEPTION_RIGHTS = {"calls": "read", "presence": "read", "phonebook": "read", "groups": "write",
                    "schedules": "write"}


def _reception(dupont: Tenant) -> None:
    role = create_role(dupont, {
        "name": "Réception", "permissions": RECEPTION_RIGHTS,
        "description": "Accueil : appels, présence, annuaire ; groupes et horaires"})
    assign_role(create_account(RECEPTION_LOGIN, DEMO_PASSWORD, "admin", tenant=dupont), role)


def _company(domain, name, staff, main_number, vm_pin_base):
    tenant = create_tenant({"domain": domain, "name": name, "timezone": "Europe/Zurich", "language": "fr",
                            "country": "CH", "max_calls": 10})
    users = {}
    for i, (ext, full_name, local, direct, mobile) in enumerate(staff):
        user = create_user(tenant, {"extension": ext, "name": full_name, "email": f"{local}@{domain}",
                                    "mobile": mobile, "vm_pin": str(vm_pin_base * 100 + 37 + 29 * i)})
        number = add_number({"e164": direct, "label": f"Ligne directe {full_name}"}, tenant)
        point_number(number, tenant, {"dest_type": "user", "dest_id": user.id})
        create_account(f"{local}@{domain}", DEMO_PASSWORD, "user", tenant=tenant, user=user)
        users[ext] = user
    main = add_number({"e164": main_number, "label": "Numéro principal", "is_main": True}, tenant)
    point_number(main, tenant, {"dest_type": "user", "dest_id": users["1000"].id})
    create_account(f"admin@{domain}", DEMO_PASSWORD, "admin", tenant=tenant)
    return tenant
