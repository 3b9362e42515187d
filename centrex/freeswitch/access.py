"""Who may call the endpoints FreeSWITCH posts to (mod_xml_curl, mod_xml_cdr): its source addresses
and its basic-auth credentials, both from configuration. One rule for every adapter that needs it."""
from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache


@lru_cache(maxsize=32)
def _networks(spec: tuple[str, ...]):
    return tuple(ipaddress.ip_network(net, strict=False) for net in spec)


def source_allowed(remote_addr: str | None, allowed: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in net for net in _networks(tuple(allowed)))


def credentials_match(auth, config) -> bool:
    """`auth` is werkzeug's request.authorization (or None); compared in constant time."""
    return (auth is not None and auth.type == "basic"
            and hmac.compare_digest((auth.username or "").encode(), config["XMLCURL_USERNAME"].encode())
            and hmac.compare_digest((auth.password or "").encode(), config["XMLCURL_PASSWORD"].encode()))
