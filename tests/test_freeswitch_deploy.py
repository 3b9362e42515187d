"""freeswitch/deploy.py, the README's deployment steps, on a stock-shaped configuration folder (the live
suite runs it on the real stock conf of FreeSWITCH 1.10)."""
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

pytestmark = pytest.mark.smoke
DEPLOY = Path(__file__).resolve().parents[1] / "freeswitch" / "deploy.py"
ARGS = ["--url", "http://10.0.0.5:8080", "--credentials", "freeswitch:s3cret", "--esl-password", "esl-pw",
        "--carrier-proxy", "sip.carrier.example", "--carrier-network", "203.0.113.0/24"]


@pytest.fixture
def stock(tmp_path) -> Path:
    conf = tmp_path / "freeswitch"
    for rel in ("directory/default/1000.xml", "dialplan/default.xml", "sip_profiles/internal-ipv6.xml",
                "sip_profiles/external-ipv6.xml", "sip_profiles/external/example.xml", "ivr_menus/demo_ivr.xml",
                "vars.xml", "freeswitch.xml"):
        (conf / rel).parent.mkdir(parents=True, exist_ok=True)
        (conf / rel).write_text("<include/>\n")
    (conf / "autoload_configs").mkdir()
    (conf / "autoload_configs" / "switch.conf.xml").write_text(
        '<configuration name="switch.conf"><settings>\n'
        '    <!-- <param name="rtp-start-port" value="16384"/> -->\n'
        '    <!-- <param name="rtp-end-port" value="32768"/> -->\n</settings></configuration>\n')
    return conf


def deploy(conf: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEPLOY), str(conf), *ARGS, *extra], capture_output=True, text=True)


def test_stock_samples_and_profiles_are_moved_aside_and_ours_copied(stock):
    assert deploy(stock).returncode == 0
    assert not (stock / "directory").exists() and not (stock / "dialplan").exists()
    assert sorted(p.name for p in (stock / "sip_profiles").glob("*.xml")) == ["external.xml", "internal.xml"]
    assert (stock / "stock-disabled" / "sip_profiles" / "internal-ipv6.xml").exists()
    assert (stock / "autoload_configs" / "xml_curl.conf.xml").exists()


def test_the_nodes_values_land_in_centrex_vars_only(stock):
    assert deploy(stock, "--sip-ip", "10.0.0.7", "--rtp-ports", "20000-20999").returncode == 0
    values = node_values(stock)
    assert values == {"centrex_url": "http://10.0.0.5:8080", "centrex_cdr_url": "http://10.0.0.5:8081",
                      "centrex_xmlcurl_credentials": "freeswitch:s3cret",
                      "centrex_esl_password": "esl-pw", "centrex_esl_port": "8021",
                      "centrex_carrier_proxy": "sip.carrier.example", "centrex_carrier_network": "203.0.113.0/24",
                      "centrex_sip_ip": "10.0.0.7", "centrex_internal_sip_port": "5060",
                      "centrex_external_sip_port": "5080", "centrex_wss_port": "7443",
                      "centrex_certs_dir": "$${certs_dir}"}
    switch = etree.parse(str(stock / "autoload_configs" / "switch.conf.xml"))
    params = {p.get("name"): p.get("value") for p in switch.xpath("/configuration/settings/param")}
    assert (params["rtp-start-port"], params["rtp-end-port"]) == ("20000", "20999")


def node_values(conf: Path) -> dict[str, str]:
    variables = etree.parse(str(conf / "centrex_vars.xml")).xpath("//X-PRE-PROCESS")
    return dict(x.get("data").split("=", 1) for x in variables)


def test_the_switch_conf_shipped_sizes_the_node_and_replaces_the_stock_one(stock):
    """The stock switch.conf caps new sessions at 30 a second (15 bridged calls); ours is the node's."""
    assert deploy(stock).returncode == 0
    switch = etree.parse(str(stock / "autoload_configs" / "switch.conf.xml"))
    params = {p.get("name"): p.get("value") for p in switch.xpath("/configuration/settings/param")}
    assert params["sessions-per-second"] == "80" and params["max-sessions"] == "1000"
    assert (params["rtp-start-port"], params["rtp-end-port"]) == ("16384", "32768")


@pytest.mark.parametrize(("extra", "cdr_url"), [
    ([], "http://10.0.0.5:8081"),
    (["--url", "https://[2001:db8::5]"], "https://[2001:db8::5]:8081"),
    (["--cdr-url", "http://10.0.0.6:9000"], "http://10.0.0.6:9000"),
])
def test_call_records_are_posted_to_their_own_pool(stock, extra, cdr_url):
    assert deploy(stock, *extra).returncode == 0
    assert node_values(stock)["centrex_cdr_url"] == cdr_url
    assert "$${centrex_cdr_url}/cdr" in (stock / "autoload_configs" / "xml_cdr.conf.xml").read_text()


def test_running_it_twice_keeps_the_first_stock_files_aside(stock):
    assert deploy(stock).returncode == 0
    assert deploy(stock).returncode == 0
    assert (stock / "stock-disabled" / "sip_profiles" / "external-ipv6.xml").exists()
    assert sorted(p.name for p in (stock / "sip_profiles").glob("*.xml")) == ["external.xml", "internal.xml"]


@pytest.mark.parametrize("extra, message", [
    (["--esl-password", "a$${centrex_url}"], "refused value"),
    (["--rtp-ports", "30000-20000"], "START-END"),
])
def test_values_freeswitch_would_misread_are_refused(stock, extra, message):
    result = deploy(stock, *extra)
    assert result.returncode != 0 and message in result.stderr
    assert not (stock / "centrex_vars.xml").exists()


def test_a_folder_that_is_not_a_freeswitch_conf_is_refused(tmp_path):
    result = deploy(tmp_path)
    assert result.returncode != 0 and "is not a FreeSWITCH configuration folder" in result.stderr


def test_the_operators_wss_certificate_is_copied_where_sofia_reads_it(stock, tmp_path):
    pem = tmp_path / "operator.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
                   "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n")
    certs = tmp_path / "certs"
    assert deploy(stock, "--wss-port", "8443", "--certs-dir", str(certs), "--wss-cert", str(pem)).returncode == 0
    assert (certs / "wss.pem").read_text() == pem.read_text()
    assert (certs / "wss.pem").stat().st_mode & 0o077 == 0  # the key: readable by FreeSWITCH's user only
    values = etree.parse(str(stock / "centrex_vars.xml")).xpath("//X-PRE-PROCESS/@data")
    assert "centrex_wss_port=8443" in values and f"centrex_certs_dir={certs}" in values


@pytest.mark.parametrize("content, extra", [
    ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", []),  # no key
    ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n", None),
])
def test_a_wss_certificate_without_its_key_or_folder_is_refused(stock, tmp_path, content, extra):
    pem = tmp_path / "operator.pem"
    pem.write_text(content)
    extra = ["--certs-dir", str(tmp_path / "certs")] if extra is not None else []
    result = deploy(stock, "--wss-cert", str(pem), *extra)
    assert result.returncode != 0 and ("private key" in result.stderr or "needs --certs-dir" in result.stderr)
    assert not (tmp_path / "certs" / "wss.pem").exists()
