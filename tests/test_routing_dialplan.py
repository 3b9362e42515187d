"""Dialplan XML for the captured mod_xml_curl requests, on the demo data: FreeSWITCH's real applications
and variables, checked with lxml; the continuation after a failed bridge replayed with the captured second
requests (51 busy, 53 no answer, 56 not registered)."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from sqlalchemy import select

from centrex.demo.companies import DUPONT_MAIN, DUPONT_SALES, MARTIN_MAIN
from centrex.demo.routing import ALAIN_SECOND_OFFICE
from centrex.models import RingGroup
from centrex.platform.db import db

pytestmark = pytest.mark.smoke

PUBLIC = "62-dialplan-public-did_41215550100-external_profile.http"
CARRIER_IN_TENANT = "63-dialplan-public_transfer_to_dupont.example-1002.http"
INTERNAL = "25-dialplan-call-1001-to-1002.http"
FIRST_TRY = "50-dialplan-outcome_a-busy-2101.http"
AFTER = {"busy": "51-dialplan-outcome_a-transfer_7001_after_USER_BUSY.http",
         "no_answer": "53-dialplan-outcome_b-transfer_7001_after_NO_ANSWER.http",
         "offline": "56-dialplan-outcome_c-transfer_7001_after_USER_NOT_REGISTERED.http"}


def at(text: str) -> str:
    """Event-Date-Timestamp (µs) of a Zurich local time: FreeSWITCH's clock decides the schedule."""
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Europe/Zurich"))
    return str(int(moment.timestamp() * 1_000_000))


def doc(response):
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return etree.fromstring(response.data)


def actions(document, context="dupont.example"):
    contexts = document.xpath("/document/section[@name='dialplan']/context")
    assert [c.get("name") for c in contexts] == [context]
    return [(a.get("application"), a.get("data")) for a in contexts[0].xpath("extension/condition/action")]


def data_of(acts, app):
    found = [d for a, d in acts if a == app]
    assert len(found) == 1, (app, acts)
    return found[0]


def variable(acts, name):
    return next(d.split("=", 1)[1] for a, d in acts if a == "set" and d.startswith(name + "="))


def test_carrier_call_in_public_is_stamped_and_transferred(demo, post_capture):
    acts = actions(doc(post_capture(PUBLIC)), "public")
    tenant_id = demo["dupont.example"].id
    assert acts == [
        ("set", "domain_name=dupont.example"), ("set", "user_context=dupont.example"),
        ("export", f"tenant_id={tenant_id}"), ("export", "accountcode=dupont.example"),
        ("set", "limit_ignore_transfer=true"), ("limit", "hash centrex_tenant dupont.example 10 !USER_BUSY"),
        ("transfer", f"{DUPONT_MAIN} XML dupont.example"),
    ]


@pytest.mark.parametrize("sent", ["%2B41225550200", "0225550200", "41225550200"])
def test_another_tenants_did_lands_in_that_tenant(demo, post_capture, sent):
    acts = actions(doc(post_capture(PUBLIC, replace={"%2B41215550100": sent})), "public")
    assert ("transfer", f"{MARTIN_MAIN} XML martin.example") in acts
    assert "dupont" not in str(acts)


@pytest.mark.parametrize("did", ["%2B41215559999", "%2B41215550120", "%2B4412", "garbage"])
def test_unknown_or_unassigned_did_is_refused_cleanly(demo, post_capture, did):
    acts = actions(doc(post_capture(PUBLIC, replace={"%2B41215550100": did})), "public")
    assert acts == [("hangup", "UNALLOCATED_NUMBER")]


def test_carrier_call_to_the_main_number_on_a_tuesday_morning(demo, post_capture):
    acts = actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=%2B41215550100",
        "Event-Date-Timestamp=1795948713968491": f"Event-Date-Timestamp={at('2026-12-01 09:00')}"})))
    assert data_of(acts, "bridge") == "[leg_timeout=30]user/1000@dupont.example"
    assert ("set", "continue_on_fail=true") in acts and ("set", "hangup_after_bridge=true") in acts
    assert ("set", "call_timeout=30") in acts
    assert acts[-1] == ("transfer", "centrex-continue XML dupont.example")
    assert variable(acts, "centrex_fallback") == ("busy=voicemail::1000;no_answer=voicemail::1000;"
                                                  "offline=voicemail::1000;failed=voicemail::1000")


