"""Per-client rate limits of the complaint, status and rating forms (sliding windows, ``zhunru.throttling``)."""

from zhunru import throttling
from zhunru.portal import conf
from zhunru.proxies import client_ip


def allow(scope: str, request, rate: tuple[int, int]) -> throttling.Verdict:
    """Count one request of ``scope`` from this client; falsy (with ``retry_after``) once ``rate`` = (n, seconds)
    is used up within the sliding window."""
    limit, window = throttling.parse_rate(rate)
    key = throttling.client_key(f"portal:{scope}", client_ip(request) or "unknown", conf.get("THROTTLE_NAMESPACE"))
    return throttling.hit(key, limit, window)
