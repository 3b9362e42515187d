#!/usr/bin/env python3
"""Turns a stock FreeSWITCH 1.10 configuration folder into a Centrex node's (README, "Pointing a real
FreeSWITCH 1.10 at it"). The live tests run exactly this on a copy of the stock folder.

    python3 freeswitch/deploy.py /etc/freeswitch --url http://10.0.0.5:8080 \\
        --credentials freeswitch:SECRET --esl-password SECRET2 \\
        --carrier-proxy sip.carrier.example --carrier-network 203.0.113.0/24

1. Moves aside (to <conf>/stock-disabled/) every stock file that could answer for a tenant or listen where
   nobody asked: the sample directory (users 1000-1019, password 1234), the sample dialplan, every stock
   SIP profile (internal-ipv6 and external-ipv6 included, with their gateway examples), the sample IVR
   menus, chatplan and skinny profiles.
2. Copies freeswitch.xml, autoload_configs/*, sip_profiles/*, lang/* and chatplan/* of this folder over the
   stock files.
3. Writes centrex_vars.xml with this node's values (the only file that differs between nodes).
4. The web phone's secure WebSocket (internal profile's wss-binding, --wss-port, default 7443): with
   --wss-cert, copies the operator's certificate (PEM: certificate chain + private key) to
   <certs-dir>/wss.pem, where sofia reads it (--certs-dir, default FreeSWITCH's own certs_dir).
5. With --behind-edge HOST[:PORT] (cluster deployment, README "Scaling out"): the node takes no
   registration; its "internal" profile is edge/internal.xml instead (Kamailio at HOST trusted by the ACL
   centrex_edge), and the static context centrex_edge (edge/dialplan.xml) names the caller Kamailio
   authenticated. The rest (external profile, xml_curl, ESL, CDRs) is as in "single".
Standard library only: it runs with the system's python3, before Centrex's virtualenv exists.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
STOCK_ASIDE = ("directory", "dialplan", "sip_profiles", "ivr_menus", "chatplan", "skinny_profiles")
OURS = ("freeswitch.xml", "autoload_configs", "sip_profiles", "lang", "chatplan")

# name in centrex_vars.xml -> (option, default)
VARIABLES = {
    "centrex_url": ("url", "http://127.0.0.1:8080"),
    "centrex_cdr_url": ("cdr_url", None),  # default: --url's host, port 8081 (see cdr_url)
    "centrex_xmlcurl_credentials": ("credentials", None),
    "centrex_esl_password": ("esl_password", None),
    "centrex_esl_port": ("esl_port", "8021"),
    "centrex_carrier_proxy": ("carrier_proxy", None),
    "centrex_carrier_network": ("carrier_network", None),
    "centrex_sip_ip": ("sip_ip", "$${local_ip_v4}"),
    "centrex_internal_sip_port": ("internal_port", "5060"),
    "centrex_external_sip_port": ("external_port", "5080"),
    "centrex_wss_port": ("wss_port", "7443"),
    "centrex_certs_dir": ("certs_dir", "$${certs_dir}"),
}
BUILT_IN = ("$${local_ip_v4}", "$${certs_dir}")  # FreeSWITCH's own variables, allowed as defaults


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", type=Path, help="FreeSWITCH's configuration folder (e.g. /etc/freeswitch)")
    parser.add_argument("--url", help="where Centrex listens (default http://127.0.0.1:8080)")
    parser.add_argument("--cdr-url", help="where Centrex's CDR pool listens (centrex-cdr.service; default: "
                                          "--url's host, port 8081)")
    parser.add_argument("--credentials", required=True,
                        help="user:password of CENTREX_XMLCURL_USERNAME / CENTREX_XMLCURL_PASSWORD")
    parser.add_argument("--esl-password", required=True, help="the event socket's password (CENTREX_ESL_NODES)")
    parser.add_argument("--esl-port", help="the event socket's port on 127.0.0.1 (default 8021)")
    parser.add_argument("--carrier-proxy", required=True, help="the carrier's SIP proxy, host[:port]")
    parser.add_argument("--carrier-network", required=True, help="the network the carrier's calls come from (CIDR)")
    parser.add_argument("--sip-ip", help="the address the SIP profiles bind (default: the host's IPv4)")
    parser.add_argument("--internal-port", help="phones' SIP port (default 5060)")
    parser.add_argument("--external-port", help="the carrier's SIP port (default 5080)")
    parser.add_argument("--wss-port", help="the web phone's secure WebSocket port (default 7443)")
    parser.add_argument("--certs-dir", help="where sofia finds wss.pem (default: FreeSWITCH's certs_dir)")
    parser.add_argument("--wss-cert", type=Path,
                        help="a PEM file with the WSS certificate chain and its key, copied to <certs-dir>/wss.pem")
    parser.add_argument("--behind-edge", metavar="HOST[:PORT]",
                        help="a node behind Kamailio (cluster): trust it, take no registration")
    parser.add_argument("--rtp-ports", help="RTP port range START-END (default: FreeSWITCH's, 16384-32768)")
    args = parser.parse_args(argv)
    args.cdr_url = args.cdr_url or cdr_url(args.url or VARIABLES["centrex_url"][1])
    return args


def cdr_url(url: str) -> str:
    """mod_xml_cdr's posts go to their own gunicorn (centrex-cdr.service, port 8081), never to the workers
    that answer call setup's lookups: the same scheme and host as --url, port 8081."""
    match = re.fullmatch(r"(https?://)(\[[^]]+\]|[^:/]+)(?::\d+)?/?", url)
    if not match:
        raise SystemExit(f"deploy.py: --url wants http(s)://host[:port], got {url!r}; or give --cdr-url")
    return f"{match[1]}{match[2]}:8081"


