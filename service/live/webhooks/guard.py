"""The SSRF guard: a webhook may only reach public HTTPS hosts, unless the operator says otherwise.

A URL is checked when it is registered (a 422 naming ``url``) and again before every attempt,
because what a name resolves to can change after it was accepted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from service.core.errors import InvalidFieldError
from service.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

RESOLVE_TIMEOUT = 5.0
"""Seconds to resolve a receiver's host name before the URL counts as unreachable."""


class UnsafeUrlError(InvalidFieldError):
    """A webhook URL that is not HTTPS, or whose host is (or resolves to) a non-public address."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="url")


def allowed_networks(settings: Settings) -> tuple[Network, ...]:
    networks: list[Network] = []
    for item in (part.strip() for part in settings.webhook_allowed_networks.split(",")):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"PLENARY_WEBHOOK_ALLOWED_NETWORKS: {item!r} is not an IP network") from exc
    return tuple(networks)


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )


def check_form(url: str, settings: Settings) -> tuple[str, int]:
    """The host and port of ``url``, if its form is acceptable (scheme, host, no credentials)."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if settings.webhook_allow_http else {"https"}
    if parts.scheme not in schemes:
        raise UnsafeUrlError(f"url: a webhook must be an https:// URL, not {parts.scheme or 'no'} scheme.")
    if not parts.hostname:
        raise UnsafeUrlError("url: the URL names no host.")
    if parts.username or parts.password:
        raise UnsafeUrlError("url: credentials in the URL would be logged; the signature authenticates us.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrlError("url: the port is not a number between 0 and 65535.") from None
    return parts.hostname, port


async def check_reachable(url: str, settings: Settings) -> None:
    """Refuse ``url`` unless every address its host resolves to is public or allowed by the operator."""
    host, port = check_form(url, settings)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        raise UnsafeUrlError(f"url: the host {host!r} does not resolve.") from None
    allowed = allowed_networks(settings)
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not _is_public(address) and not any(address in network for network in allowed):
            raise UnsafeUrlError(
                f"url: {host!r} resolves to {address}, a loopback, private, link-local or otherwise "
                "non-public address; an operator may allow it with PLENARY_WEBHOOK_ALLOWED_NETWORKS."
            )
