"""Client address behind trusted proxies, and which address/agent an event is enriched with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.ingest.enrich.client_ip import (
    TrustedProxies,
    client_ip,
    event_ip,
    event_user_agent,
    parse_address,
)

from .events import raw_event, request

PROXIES = TrustedProxies.parse(["10.0.0.0/8", "::1"])


def test_forwarded_for_is_ignored_when_the_peer_is_not_a_trusted_proxy() -> None:
    assert client_ip("203.0.113.9", "1.2.3.4", PROXIES) == "203.0.113.9"


def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    assert client_ip("10.0.0.1", "1.2.3.4", TrustedProxies()) == "10.0.0.1"


def test_the_rightmost_untrusted_hop_is_the_client() -> None:
    # The leftmost entry is whatever the client claimed; only hops our proxies added count.
    assert client_ip("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.7", PROXIES) == "1.2.3.4"


def test_all_hops_trusted_gives_the_leftmost() -> None:
    assert client_ip("10.0.0.1", "10.0.0.9, 10.0.0.7", PROXIES) == "10.0.0.9"


def test_a_malformed_hop_ends_the_walk_at_the_last_good_one() -> None:
    assert client_ip("10.0.0.1", "1.2.3.4, garbage, 10.0.0.7", PROXIES) == "10.0.0.7"
    assert client_ip("10.0.0.1", "unknown", PROXIES) == "10.0.0.1"


def test_ports_brackets_and_ipv6_peers_are_understood() -> None:
    assert client_ip("::1", "[2001:db8::5]:443", PROXIES) == "2001:db8::5"
    assert client_ip("10.0.0.1", "1.2.3.4:5678", PROXIES) == "1.2.3.4"
    assert parse_address("::ffff:1.2.3.4") == parse_address("1.2.3.4")
    assert parse_address("not an ip") is None


def test_a_malformed_proxy_setting_is_refused() -> None:
    with pytest.raises(ValueError):
        TrustedProxies.parse(["10.0.0.0/33"])


def test_live_events_use_the_request_and_imports_their_own_address_and_agent() -> None:
    event = raw_event(ip="5.6.7.8", user_agent="ImportedAgent/1.0")
    live = request(client_ip="1.1.1.1", user_agent="LiveAgent/1.0")
    imported = request(client_ip="", user_agent="", live=False)
    assert (event_ip(event, live), event_user_agent(event, live)) == ("1.1.1.1", "LiveAgent/1.0")
    assert event_ip(event, imported) == "5.6.7.8"
    assert event_user_agent(event, imported) == "ImportedAgent/1.0"
    bare = raw_event()
    assert event_ip(bare, imported) == ""


hops = st.lists(st.ip_addresses().map(str), max_size=5)


@given(peer=st.ip_addresses().map(str), chain=hops)
def test_the_client_is_always_the_peer_or_one_of_the_hops(peer: str, chain: list[str]) -> None:
    result = client_ip(peer, ", ".join(chain), PROXIES)
    assert result == peer or parse_address(result) in {parse_address(hop) for hop in chain}
