"""Call records through the live switch: every call leaves exactly one record in its company's history,
with the direction, numbers and destination a person reading that history expects."""
import threading
from urllib.parse import unquote_plus

import pytest
from live_records import CallHistory
from lxml import etree
from sipp import call_scenario
from sqlalchemy import select

pytestmark = pytest.mark.live
CALLER = "+41791112233"
G711 = "/usr/share/sip-tester/g711a.pcap"


def xml_cdr_of_the_caller(live) -> str | None:
    """The newest xml_cdr record journaled for the caller's leg of Martin's 1001 (the leg the per-user limit
    ran on), as posted (form-decoded)."""
    from centrex.models import CdrJournal

    with live.data() as session:
        rows = session.execute(select(CdrJournal.raw).where(CdrJournal.source == "xml_cdr")
                               .order_by(CdrJournal.id.desc()).limit(5)).scalars().all()
    for raw in rows:
        text = unquote_plus(raw.split("cdr=", 1)[-1]) if raw.lstrip().startswith("cdr=") else raw
        if "<limit_usage_centrex_user_1001" in text and "martin.example" in text:
            return text
    return None


def test_a_carrier_call_to_a_direct_line_is_one_inbound_record_with_its_did(phones):
    live = phones
    live.at("2026-12-07 10:00")
    live.phone("1001")
    history = CallHistory(live)
    assert live.carrier_call("+41215550102", caller=CALLER, talk_ms=800).final == 200
    record = history.one_record()
    assert (record["tenant"], record["direction"], record["did"]) == ("dupont.example", "inbound", "+41215550102")
    assert (record["caller_number"], record["answered_by"], record["destination"]) == (CALLER, "1001", "1001")


def test_an_internal_call_is_one_internal_record_with_the_directory_name(phones):
    live = phones
    live.phone("1002", "martin.example")
    history = CallHistory(live)
    assert live.call("1001", "1002", "martin.example", talk_ms=800, name="Ma Jolie Maison").final == 200
    record = history.one_record()
    assert (record["tenant"], record["direction"], record["did"]) == ("martin.example", "internal", None)
    assert (record["caller_number"], record["destination"], record["answered_by"]) == ("1001", "1002", "1002")
    assert record["caller_name"] == "Pierre Martin", record  # the directory's name, not the phone's
    # mod_xml_cdr's record of the caller's leg is XML as FreeSWITCH wrote it (the per-user limit once
    # named an element "limit_usage_centrex_user_1001@martin.example": no XML, posted back with a 400)
    raw = live.wait_for(lambda: xml_cdr_of_the_caller(live), 30, what="mod_xml_cdr's record of the A leg")
    etree.fromstring(raw.encode())


def test_an_outbound_call_is_one_outbound_record(phones):
    live = phones
    live.at("2026-12-07 10:00")
    history = CallHistory(live)
    assert live.call("1001", "0791112233", talk_ms=800).final == 200
    record = history.one_record()
    assert (record["tenant"], record["direction"], record["did"]) == ("dupont.example", "outbound", None)
    assert record["dialed_number"] == "0791112233"
    assert record["destination"] == "+41791112233"


def test_a_fallback_to_voicemail_is_one_record_naming_the_box(phones):
    live = phones
    live.at("2026-12-07 10:00")  # office hours: the main number rings reception, who is busy
    live.phone("1000", behaviour="busy")
    history = CallHistory(live)
    # RTP from the caller: the profiles pace media by it (FACTS: no rtp-timer-name), or `sleep` never ends
    assert live.carrier_call("+41215550100", caller=CALLER, talk_ms=3000, media=G711).final == 200
    record = history.one_record()
    assert (record["tenant"], record["direction"], record["did"]) == ("dupont.example", "inbound", "+41215550100")
    assert record["voicemail_box"] == "1000@dupont.example", (record, history.legs())
    assert record["destination"] == "1000", (record, history.legs())  # the box, not the dialplan's centrex-continue


def test_a_refused_invite_is_one_record_of_the_failed_attempt(phones):
    """1003 dials with a wrong password: 407, then 403. The company's history shows the refused attempt."""
    live = phones
    history = CallHistory(live)
    result = live.sipp.run("call-wrong-password", live.internal, call_scenario(
        auth=True, talk_ms=500), ["1003", "1002", "dupont.example", "1003", "dupont.example"], live.port(),
        "-au", "1003", "-ap", "not-the-secret")
    assert result.final in (403, 407), result.output
    records, problems = history.settled(timeout=20)
    assert problems == [], (problems, history.legs())  # never "unknown_tenant" for ever in `flask cdr pending`
    assert [(r["tenant"], r["direction"], r["caller_number"], r["hangup_cause"]) for r in records] == \
        [("dupont.example", "internal", "1003", "CALL_REJECTED")], history.legs()


def test_a_call_survives_a_killed_listener_as_one_record(phones):
    live = phones
    live.phone("1002")
    history = CallHistory(live)

    def kill_mid_call():
        live.wait_for(lambda: "1002" in live.switch.api("show channels"), 10, what="the call")
        live.product.kill("esl-listener")
    killer = threading.Thread(target=kill_mid_call)
    killer.start()
    try:
        assert live.call("1001", "1002", talk_ms=2500).final == 200
    finally:
        killer.join()
        live.product.start_listener()
    record = history.one_record()
    assert (record["tenant"], record["direction"], record["answered_by"]) == ("dupont.example", "internal", "1002")
