"""Where a company's webhooks may go: the Internet only, never the operator's own networks (loopback,
private ranges, link-local and cloud metadata addresses), whatever disguise the address wears (IPv4-mapped or
-compatible IPv6, NAT64, 6to4, Teredo). One check, at creation and again at each delivery (a name may point
elsewhere later); CENTREX_WEBHOOK_ALLOW_PRIVATE=1 lifts it for an on-premises CRM."""
from __future__ import annotations

import ipaddress
import socket

NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class AddressRefused(ValueError):
    """The destination is not on the Internet."""


class AddressUnknown(ValueError):
    """The name does not resolve (now)."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo:
        found += list(ip.teredo)
    if any(ip in net for net in NAT64) or (ip.packed[:12] == bytes(12) and int(ip) > 1):  # NAT64, ::a.b.c.d
        found.append(ipaddress.IPv4Address(ip.packed[-4:]))
    return found


def on_the_internet(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and not all(on_the_internet(str(v4)) for v4 in _embedded_ipv4(ip)):
        return False
    return ip.is_global and not ip.is_multicast


def internet_addresses(host: str, port: int, *, allow_private: bool = False,
                       resolve=socket.getaddrinfo) -> list[str]:
    """Every address `host` stands for; AddressRefused when one is not on the Internet (unless allowed),
    AddressUnknown when the name does not resolve."""
    try:
        addresses = [info[4][0] for info in resolve(host, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressUnknown(f"DNS: {host} not found") from exc
    if not allow_private and not all(on_the_internet(a) for a in addresses):
        raise AddressRefused(f"{host} is a private or reserved address; webhooks only go to the Internet")
    return addresses