def test_carrier_call_on_sunday_of_the_capture_rings_the_on_call_mobiles(demo, post_capture):
    """The capture was made on Sunday 29 Nov 2026, 11:38 in Zurich: on-call time."""
    acts = actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=%2B41215550100"})))
    legs = data_of(acts, "bridge")
    assert legs.startswith("{ignore_early_media=true}")
    parts = legs[len("{ignore_early_media=true}"):].split("|")
    assert parts == [f"[leg_timeout=20,origination_caller_id_number=+41791234567]sofia/gateway/carrier/{m}"
                     for m in ("+41791234568", "+41791234569", "+41791234570", "+41791234571")]
    assert variable(acts, "call_timeout") == "80"


def test_sales_number_rings_the_sales_phones_at_once(demo, post_capture):
    acts = actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=%2B41215550110",
        "Event-Date-Timestamp=1795948713968491": f"Event-Date-Timestamp={at('2026-12-02 10:15')}"})))
    assert data_of(acts, "bridge") == ",".join(f"[leg_timeout=30]user/{e}@dupont.example"
                                               for e in ("1001", "1002", "1005"))
    schedule_id = variable(acts, "centrex_fallback").split(";")[0].split(":")[1]
    assert variable(acts, "centrex_fallback").startswith("busy=schedule:")
    assert int(schedule_id) > 0


def test_internal_call_counts_against_the_caller_cap(demo, post_capture):
    acts = actions(doc(post_capture(INTERNAL)))
    assert acts[:2] == [("set", "limit_ignore_transfer=true"),
                        ("limit", "hash centrex_user 1001.dupont.example 2 !USER_BUSY")]
    assert data_of(acts, "bridge") == "[leg_timeout=30]user/1002@dupont.example"


def test_outbound_call_through_the_carrier_gateway(demo, post_capture):
    acts = actions(doc(post_capture(INTERNAL, replace={"Destination-Number=1002": "Destination-Number=0791234567"})))
    assert ("set", "continue_on_fail=false") in acts
    assert ("limit", "hash centrex_tenant dupont.example 10 !NORMAL_CIRCUIT_CONGESTION") in acts
    assert data_of(acts, "bridge") == ("[leg_timeout=90,origination_caller_id_number=+41215550102,"
                                       "origination_caller_id_name=Dupont SA]sofia/gateway/carrier/+41791234567")
    assert not any(a == "transfer" for a, _ in acts)


def test_emergency_call_bypasses_caps(demo, post_capture):
    acts = actions(doc(post_capture(INTERNAL, replace={"Destination-Number=1002": "Destination-Number=117"})))
    assert not any(a == "limit" for a, _ in acts)
    assert data_of(acts, "bridge").endswith("]sofia/gateway/carrier/117")


def _first_try_for_alain(post_capture, when="2026-12-01 09:00"):
    """Sophie (1002) calls Alain (1001): the first request, from the captured 50."""
    acts = actions(doc(post_capture(FIRST_TRY, replace={
        "Destination-Number=2101": "Destination-Number=1001",
        "variable_user_name=1001": "variable_user_name=1002",
        "Event-Date-Timestamp=1795948665488482": f"Event-Date-Timestamp={at(when)}"})))
    return acts, variable(acts, "centrex_fallback"), variable(acts, "centrex_hops")


def _continue(post_capture, outcome, fallback, hops):
    """The captured second request after that outcome, carrying what our first answer put on the channel."""
    carried = f"variable_centrex_fallback={quote(fallback, safe='')}&variable_centrex_hops={hops}&"
    return actions(doc(post_capture(AFTER[outcome], replace={
        "Destination-Number=7001": "Destination-Number=centrex-continue",
        "variable_user_name=1001": "variable_user_name=1002",
        "variable_call_uuid=": carried + "variable_call_uuid="})))


def test_alain_first_try_rings_60_seconds(demo, post_capture):
    acts, fallback, hops = _first_try_for_alain(post_capture)
    assert data_of(acts, "bridge") == "[leg_timeout=60]user/1001@dupont.example"
    assert variable(acts, "call_timeout") == "60" and hops == "1"
    assert acts[-1] == ("transfer", "centrex-continue XML dupont.example")


