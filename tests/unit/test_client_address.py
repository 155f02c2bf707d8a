"""Who the client is behind proxies, and where a login may send the browser back to."""

from __future__ import annotations

import pytest

from gateway.client import client_address
from gateway.routes import safe_next

PROXY = ["10.0.0.5", "192.168.1.0/24"]


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("203.0.113.9", "1.2.3.4", "203.0.113.9"),           # not a proxy: its header is ignored
    ("127.0.0.1", "1.2.3.4", "127.0.0.1"),               # loopback is not trusted unless listed
    ("10.0.0.5", "198.51.100.7", "198.51.100.7"),         # the configured proxy is believed
    ("10.0.0.5", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # a forged first hop is skipped
    ("10.0.0.5", "198.51.100.7, 192.168.1.20", "198.51.100.7"),  # a chain of trusted proxies
    ("10.0.0.5", "", "10.0.0.5"),                         # no header: the proxy itself
    ("10.0.0.5", "192.168.1.20", "192.168.1.20"),         # only proxies: the farthest one
])
def test_x_forwarded_for_counts_only_from_a_trusted_proxy(peer: str, forwarded: str,
                                                         expected: str) -> None:
    assert client_address(peer, forwarded, PROXY) == expected


def test_without_trusted_proxies_the_socket_address_is_the_client() -> None:
    assert client_address("203.0.113.9", "10.0.0.5", []) == "203.0.113.9"


@pytest.mark.parametrize(("target", "expected"), [
    ("/dagtilbud?side=dagtilbud&enhed=580-N", "/dagtilbud?side=dagtilbud&enhed=580-N"),
    ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"), ("", "/"), (None, "/"),
])
def test_after_login_the_browser_goes_back_only_to_a_page_of_this_site(
    target: str | None, expected: str,
) -> None:
    assert safe_next(target) == expected
