"""The call steps of this area, as the routing engine gets them and the dialplan renders them: the same
applications, in the same order, as the dialplans FreeSWITCH ran in the captures (59, 64, 31, 28)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from lxml import etree
from sqlalchemy import select

from centrex.features import ivr, queues
from centrex.features.audio import freeswitch_path
from centrex.models import AudioFile, CallQueue, IvrMenu, MohClass, Number, NumberAnnouncement, VoicemailBox
from centrex.platform.db import db
from centrex.routing.addresses import resolve_address
from centrex.routing.engine.destinations import (
    Dest,
    dialplan_address,
    owner_destination,
    parse_dialplan_address,
)
from centrex.voicemail import boxes as voicemail
from xmlcurl_helpers import captured_answer

pytestmark = pytest.mark.smoke


def captured_actions(number: str) -> list[tuple[str, str | None]]:
    return [(a.get("application"), a.get("data")) for a in captured_answer(number).xpath("//action")]


def one(model, tenant, **where):
    query = select(model).where(model.tenant_id == tenant.id)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.execute(query).scalar_one()


def dialplan_actions(post_capture, destination: str, domain: str = "dupont.example"):
    """What FreeSWITCH gets for a call of the tenant's 1001 (capture 59) to `destination`."""
    response = post_capture("59-dialplan-ivr-5000.http", replace={
        "Destination-Number=5000": f"Destination-Number={destination}", "dupont.example": domain})
    assert response.status_code == 200
    return [(a.get("application"), a.get("data")) for a in etree.fromstring(response.data).xpath("//action")]


def answered_part(acts):
    return acts[acts.index(("answer", None)):]


def test_menu_runs_like_the_capture(demo, post_capture):
    tenant = demo["dupont.example"]
    menu = one(IvrMenu, tenant, extension="5000")
    rendered = answered_part(dialplan_actions(post_capture, "5000"))
    captured = captured_actions("59")  # answer, sleep 500, ivr dupont.example_main
    assert [a for a, _ in rendered] == [a for a, _ in captured]
    assert rendered[-1] == ("ivr", f"dupont.example_ivr{menu.id}")


def test_queue_runs_like_the_capture_then_overflows(demo, post_capture):
    tenant = demo["dupont.example"]
    support = one(CallQueue, tenant, name="Réclamations")
    rendered = answered_part(dialplan_actions(post_capture, "2100"))
    captured = captured_actions("64")  # answer, callcenter support@dupont.example
    assert [a for a, _ in rendered if a in ("answer", "callcenter")] == [a for a, _ in captured]
    assert ("callcenter", f"q{support.id}@dupont.example") in rendered
    assert rendered[-1] == ("transfer", f"dest-queue_after-{support.id} XML dupont.example")
    # after the 2 minutes mod_callcenter returns, and the address leads to Mme Dumas's phone
    after = dialplan_actions(post_capture, f"dest-queue_after-{support.id}")
    assert any(a == "bridge" and d.endswith("user/1000@dupont.example") for a, d in after)
    queues.create_queue(tenant, {"name": "Ventes", "extension": "2199"})
    assert answered_part(dialplan_actions(post_capture, "2199"))[-1][0] == "callcenter"


def test_conference_runs_like_the_capture(demo, post_capture):
    rendered = answered_part(dialplan_actions(post_capture, "3000"))
    # the capture's steps, with the company's language set for the room's prompts before it starts
    assert [a for a, _ in rendered if _ != "sound_prefix=${sounds_dir}/fr/ca/june"] == \
        [a for a, _ in captured_actions("31")]
    assert rendered[-1] == ("conference", "3000-dupont.example@dupont.example_conf")


def test_voicemail_runs_like_the_capture_in_the_box_language(demo, post_capture):
    tenant = demo["dupont.example"]
    box = one(VoicemailBox, tenant, number="8000")
    rendered = dialplan_actions(post_capture, "8000")
    captured = captured_actions("28")  # answer, sleep 500, voicemail default dupont.example 1002
    voicemail_part = rendered[[a for a, _ in rendered].index("answer"):]
    assert [a for a, _ in voicemail_part if a != "set"] == [a for a, _ in captured]
    assert voicemail_part[-1] == ("voicemail", "default dupont.example 8000")
    assert ("set", f"default_language={box.language or tenant.language}") in voicemail_part
    checking = dialplan_actions(post_capture, "*97")
    assert checking[-1] == ("voicemail", "check default dupont.example 1001")


