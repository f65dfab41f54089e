import ipaddress
from functools import lru_cache

from django.conf import settings

from .context import client_ip


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(text: str | None):
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    # A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def client_ip_of(request) -> str | None:
    """The client's address for the audit trail (and the lockout's records).

    X-Forwarded-For is believed only when the connection comes from one of the configured
    proxies (EIP_TRUSTED_PROXIES): anyone else could write anything in it. Each trusted proxy
    appends the address it saw, so the client is the right-most address that is not itself one
    of our proxies; whatever lies left of it was written by the client and is ignored."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    proxies = _networks(tuple(settings.EIP_TRUSTED_PROXIES))
    if remote is None or not any(remote in network for network in proxies):
        return str(remote) if remote else None
    nearest = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            # Not an address where our proxies write one: the client wrote it; stop here.
            break
        if not any(address in network for network in proxies):
            return str(address)
        nearest = address
    # Only our proxies (or nothing readable) in the header: the furthest proxy we know of.
    return str(nearest)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(client_ip_of(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
