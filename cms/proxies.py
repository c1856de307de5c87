"""Which request headers to believe about the client: forwarded headers only from configured proxies.

``ZHUNRU_TRUSTED_PROXIES`` lists the reverse proxies' addresses or networks (``"172.28.0.2"``,
``"10.0.0.0/8"``, ``"::1"``). A request whose peer (REMOTE_ADDR) is one of them may say who the client is
(X-Forwarded-For) and which scheme it used (X-Forwarded-Proto); from anyone else those headers are the
client's own words and are ignored: the peer is the client. The client address is the first entry of
X-Forwarded-For, read from the right, that is not a trusted proxy (each proxy appends the address it saw;
entries further left were written by the client).

Without ``ZHUNRU_TRUSTED_PROXIES`` the older ``ZHUNRU_PROXY_COUNT`` (N proxies, the N-th entry from the right)
still applies; check zhunru_cms.W003 says that it trusts the header from any peer.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def address(value: str) -> str | None:
    """A bare IP address from ``value`` (which may carry a port), or None if it is not one."""
    value = (value or "").strip()
    if value.startswith("["):  # [v6]:port
        value = value[1:].split("]")[0]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


@lru_cache(maxsize=16)
def _networks(entries: tuple) -> tuple[tuple[Network, ...], tuple[str, ...]]:
    networks, bad = [], []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            bad.append(str(entry))
    return tuple(networks), tuple(bad)


def configured_entries() -> tuple:
    value = getattr(settings, "ZHUNRU_TRUSTED_PROXIES", None) or ()
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    return tuple(value)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(configured_entries())[0]


def invalid_entries() -> tuple[str, ...]:
    """Entries of ZHUNRU_TRUSTED_PROXIES that are no address or network (ignored; the check names them)."""
    return _networks(configured_entries())[1]


def is_trusted(ip: str | None) -> bool:
    if not ip:
        return False
    parsed = ipaddress.ip_address(ip)
    return any(parsed.version == net.version and parsed in net for net in trusted_networks())


def peer_is_trusted_proxy(request) -> bool:
    return is_trusted(address(request.META.get("REMOTE_ADDR") or ""))


def _forwarded_for(request) -> list[str]:
    return [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]


def client_ip(request) -> str | None:
    """The client's address: one definition for the audit trail, login throttling and the rate limits."""
    if request is None:
        return None
    remote = address(request.META.get("REMOTE_ADDR") or "")
    if trusted_networks():
        if not is_trusted(remote):
            return remote  # a direct client: whatever it wrote in X-Forwarded-For is its own claim
        client = remote
        for entry in reversed(_forwarded_for(request)):
            hop = address(entry)
            if hop is None:
                return client  # garbage left of a trusted hop: the last address a proxy vouched for
            client = hop
            if not is_trusted(hop):
                return hop
        return client
    proxies = int(getattr(settings, "ZHUNRU_PROXY_COUNT", 0) or 0)
    forwarded = _forwarded_for(request)
    if proxies <= 0 or not forwarded:
        return remote
    return address(forwarded[-min(proxies, len(forwarded))]) or remote


class ForwardedHeadersMiddleware:
    """First in MIDDLEWARE: drops X-Forwarded-* headers a request did not get from a trusted proxy.

    Django's SECURE_PROXY_SSL_HEADER (X-Forwarded-Proto), USE_X_FORWARDED_HOST and any library reading
    X-Forwarded-For then see them only when a configured proxy sent them. Does nothing while
    ZHUNRU_TRUSTED_PROXIES is unset (the older ZHUNRU_PROXY_COUNT setups)."""

    HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
               "HTTP_X_REAL_IP", "HTTP_FORWARDED")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if trusted_networks() and not peer_is_trusted_proxy(request):
            for header in self.HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