def _value(text: str) -> str:
    plain = text
    for name in BUILT_IN:
        plain = plain.replace(name, "")
    if any(ord(c) < 32 for c in text) or "$${" in plain:
        raise SystemExit(f"deploy.py: refused value {text!r} (control character or $${{…}})")
    return text


def vars_xml(args: argparse.Namespace) -> str:
    lines = ["<include>", "  <!-- Written by freeswitch/deploy.py: this node's values. -->"]
    for name, (option, default) in VARIABLES.items():
        value = getattr(args, option) or default
        lines.append(f"  <X-PRE-PROCESS cmd=\"set\" data={quoteattr(f'{name}={_value(value)}')}/>")
    return "\n".join(lines + ["</include>", ""])


def rtp_range(ports: str) -> tuple[str, str]:
    match = re.fullmatch(r"(\d+)-(\d+)", ports)
    if not match or int(match[1]) >= int(match[2]):
        raise SystemExit(f"deploy.py: --rtp-ports wants START-END, got {ports!r}")
    return match[1], match[2]


def set_rtp_ports(conf: Path, start: str, end: str) -> None:
    switch_conf = conf / "autoload_configs" / "switch.conf.xml"
    text = switch_conf.read_text()
    for name, value in (("rtp-start-port", start), ("rtp-end-port", end)):
        text, count = re.subn(rf'(?:<!--\s*)?<param name="{name}" value="\d+"\s*/>(?:\s*-->)?',
                              f'<param name="{name}" value="{value}"/>', text)
        if count != 1:
            raise SystemExit(f"deploy.py: {switch_conf} has no single {name} line to set")
    switch_conf.write_text(text)


def install_wss_certificate(certificate: Path, certs_dir: Path) -> None:
    """The operator's WSS certificate as sofia wants it: one PEM with the certificate(s) and the key."""
    text = certificate.read_text() if certificate.is_file() else ""
    if "-----BEGIN CERTIFICATE-----" not in text or not re.search(r"-----BEGIN (?:\w+ )?PRIVATE KEY-----", text):
        raise SystemExit(f"deploy.py: --wss-cert {certificate} must be a PEM with the certificate and its private key")
    certs_dir.mkdir(parents=True, exist_ok=True)
    target = certs_dir / "wss.pem"
    shutil.copyfile(certificate, target)
    target.chmod(0o600)


def deploy(args: argparse.Namespace) -> None:
    conf: Path = args.conf
    if not (conf / "freeswitch.xml").is_file() or not (conf / "autoload_configs").is_dir():
        raise SystemExit(f"deploy.py: {conf} is not a FreeSWITCH configuration folder")
    node_vars = vars_xml(args)  # every value checked before anything is touched
    rtp = rtp_range(args.rtp_ports) if args.rtp_ports else None
    edge = edge_address(args.behind_edge) if args.behind_edge is not None else None
    if args.wss_cert and not args.certs_dir:
        raise SystemExit("deploy.py: --wss-cert needs --certs-dir (where FreeSWITCH will read wss.pem)")
    aside = conf / "stock-disabled"
    aside.mkdir(exist_ok=True)
    for name in STOCK_ASIDE:
        if not (conf / name).exists():
            continue
        if (aside / name).exists():  # deployed before: the stock files are aside already, this is ours
            shutil.rmtree(conf / name)
        else:
            shutil.move(str(conf / name), str(aside / name))
    for name in OURS:
        source = HERE / name
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, conf / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, conf / name)
    (conf / "centrex_vars.xml").write_text(node_vars)
    if rtp:
        set_rtp_ports(conf, *rtp)
    if args.wss_cert:
        install_wss_certificate(args.wss_cert, Path(args.certs_dir))
    if edge:
        behind_edge(conf, edge)


def edge_address(edge: str) -> str:
    """Kamailio's IPv4 address (the port, if given, checked and dropped: the ACL trusts the address)."""
    match = re.fullmatch(r"((?:[0-9]{1,3}\.){3}[0-9]{1,3})(?::[0-9]{1,5})?", edge)
    if not match:
        raise SystemExit(f"deploy.py: --behind-edge wants Kamailio's IPv4 address[:port], got {edge!r}")
    return match[1]


def behind_edge(conf: Path, host: str) -> None:
    """The edge's profile, ACL and context instead of the phones' profile (step 5 of the docstring)."""
    shutil.copytree(HERE / "edge", conf / "edge", dirs_exist_ok=True)
    _replace_once(conf / "autoload_configs" / "sofia.conf.xml", 'data="../sip_profiles/internal.xml"',
                  'data="../edge/internal.xml"')
    _replace_once(conf / "autoload_configs" / "acl.conf.xml", "</network-lists>",
                  f'  <list name="centrex_edge" default="deny">\n      <node type="allow" cidr="{host}/32"/>\n'
                  "    </list>\n  </network-lists>")
    _replace_once(conf / "freeswitch.xml",
                  '<section name="dialplan" description="Every dialplan comes from Centrex over mod_xml_curl">',
                  '<section name="dialplan" description="Every dialplan comes from Centrex over mod_xml_curl">\n'
                  '    <!-- The edge\'s context: names the caller Kamailio authenticated. -->\n'
                  '    <X-PRE-PROCESS cmd="include" data="edge/dialplan.xml"/>')


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"deploy.py: {path} has no single {old!r} to replace")
    path.write_text(text.replace(old, new))


if __name__ == "__main__":
    deploy(parse_args(sys.argv[1:]))
    print("FreeSWITCH configuration ready for Centrex; restart FreeSWITCH.", file=sys.stderr)
