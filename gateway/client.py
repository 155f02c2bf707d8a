"""Which address a request really comes from, believing ``X-Forwarded-For`` only from proxies
that are configured as trusted (``TRUSTED_PROXIES``: addresses or networks, comma-separated).

The answer is handed to the Streamlit script in the ``X-Dashboard-Client`` header, which this
middleware first removes from what the browser sent, so a client cannot choose it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

CLIENT_HEADER = "x-dashboard-client"


def _networks(trusted: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item.strip(), strict=False) for item in trusted if item.strip()]


def _is_trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in networks)


def client_address(peer: str, forwarded_for: str, trusted: Iterable[str]) -> str:
    """The client's address: the socket peer, unless the peer is a trusted proxy; then the
    nearest address in ``X-Forwarded-For`` (read right to left) that is not itself a trusted
    proxy.

    >>> client_address("203.0.113.9", "10.0.0.1", ["127.0.0.1"])
    '203.0.113.9'
    >>> client_address("127.0.0.1", "1.2.3.4, 198.51.100.7", ["127.0.0.1"])
    '198.51.100.7'
    """
    networks = _networks(trusted)
    if not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


class ClientAddressMiddleware:
    """Pure ASGI middleware: sets ``X-Dashboard-Client`` (and the scheme, from
    ``X-Forwarded-Proto`` of a trusted proxy) on every HTTP and websocket request."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted = tuple(trusted)
        self.networks = _networks(self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = (scope.get("client") or ("", 0))[0] or ""
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != CLIENT_HEADER.encode()]
            found = {k.lower(): v.decode("latin-1") for k, v in headers}
            client = client_address(peer, found.get(b"x-forwarded-for", ""), self.trusted)
            headers.append((CLIENT_HEADER.encode(), client.encode("latin-1")))
            scope = dict(scope, headers=headers)
            proto = found.get(b"x-forwarded-proto", "").strip().lower()
            if _is_trusted(peer, self.networks) and proto in ("http", "https"):
                scope["scheme"] = ("wss" if proto == "https" else "ws") \
                    if scope["type"] == "websocket" else proto
        await self.app(scope, receive, send)