def test_busy_goes_to_the_sales_team(demo, post_capture):
    _, fallback, hops = _first_try_for_alain(post_capture)
    acts = _continue(post_capture, "busy", fallback, hops)
    # Alain is in the sales team, but the call comes from his busy phone: not rung again.
    assert data_of(acts, "bridge") == ",".join(f"[leg_timeout=30]user/{e}@dupont.example"
                                               for e in ("1002", "1005"))
    assert variable(acts, "centrex_hops") == "2"
    assert acts[-1] == ("transfer", "centrex-continue XML dupont.example")


def test_no_answer_goes_to_the_second_office(demo, post_capture):
    _, fallback, hops = _first_try_for_alain(post_capture)
    acts = _continue(post_capture, "no_answer", fallback, hops)
    assert data_of(acts, "bridge") == (f"[leg_timeout=30,origination_caller_id_number=+41215550103]"
                                       f"sofia/gateway/carrier/{ALAIN_SECOND_OFFICE}")
    assert set(variable(acts, "centrex_fallback").split(";")) == {
        f"{o}=voicemail::1001" for o in ("busy", "no_answer", "offline", "failed")}


def test_offline_goes_to_the_mobile(demo, post_capture):
    _, fallback, hops = _first_try_for_alain(post_capture)
    acts = _continue(post_capture, "offline", fallback, hops)
    assert data_of(acts, "bridge").endswith("]sofia/gateway/carrier/+41791234567")
    # …and when the mobile does not answer either, Alain's voicemail:
    acts = _continue(post_capture, "no_answer", variable(acts, "centrex_fallback"), variable(acts, "centrex_hops"))
    assert acts == [("set", "centrex_voicemail_box=1001@dupont.example"), ("answer", None), ("sleep", "500"),
                    ("set", "default_language=fr"),
                    ("voicemail", "default dupont.example 1001")]


@pytest.mark.parametrize("garbage", ["", "busy=user:1", "busy=external::%2B41900000000%3Bx", "busy=ring_group:abc:",
                                     "busy=../../etc:1:", "no_answer=user:99999:"])
def test_continuation_with_missing_or_forged_fallbacks_ends_cleanly(demo, post_capture, garbage):
    acts = actions(doc(post_capture(AFTER["busy"], replace={
        "Destination-Number=7001": "Destination-Number=centrex-continue",
        "variable_call_uuid=": f"variable_centrex_fallback={garbage}&variable_call_uuid="})))
    assert acts[-1][0] == "hangup"
    assert not any(a == "bridge" for a, _ in acts)


def test_round_robin_rotates_and_is_persisted(demo, post_capture):
    from centrex.routing.groups import update_ring_group

    sales = db.session.execute(select(RingGroup).where(RingGroup.name == "Ventes")).scalar_one()
    update_ring_group(sales, {"strategy": "round_robin"})
    db.session.commit()
    firsts = []
    for _ in range(4):
        acts = actions(doc(post_capture(INTERNAL, replace={"Destination-Number=1002": "Destination-Number=2002"})))
        firsts.append(data_of(acts, "bridge").split("|")[0].split("user/")[1].split("@")[0])
    assert firsts == ["1001", "1002", "1005", "1001"]
    db.session.expire_all()
    assert db.session.get(RingGroup, sales.id).rotation == 4


def test_rule_pointing_at_a_deleted_user_plays_an_error(demo, post_capture):
    from centrex.models import Number, User

    sophie = db.session.execute(select(User).where(User.tenant_id == demo["dupont.example"].id,
                                                   User.extension == "1002")).scalar_one()
    main = db.session.execute(select(Number).where(Number.e164 == DUPONT_SALES)).scalar_one()
    main.dest_type, main.dest_id = "user", sophie.id
    db.session.flush()
    db.session.execute(db.delete(Number).where(Number.dest_type == "user", Number.dest_id == sophie.id,
                                              Number.e164 != DUPONT_SALES))
    db.session.delete(sophie)
    db.session.commit()
    acts = actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=%2B41215550110"})))
    assert acts[-3:] == [("pre_answer", None), ("playback", acts[-2][1]), ("hangup", "UNALLOCATED_NUMBER")]
    assert acts[-2][1].startswith("tone_stream://")


