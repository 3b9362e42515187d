"""`dest-<kind>-<id>` addresses (menu keys, menu timeouts, queue overflow) routed like a number pointing
there, replayed through the captured IVR transfer (fixture 61: the menu's `transfer … XML dupont.example`)."""
from __future__ import annotations

from sqlalchemy import select

from centrex.features import ivr
from centrex.models import CallQueue, IvrMenu, User
from centrex.platform.db import db
from xmlcurl_helpers import bridge_legs, count_queries, parse_document

IVR_TRANSFER = "61-dialplan-ivr_menu_exec_app_transfer-1001.http"
MOBILE = "+41791234567"


def _dial(post_capture, address: str, domain: str = "dupont.example"):
    """The IVR's transfer request, dialling `address` in `domain` instead of 1001."""
    return parse_document(post_capture(IVR_TRANSFER, replace={
        "Destination-Number=1001&": f"Destination-Number={address}&",
        "Context=dupont.example&": f"Context={domain}&"}))


def _apps(doc) -> list[tuple[str, str | None]]:
    return [(a.get("application"), a.get("data")) for a in doc.xpath("//action")]


def _one(model, tenant, **where):
    query = select(model).where(model.tenant_id == tenant.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.execute(query).scalars().first()


def test_queue_overflow_address_rings_the_reception(demo, post_capture):
    dupont = demo["dupont.example"]
    queue = _one(CallQueue, dupont, name="Réclamations")
    reception = _one(User, dupont, extension="1000")
    assert queue.after_dest_id == reception.id
    doc = _dial(post_capture, f"dest-queue_after-{queue.id}")
    assert bridge_legs(doc) == ["user/1000@dupont.example"]


def test_menu_timeout_address_leaves_a_message_in_the_shared_box(demo, post_capture):
    menu = _one(IvrMenu, demo["dupont.example"], name="Français")
    doc = _dial(post_capture, f"dest-ivr_timeout-{menu.id}")
    voicemail = [data for app, data in _apps(doc) if app == "voicemail"]
    assert len(voicemail) == 1 and voicemail[0].startswith("default dupont.example ")
    assert bridge_legs(doc) == []


def test_outside_number_only_through_the_menu_entry_that_holds_it(demo, post_capture):
    dupont = demo["dupont.example"]
    menu = _one(IvrMenu, dupont, name="Français")
    entry = ivr.set_entry(dupont, menu, {"digits": "9", "label": "Mobile", "dest_type": "external",
                                         "dest_value": MOBILE})
    db.session.flush()
    assert any(leg.endswith(f"/{MOBILE}") for leg in bridge_legs(_dial(post_capture, f"dest-ivr_entry-{entry.id}")))
    # The raw number as an address is no address; the same entry from the other company is nothing.
    for address, domain in ((f"dest-external-{MOBILE[1:]}", "dupont.example"),
                            (f"dest-ivr_entry-{entry.id}", "martin.example")):
        doc = _dial(post_capture, address, domain)
        assert bridge_legs(doc) == []
        assert ("hangup", "UNALLOCATED_NUMBER") in _apps(doc)


def test_other_company_cannot_reach_dupont_objects_by_address(demo, post_capture):
    queue = _one(CallQueue, demo["dupont.example"], name="Réclamations")
    doc = _dial(post_capture, f"dest-queue_after-{queue.id}", "martin.example")
    assert bridge_legs(doc) == [] and ("hangup", "UNALLOCATED_NUMBER") in _apps(doc)
    doc = _dial(post_capture, f"dest-queue-{queue.id}", "martin.example")
    assert not any(app == "callcenter" for app, _ in _apps(doc))


def test_address_request_stays_within_three_queries(demo, post_capture):
    queue = _one(CallQueue, demo["dupont.example"], name="Réclamations")
    with count_queries() as statements:
        doc = _dial(post_capture, f"dest-queue_after-{queue.id}")
    assert bridge_legs(doc) == ["user/1000@dupont.example"]
    assert len(statements) <= 3, statements


def test_queue_with_maximum_wait_then_goes_to_its_overflow(demo, post_capture):
    dupont = demo["dupont.example"]
    queue = _one(CallQueue, dupont, name="Réclamations")
    apps = _apps(_dial(post_capture, "2100"))
    names = [app for app, _ in apps]
    assert names[names.index("callcenter") + 1:] == ["transfer"]
    address = dict(apps)["transfer"].split()
    assert address == [f"dest-queue_after-{queue.id}", "XML", "dupont.example"]
    assert bridge_legs(_dial(post_capture, address[0])) == ["user/1000@dupont.example"]
    # Martin's queue has no overflow: the caller waits until someone answers.
    martin = [app for app, _ in _apps(_dial(post_capture, "2100", "martin.example"))]
    assert "callcenter" in martin and "transfer" not in martin
