"""freeswitch/deploy.py --behind-edge (cluster deployment, README "Scaling out"): the phones' profile is
replaced by the edge's, Kamailio's address alone is trusted, the static context that names the caller is
included; without the option nothing of it is there. The cluster suite runs the same on a real node."""
from __future__ import annotations

import pytest
from lxml import etree

from test_freeswitch_deploy import deploy, stock  # noqa: F401 (the stock-shaped folder fixture)

pytestmark = pytest.mark.smoke


def test_behind_the_edge_the_node_trusts_kamailio_and_names_the_caller_it_sends(stock):  # noqa: F811
    assert deploy(stock, "--behind-edge", "10.0.0.4:5060").returncode == 0
    sofia = (stock / "autoload_configs" / "sofia.conf.xml").read_text()
    assert 'data="../edge/internal.xml"' in sofia and "sip_profiles/internal.xml" not in sofia
    profile = etree.parse(str(stock / "edge" / "internal.xml"))
    params = {p.get("name"): p.get("value") for p in profile.xpath("//settings/param")}
    assert profile.getroot().get("name") == "internal"  # channel names as in "single"
    assert params["apply-inbound-acl"] == "centrex_edge" and params["context"] == "centrex_edge"
    assert params["auth-calls"] == "true" and "accept-blind-reg" in params
    acl = etree.parse(str(stock / "autoload_configs" / "acl.conf.xml"))
    assert acl.xpath("//list[@name='centrex_edge']/@default") == ["deny"]
    assert acl.xpath("//list[@name='centrex_edge']/node/@cidr") == ["10.0.0.4/32"]
    assert 'data="edge/dialplan.xml"' in (stock / "freeswitch.xml").read_text()
    context = etree.parse(str(stock / "edge" / "dialplan.xml"))
    actions = [(a.get("application"), a.get("data")) for a in context.xpath("//extension[1]//action")]
    assert actions == [("set_user", "${sip_h_X-Centrex-User}@${sip_h_X-Centrex-Domain}"),
                       ("set", "sip_authorized=true"),
                       ("transfer", "${destination_number} XML ${sip_h_X-Centrex-Domain}")]


def test_deployed_again_the_edge_pieces_appear_once_and_a_single_node_has_none(stock):  # noqa: F811
    assert deploy(stock, "--behind-edge", "10.0.0.4").returncode == 0
    assert deploy(stock, "--behind-edge", "10.0.0.4").returncode == 0
    assert (stock / "autoload_configs" / "acl.conf.xml").read_text().count('name="centrex_edge"') == 1
    assert deploy(stock).returncode == 0  # the same folder made a "single" node again
    assert 'data="../sip_profiles/internal.xml"' in (stock / "autoload_configs" / "sofia.conf.xml").read_text()
    assert "centrex_edge" not in (stock / "autoload_configs" / "acl.conf.xml").read_text()
    assert "edge/dialplan.xml" not in (stock / "freeswitch.xml").read_text()


@pytest.mark.parametrize("edge", ["kamailio.example", "10.0.0.4:5060;lr", ""])
def test_an_edge_that_is_not_an_ipv4_address_is_refused(stock, edge):  # noqa: F811
    result = deploy(stock, "--behind-edge", edge)
    assert result.returncode != 0 and "--behind-edge" in result.stderr