@pytest.mark.parametrize("replace", [
    {"Caller-Context=dupont.example": "Caller-Context=nowhere.example",
     "Hunt-Context=dupont.example": "Hunt-Context=nowhere.example"},
    {"Destination-Number=1002": "Destination-Number=%3Cscript%3E"},
    {"Hunt-Context=dupont.example": "Hunt-Context=DUPONT%20EXAMPLE%00"},
])
def test_malformed_or_foreign_requests_get_not_found(demo, post_capture, replace):
    document = doc(post_capture(INTERNAL, replace=replace))
    assert document.xpath("string(/document/section[@name='result']/result/@status)") == "not found"


def test_suspended_tenant_gets_nothing(demo, post_capture):
    from centrex.tenants.companies import set_status

    set_status(demo["dupont.example"], "suspended")
    db.session.commit()
    for name, ctx in ((INTERNAL, None), (PUBLIC, "public")):
        document = doc(post_capture(name))
        if ctx == "public":
            assert actions(document, "public") == [("hangup", "UNALLOCATED_NUMBER")]
        else:
            assert document.xpath("string(//result/@status)") == "not found"


def test_fax_number_receives_into_the_fax_box(demo, post_capture, app):
    from centrex.models import FaxBox

    box = db.session.execute(select(FaxBox).where(FaxBox.tenant_id == demo["dupont.example"].id)).scalar_one()
    acts = actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=%2B41215550190"})))
    assert ("set", f"centrex_fax_box_id={box.id}") in acts and ("set", "fax_ident=+41215550190") in acts
    assert ("set", "fax_enable_t38=true") in acts and ("set", "fax_use_ecm=true") in acts
    assert acts[-4:] == [("answer", None), ("playback", "silence_stream://2000"),
                         ("rxfax", f"{app.config['FAX_SPOOL']}/dupont.example/in/${{uuid}}.tif"), ("hangup", None)]


def test_voicemail_access_and_pickup_keys_of_the_phones(demo, post_capture):
    check = actions(doc(post_capture(INTERNAL, replace={"Destination-Number=1002": "Destination-Number=*97"})))
    assert check[-4:] == [("answer", None), ("sleep", "500"), ("set", "default_language=fr"),
                          ("voicemail", "check default dupont.example 1001")]
    ring = actions(doc(post_capture(INTERNAL)))  # 1001 calls 1002: the ringing call can be picked up
    assert ("hash", "insert/dupont.example-last_dial/1002/${uuid}") in ring
    assert ring.index(("hash", "insert/dupont.example-last_dial/1002/${uuid}")) < [a for a, _ in ring].index("bridge")
    pickup = actions(doc(post_capture(INTERNAL, replace={"Destination-Number=1002": "Destination-Number=**1002"})))
    assert pickup[-1] == ("intercept", "${hash(select/dupont.example-last_dial/1002)}")
    unknown = actions(doc(post_capture(INTERNAL, replace={"Destination-Number=1002": "Destination-Number=**1099"})))
    assert not any(a == "intercept" for a, _ in unknown)


# The captured internal call, made by the user of the same extension at Martin Sàrl.
AS_MARTIN = {"Caller-Context=dupont.example": "Caller-Context=martin.example",
             "Hunt-Context=dupont.example": "Hunt-Context=martin.example",
             "variable_domain_name=dupont.example": "variable_domain_name=martin.example"}
DIALLED = "Destination-Number=1002"


def test_park_code_parks_on_the_company_lot_and_takes_back_from_it(demo, post_capture):
    """*6 + slot (the phones' park keys): valet_park on the company's own lot; the same code takes the
    call back. Other slots and the code from the carrier are no park."""
    park = actions(doc(post_capture(INTERNAL, replace={"Destination-Number=1002": "Destination-Number=*61"})))
    assert park[-2:] == [("answer", None), ("valet_park", "dupont.example-park 1")]
    for number in ("*60", "*610", "*6"):
        acts = actions(doc(post_capture(INTERNAL, replace={"Destination-Number=1002": f"Destination-Number={number}"})))
        assert not any(a == "valet_park" for a, _ in acts), number
    martin = actions(doc(post_capture(INTERNAL, replace={**AS_MARTIN, DIALLED: "Destination-Number=*69"})),
                     "martin.example")
    assert martin[-1] == ("valet_park", "martin.example-park 9")


def test_pickup_stays_in_the_tenant(demo, post_capture):
    acts = actions(doc(post_capture(INTERNAL, replace={**AS_MARTIN, DIALLED: "Destination-Number=**1002"})),
                   "martin.example")
    assert acts[-1] == ("intercept", "${hash(select/martin.example-last_dial/1002)}")
