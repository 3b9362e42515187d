"""The demo's fax: Dupont SA receives faxes on +41215550190 by email (the manual's "Fax to Email") and may
send faxes by email from Mme Dumas's address with the box's secret in the subject ("Email to Fax")."""
from __future__ import annotations

from sqlalchemy import select

from centrex.fax.boxes import create_box
from centrex.models import Number, Tenant
from centrex.platform.db import db
from centrex.routing.numbers import point_number

DEMO_FAX_NUMBER = "+41215550190"
DEMO_FAX_SECRET = "fax-dupont-2026"  # the subject of an email to fax from claire.dumas@dupont.example


def load_demo_fax(dupont: Tenant):
    box = create_box(dupont, {"name": "Fax", "emails": ["claire.dumas@dupont.example"],
                              "sender_email": "claire.dumas@dupont.example", "secret": DEMO_FAX_SECRET})
    number = db.session.execute(select(Number).where(Number.tenant_id == dupont.id,
                                                     Number.e164 == DEMO_FAX_NUMBER)).scalar_one()
    point_number(number, dupont, {"dest_type": "fax", "dest_id": box.id})
    return box
