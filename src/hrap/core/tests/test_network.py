"""The client's address behind proxies: believed from trusted proxies only, never from the client."""

from __future__ import annotations

import ipaddress

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st

from hrap.core.middleware import TrustedProxyMiddleware
from hrap.core.network import client_address, parse_networks

PROXIES = ("10.0.0.0/8", "2001:db8::/32")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # Whatever the client wrote left of the address our proxy saw is not believed.
        ("10.0.0.1", "1.1.1.1, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.1", "1.1.1.1, 198.51.100.7, 10.0.0.2", "198.51.100.7"),  # two proxies
        ("10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"),  # all trusted: the leftmost
        ("10.0.0.1", "", "10.0.0.1"),
        ("10.0.0.1", "not-an-address", "10.0.0.1"),
        ("10.0.0.1", "198.51.100.7, garbage", "10.0.0.1"),
        ("10.0.0.1", "198.51.100.7:4711", "198.51.100.7"),
        ("10.0.0.1", "[2001:db8:ffff::1]:443, 198.51.100.7", "198.51.100.7"),
        ("2001:db8::5", "2001:db9::7", "2001:db9::7"),
        ("::ffff:10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # An untrusted peer: the header is not read.
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
    ],
)
def test_the_client_is_the_rightmost_untrusted_hop(peer: str, forwarded: str, client: str) -> None:
    assert client_address(peer, forwarded, PROXIES) == client


@given(st.text(max_size=200), st.sampled_from(["203.0.113.9", "198.51.100.1", "::1"]))
def test_an_untrusted_peer_is_the_client_whatever_it_sends(forwarded: str, peer: str) -> None:
    assert client_address(peer, forwarded, PROXIES) == peer


def _plain(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    address = ipaddress.ip_address(text)
    return getattr(address, "ipv4_mapped", None) or address


@given(st.lists(st.ip_addresses().map(str), max_size=6))
def test_nothing_left_of_an_untrusted_hop_is_believed(hops: list[str]) -> None:
    found = client_address("10.0.0.1", ", ".join(hops), PROXIES)
    networks = parse_networks(PROXIES)
    untrusted = [hop for hop in hops if not any(_plain(hop) in n for n in networks)]
    if untrusted:
        assert found is not None and _plain(found) == _plain(untrusted[-1])


def test_a_bad_proxy_setting_is_named() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an address or a network"):
        parse_networks(["10.0.0.0/8", "10.0.0.0/33"])


def _seen(**meta: str) -> HttpRequest:
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse()

    TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))  # type: ignore[arg-type]
    return seen[0]


@override_settings(
    HRAP_TRUSTED_PROXIES=list(PROXIES), SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_forwarded_headers_count_only_from_a_trusted_proxy() -> None:
    behind = _seen(
        REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https"
    )
    assert behind.META["REMOTE_ADDR"] == "198.51.100.7" and behind.is_secure()
    spoofed = _seen(
        REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https"
    )
    assert spoofed.META["REMOTE_ADDR"] == "203.0.113.9" and not spoofed.is_secure()
    assert "HTTP_X_FORWARDED_FOR" not in spoofed.META


@override_settings(HRAP_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_no_forwarded_header_counts() -> None:
    request = _seen(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert request.META["REMOTE_ADDR"] == "10.0.0.1"


@pytest.mark.django_db
def test_the_https_redirect_does_not_loop_behind_a_tls_proxy() -> None:
    with override_settings(
        SECURE_SSL_REDIRECT=True,
        HRAP_TRUSTED_PROXIES=list(PROXIES),
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ):
        client = Client()
        proxied = client.get("/en/plans/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        assert proxied.status_code == 200
        plain = client.get("/en/plans/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="http")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        spoofed = client.get(
            "/en/plans/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https"
        )
        assert spoofed.status_code == 301
