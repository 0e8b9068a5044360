"""Refuse webhook URLs that would reach internal services (SSRF), at registration and send time."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from handoff.exceptions import UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Cloud metadata services that are not all covered by the link-local range.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def resolve_host(host: str, port: int) -> list[str]:
    """Resolve a host name to its IP addresses with the system resolver."""
    infos: list[Any] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def classify_address(address: IPAddress) -> str | None:
    """Return why an address is refused as a webhook target, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _METADATA:
        return "a cloud metadata address"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_private or address in _SHARED:
        return "private"
    if address.is_reserved or not address.is_global:
        return "reserved"
    return None


def check_url(
    url: str,
    *,
    allow_loopback: bool = False,
    allow_private: bool = False,
    resolver: Resolver = resolve_host,
) -> list[IPAddress]:
    """Validate a webhook URL and return the addresses it may be sent to; raise if unsafe."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(f"webhook URL must use http or https, not {parts.scheme or 'none'!r}")
    if not parts.hostname:
        raise UnsafeURLError("webhook URL has no host")
    if parts.username or parts.password:
        raise UnsafeURLError("webhook URL must not carry credentials; sign with the secret instead")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURLError(f"webhook URL has an invalid port: {exc}") from None
    try:
        literal = ipaddress.ip_address(parts.hostname)
        addresses = [literal]
    except ValueError:
        try:
            addresses = [
                ipaddress.ip_address(a.split("%")[0]) for a in resolver(parts.hostname, port)
            ]
        except OSError as exc:
            raise UnsafeURLError(
                f"webhook host {parts.hostname!r} does not resolve: {exc}"
            ) from None
    if not addresses:
        raise UnsafeURLError(f"webhook host {parts.hostname!r} does not resolve")
    for address in addresses:
        why = classify_address(address)
        if why is None or (why == "loopback" and allow_loopback):
            continue
        if why == "private" and allow_private:
            continue
        raise UnsafeURLError(f"webhook URL {url!r} resolves to {address}, which is {why}; refused")
    return addresses
