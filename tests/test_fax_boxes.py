"""Fax boxes: validation, audit without the secret, a number pointed at a box of the same tenant only."""
import pytest
from sqlalchemy import select

from centrex.fax import boxes as fax_service
from centrex.models import AuditEntry, FaxBox, Number
from centrex.platform.crypto import verify_password
from centrex.platform.errors import Conflict, Invalid
from centrex.routing.numbers import point_number

pytestmark = pytest.mark.smoke


def test_demo_fax_number_points_at_duponts_box(session, demo):
    dupont = demo["dupont.example"]
    box = session.execute(select(FaxBox).where(FaxBox.tenant_id == dupont.id)).scalar_one()
    assert fax_service.box_number(box) == "+41215550190"
    assert box.emails == ["claire.dumas@dupont.example"] and box.sends_faxes
    assert verify_password(box.secret_hash, "fax-dupont-2026")


def test_box_secret_is_hashed_and_never_audited(session, demo):
    martin = demo["martin.example"]
    box = fax_service.create_box(martin, {"name": "Fax Martin", "emails": ["nadia.keller@martin.example"],
                                          "sender_email": "Nadia.Keller@martin.example", "secret": "s3cret-fax!"})
    fax_service.update_box(box, {"secret": "another-secret", "emails": ["anne.rey@martin.example"]})
    assert box.sender_email == "nadia.keller@martin.example"
    assert verify_password(box.secret_hash, "another-secret") and box.retention_days == 90
    rows = session.execute(select(AuditEntry).where(AuditEntry.object_type == "fax_box",
                                                    AuditEntry.object_id == box.id)
                           .order_by(AuditEntry.id)).scalars().all()
    assert [(r.action, r.tenant_id, r.changes.get("secret")) for r in rows] == \
        [("create", martin.id, "set"), ("update", martin.id, "changed")]
    assert all("s3cret" not in str(r.changes) and "another-secret" not in str(r.changes) for r in rows)


def test_box_validation(session, demo):
    martin = demo["martin.example"]
    with pytest.raises(Invalid) as bad:
        fax_service.create_box(martin, {"name": "", "emails": ["not-an-address"], "secret": "short"})
    assert set(bad.value.fields) == {"name", "emails", "secret"}
    fax_service.create_box(martin, {"name": "Fax", "sender_email": "nadia.keller@martin.example",
                                    "secret": "long-enough"})
    with pytest.raises(Conflict) as taken:  # Martin's box already sends from this address
        fax_service.create_box(martin, {"name": "Fax 2", "sender_email": "Nadia.Keller@martin.example",
                                        "secret": "long-enough"})
    assert "sender_email" in taken.value.fields


def test_another_companys_sender_is_none_of_this_companys_business(session, demo):
    """Dupont's box sends from claire.dumas@dupont.example: Martin may give a box the same sender and is
    told nothing about Dupont (no cross-company address oracle); the mail's secret tells them apart."""
    martin = demo["martin.example"]
    box = fax_service.create_box(martin, {"name": "Fax", "sender_email": "claire.dumas@dupont.example",
                                          "secret": "martin-fax-secret"})
    boxes = fax_service.boxes_of_sender("Claire.Dumas@dupont.example")
    assert [b.tenant_id for b in boxes] == [demo["dupont.example"].id, martin.id]
    assert fax_service.opened_by(boxes, "martin-fax-secret") == [box]
    assert fax_service.opened_by(boxes, "not-a-secret") == []


def test_a_number_cannot_point_at_another_tenants_fax_box(session, demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    dupont_box = session.execute(select(FaxBox).where(FaxBox.tenant_id == dupont.id)).scalar_one()
    martin_main = session.execute(select(Number).where(Number.tenant_id == martin.id,
                                                       Number.is_main.is_(True))).scalar_one()
    with pytest.raises(Invalid):
        point_number(martin_main, martin, {"dest_type": "fax", "dest_id": dupont_box.id})


def test_receive_plan_for_the_dialplan(session, demo, app):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    box = session.execute(select(FaxBox).where(FaxBox.tenant_id == dupont.id)).scalar_one()
    plan = fax_service.receive_plan(dupont, box.id)
    assert plan.rxfax_path == f"{app.config['FAX_SPOOL']}/dupont.example/in/${{uuid}}.tif"
    assert plan.variables == {
        "centrex_fax_box_id": str(box.id), "centrex_tenant_id": str(dupont.id), "fax_ident": "+41215550190",
        "fax_header": "Dupont SA", "fax_use_ecm": "true", "fax_enable_t38": "true",
        "fax_enable_t38_request": "true", "fax_verbose": "false",
        "rtp_timer_name": "soft"}  # spandsp paced by a clock, not by the far end's RTP (seen live)
    assert fax_service.receive_plan(martin, box.id) is None  # never another tenant's box