def test_uploaded_greeting_replaces_the_recorded_one(demo, post_capture, app):
    from centrex.demo.services import tone_wav
    from centrex.features.audio import store_upload
    tenant = demo["dupont.example"]
    greeting = store_upload(tenant, kind="greeting", name="Absent", filename="absent.wav", data=tone_wav(440))
    box = one(VoicemailBox, tenant, number="8000")
    voicemail.update_box(tenant, box, {"greeting_id": greeting.id, "language": "de"})
    rendered = dialplan_actions(post_capture, "8000")
    path = freeswitch_path(greeting, tenant)
    assert path.startswith(f"{app.config['AUDIO_FS_DIR'].rstrip('/')}/dupont.example/greeting/")
    assert rendered[rendered.index(("answer", None)):] == [
        ("answer", None), ("sleep", "500"), ("set", "default_language=de"), ("set", "skip_greeting=true"),
        ("playback", path), ("voicemail", "default dupont.example 8000")]
    # Martin's box 8000 keeps FreeSWITCH's own greeting.
    martin = dialplan_actions(post_capture, "8000", "martin.example")
    assert martin[-1] == ("voicemail", "default martin.example 8000")
    assert ("set", "skip_greeting=true") not in martin and "playback" not in [a for a, _ in martin]


def test_pre_answer_announcement_plays_in_early_media_before_ringing(demo, post_capture):
    tenant = demo["dupont.example"]
    sales = db.session.execute(select(Number).where(Number.e164 == "+41215550110")).scalar_one()
    prompt = db.session.execute(select(AudioFile).join(NumberAnnouncement, NumberAnnouncement.audio_id == AudioFile.id)
                                .where(NumberAnnouncement.number_id == sales.id)).scalar_one()
    rendered = dialplan_actions(post_capture, "%2B41215550110")
    start = rendered.index(("pre_answer", None))
    assert rendered[start:start + 3] == [("pre_answer", None), ("playback", freeswitch_path(prompt, tenant)),
                                         ("set", "ringback=%(1000,4000,425)")]
    assert start < [a for a, _ in rendered].index("bridge") and "answer" not in [a for a, _ in rendered]
    main = dialplan_actions(post_capture, "%2B41215550100")
    assert ("pre_answer", None) not in main


def test_company_hold_music_goes_on_every_leg(demo, post_capture):
    dupont = demo["dupont.example"]
    default = db.session.execute(select(MohClass).where(MohClass.tenant_id == dupont.id,
                                                        MohClass.is_default.is_(True))).scalar_one()
    rendered = dialplan_actions(post_capture, "1002")
    assert ("export", f"hold_music=local_stream://dupont.example_moh{default.id}") in rendered
    assert rendered.index(("export", f"hold_music=local_stream://dupont.example_moh{default.id}")) < \
        [a for a, _ in rendered].index("bridge")


@given(st.sampled_from(["ivr", "queue", "voicemail", "conference", "ring_group", "user", "schedule"]),
       st.integers(min_value=1, max_value=10**12))
def test_dialplan_addresses_round_trip(dest_type, dest_id):
    address = dialplan_address(Dest(dest_type, dest_id))
    assert not address[0].isdigit() and not address.startswith("+")
    assert parse_dialplan_address(address) == Dest(dest_type, dest_id)


@pytest.mark.parametrize("text", ["1001", "+41215550100", "dest-queue-", "dest-queue-+12", "dest-Queue-1",
                                  "dest-queue-1 XML x", "xdest-queue-1", "dest-external-+41791234567",
                                  "dest-external-41791234567", ""])
def test_other_dialled_strings_are_not_addresses(text):
    assert parse_dialplan_address(text) is None


def test_outside_numbers_resolve_only_through_what_the_company_configured(demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    with pytest.raises(ValueError):
        dialplan_address(Dest("external", value="+41900000000"))
    menu = one(IvrMenu, dupont, name="English")
    entry = ivr.set_entry(dupont, menu, {"digits": "5", "dest_type": "external", "dest_value": "+41791234567"})
    address = dialplan_address(owner_destination("ivr_entry", entry.id))
    dest = parse_dialplan_address(address)
    assert resolve_address(dupont, dest) == Dest("external", None, "+41791234567")
    assert resolve_address(martin, dest) is None  # Martin's phones dialling Dupont's entry: nothing
    support = one(CallQueue, dupont, name="Réclamations")
    assert resolve_address(dupont, Dest("queue_after", support.id)).kind == "user"
    assert resolve_address(martin, Dest("queue_after", support.id)) is None


def test_queue_overflow_to_an_outside_number_goes_through_the_queue(demo, post_capture):
    tenant = demo["dupont.example"]
    support = one(CallQueue, tenant, name="Réclamations")
    queues.update_queue(tenant, support, {"after_dest_type": "external", "after_dest_value": "+41791234569",
                                          "after_dest_id": None})
    assert answered_part(dialplan_actions(post_capture, "2100"))[-1] == (
        "transfer", f"dest-queue_after-{support.id} XML dupont.example")
    assert resolve_address(tenant, Dest("queue_after", support.id)) == Dest("external", None, "+41791234569")
    after = dialplan_actions(post_capture, f"dest-queue_after-{support.id}")
    assert any(a == "bridge" and d.endswith("sofia/gateway/carrier/+41791234569") for a, d in after)
