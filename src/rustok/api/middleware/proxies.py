"""Which peers are our proxies, and what their forwarding headers say about the client.

`X-Forwarded-For` and `X-Forwarded-Host` are written by whoever sends the request: they are
believed only when the direct peer is one of `RUSTOK_TRUSTED_PROXIES`.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN_CLIENT = "unknown"


def trusted_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """Parse `trusted_proxies` (addresses or CIDR ranges); a bad entry raises ValueError."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_ip(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The client's address: the direct peer, or, behind trusted proxies, `X-Forwarded-For`.

    The header is read right to left, skipping trusted proxies: the first address that is
    not one of ours is the client. Addresses further left were written by the client itself
    and could be anything, so they are never believed.
    """
    client = scope.get("client")
    peer: str = client[0] if client else UNKNOWN_CLIENT
    if not trusted or not is_trusted(peer, trusted):
        return peer
    forwarded = ",".join(
        value.decode("latin-1") for key, value in scope["headers"] if key == b"x-forwarded-for"
    )
    address = peer
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ip = ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: keep the last one a trusted hop vouched for
        address = str(ip)
        if not any(ip in network for network in trusted):
            break
    return address


def peer_is_trusted(scope: Scope, trusted: tuple[Network, ...]) -> bool:
    """Whether the direct peer of this connection is one of our proxies."""
    client = scope.get("client")
    return bool(trusted) and client is not None and is_trusted(client[0], trusted)
