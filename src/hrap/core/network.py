"""The client's address behind trusted proxies: the rightmost untrusted hop of X-Forwarded-For."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """`10.0.0.0/8`, `192.0.2.7` or `2001:db8::/32`; ValueError names the first that is not."""
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{cidr!r} is not an address or a network (CIDR)") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(cidrs)


def _address(text: str) -> Address | None:
    """An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def is_trusted_proxy(peer: str | None, cidrs: tuple[str, ...]) -> bool:
    return _trusted(_address(peer or ""), _networks(cidrs))


def client_address(peer: str | None, forwarded_for: str, cidrs: tuple[str, ...]) -> str | None:
    """The address that connected to the first trusted proxy.

    Walks X-Forwarded-For from the right (each entry was added by the hop on its right) while
    the hop that added it is trusted; everything left of the first untrusted hop may be forged
    by the client. When the peer is not a trusted proxy, the header is not read at all.
    """
    networks = _networks(cidrs)
    address = _address(peer or "")
    if address is None:
        return peer or None
    for hop in reversed(forwarded_for.split(",")):
        if not _trusted(address, networks):
            break
        previous = _address(hop)
        if previous is None:  # garbage: whoever wrote it is not a trusted proxy
            break
        address = previous
    return str(address)
