"""Who the client is: its address behind trusted proxies (X-Forwarded-For), and the address and
user agent an event is enriched with (imports carry the original client's on each event).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from touchline.ingest.context import RequestContext
from touchline.ingest.protocol import RawEvent

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    """Proxy networks whose X-Forwarded-For is believed (`Settings.trusted_proxies`)."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> TrustedProxies:
        """From addresses or CIDRs (`10.0.0.0/8`, `::1`); ValueError on a malformed entry."""
        return cls(tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries))

    def trusts(self, address: str) -> bool:
        parsed = parse_address(address)
        return parsed is not None and any(parsed in network for network in self.networks)


def parse_address(text: str) -> Address | None:
    """An IP address from `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443` or `2001:db8::1`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(peer: str, forwarded_for: str | None, trusted: TrustedProxies) -> str:
    """The client's address. X-Forwarded-For is believed only when the socket peer is a
    trusted proxy; it is walked right to left, and the first hop that is not a trusted proxy
    is the client (a malformed hop ends the walk at the last good one)."""
    if not forwarded_for or not trusted.networks or not trusted.trusts(peer):
        return peer
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = parse_address(hop)
        if address is None:
            break
        client = str(address)
        if not any(address in network for network in trusted.networks):
            break
    return client


def event_ip(event: RawEvent, ctx: RequestContext) -> str:
    """The address to locate the event by: an import's own `ip` when given, else the request's."""
    if not ctx.live and event.ip:
        return event.ip
    return ctx.client_ip


def event_user_agent(event: RawEvent, ctx: RequestContext) -> str:
    if not ctx.live and event.user_agent:
        return event.user_agent
    return ctx.user_agent
