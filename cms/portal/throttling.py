"""A small per-IP rate limit on the cache, for the complaint, status and rating endpoints."""

import hashlib
import time

from django.core.cache import cache

from zhunru.portal import conf
from zhunru.proxies import client_ip


def _key(scope: str, request) -> str:
    ip = client_ip(request) or "unknown"
    # Hash the address: the cache is not a place to keep visitors' IPs in the clear.
    namespace = conf.get("THROTTLE_NAMESPACE")
    return f"zhunru-portal-throttle:{namespace}:{scope}:" + hashlib.sha256(ip.encode()).hexdigest()[:24]


def allow(scope: str, request, rate: tuple[int, int]) -> bool:
    """Count one request of ``scope`` from this client; False once ``rate`` = (n, seconds) is used up."""
    limit, window = rate
    bucket = int(time.time() // window)
    key = f"{_key(scope, request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        return True
    return count <= limit
