"""What the live switch showed about call records, kept as fast checks on captured legs (the live
tests in tests/live/test_live_cdr.py and test_live_fax.py show it end to end)."""
from pathlib import Path

from centrex.calls.composition import compose
from centrex.freeswitch.cdr_legs import leg_from_xml_cdr

CDR = Path(__file__).parent / "fixtures" / "freeswitch" / "cdr"


def _posted(name: str) -> dict:
    text = (CDR / name).read_text()
    return leg_from_xml_cdr(text.split("\r\n\r\n", 1)[-1].split("\n\n", 1)[-1])


def test_a_loopback_fax_is_from_the_sender_not_from_the_context_name():
    legs = [_posted("xml_cdr-post-fax-rx-leg.http"), _posted("xml_cdr-post-fax-tx-leg.http")]
    fields = compose(legs[0]["call"], legs).fields
    assert (fields["caller_number"], fields["caller_name"]) == ("1001", "FaxSender")
    assert (fields["fax_status"], fields["fax_pages"]) == ("ok", 1)


def test_an_xml_cdr_record_with_a_variable_name_that_is_no_xml_name_is_read():
    """mod_limit's `limit_usage_<realm>_<user@domain>` became an element name: lxml refused the record."""
    text = (CDR / "xml_cdr-post-call-1001-to-1002-a_leg.http").read_text()
    body = text.split("\r\n\r\n", 1)[-1].split("\n\n", 1)[-1]
    bad = "%3Climit_usage_centrex_user_1001%40dupont.example%3E1%3C%2Flimit_usage_centrex_user_1001%40dupont.example%3E"
    assert "%3Cvariables%3E" in body
    leg = leg_from_xml_cdr(body.replace("%3Cvariables%3E", "%3Cvariables%3E" + bad, 1))
    assert leg["variable_uuid"] and leg["Caller-Destination-Number"] == "1002"


def test_a_carrier_leg_admitted_by_the_acl_is_inbound_even_though_sip_authorized():
    a = {"variable_uuid": "a", "call": "a", "variable_direction": "inbound", "variable_sip_authorized": "true",
         "variable_channel_name": "sofia/external/+41791112233@carrier.example",
         "variable_sofia_profile_name": "external", "variable_sip_req_user": "+41215550102",
         "variable_bridge_channel": "sofia/internal/1001@127.0.0.1:5070", "Caller-Destination-Number": "+41215550102",
         "Caller-Caller-ID-Number": "+41791112233", "variable_bridge_uuid": "b"}
    b = {"variable_uuid": "b", "call": "a", "variable_direction": "outbound", "variable_dialed_user": "1001",
         "variable_channel_name": "sofia/internal/1001@127.0.0.1:5070",
         "variable_bridge_channel": "sofia/external/+41791112233@carrier.example"}
    fields = compose("a", [a, b]).fields
    assert (fields["direction"], fields["did"], fields["destination"]) == ("inbound", "+41215550102", "1001")
