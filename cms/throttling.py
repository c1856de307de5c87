"""Sliding-window rate limits on the cache, one for the portal's forms and the API's POST operations.

A client's requests of one scope are counted per window-long bucket; the estimate at any moment is the
current bucket plus the previous one weighted by how much of it still lies inside the sliding window (the
approach of Cloudflare's and nginx's limiters: two counters, no request log, atomic ``incr``). A refused
request does not count, and the answer says when the next one will be accepted (``Retry-After``).

The cache is a convenience: when it does not answer (Redis down, or a backend that swallows its errors and
answers ``None``), the limit is kept per process in local memory and a warning is logged once a minute, so
an outage never turns into refused requests or errors.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

log = logging.getLogger(__name__)

# Where the counts go while the shared cache is down: this process only.
_LOCAL = LocMemCache("zhunru-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
_WARN_EVERY_SECONDS = 60.0
_warned_at = 0.0
_warn_lock = threading.Lock()


class CacheUnavailable(Exception):
    """The shared cache did not count (it raised, or answered nothing)."""


@dataclass(frozen=True)
class Verdict:
    """Whether a request may proceed; when not, how many whole seconds until the next one is accepted."""

    allowed: bool
    retry_after: int = 0
    shared: bool = True  # False: counted in this process only (the shared cache was down)

    def __bool__(self) -> bool:
        return self.allowed


def client_key(scope: str, ident: str, namespace: str = "v1") -> str:
    """A cache key per scope and client; the client's address is stored only as a hash."""
    digest = hashlib.sha256((ident or "unknown").encode()).hexdigest()[:24]
    return f"zhunru-throttle:{namespace}:{scope}:{digest}"


def hit(key: str, limit: int, window: int, *, now: float | None = None) -> Verdict:
    """Count one request under ``key``: allowed while fewer than ``limit`` fall in the last ``window`` seconds."""
    now = time.time() if now is None else now
    try:
        return _hit(cache, key, limit, window, now, shared=True)
    except Exception as exc:  # any cache failure: fail open to the per-process count, never to an error
        _warn_unavailable(exc)
        return _hit(_LOCAL, key, limit, window, now, shared=False)


def _hit(store, key: str, limit: int, window: int, now: float, *, shared: bool) -> Verdict:
    bucket = int(now // window)
    elapsed = (now - bucket * window) / window
    current_key, previous_key = f"{key}:{bucket}", f"{key}:{bucket - 1}"
    # Two windows of life: the bucket is still read as "previous" during the next window.
    store.add(current_key, 0, timeout=2 * window + 5)
    try:
        current = store.incr(current_key)
    except ValueError:  # expired between add and incr
        store.add(current_key, 1, timeout=2 * window + 5)
        current = 1
    if current is None:  # a backend that swallows connection errors (django-redis IGNORE_EXCEPTIONS)
        raise CacheUnavailable("incr answered nothing")
    previous = store.get(previous_key) or 0
    if previous * (1 - elapsed) + current <= limit:
        return Verdict(True, shared=shared)
    try:
        store.decr(current_key)  # a refused request does not use up the allowance
    except ValueError:
        pass
    return Verdict(False, retry_after=_retry_after(previous, current - 1, limit, window, elapsed), shared=shared)


def _retry_after(previous: int, current: int, limit: int, window: int, elapsed: float) -> int:
    """Seconds until ``previous * (1 - elapsed') + current + 1 <= limit`` with no other request counted."""
    if current + 1 <= limit:  # the previous bucket's weight is what is in the way: wait for it to slide out
        wait = window * (1 - elapsed - (limit - current - 1) / previous)
    else:  # this bucket is full: wait for it to become the previous one and slide out far enough
        wait = window * (1 - elapsed) + window * (1 - (limit - 1) / current)
    return max(1, math.ceil(wait))


def _warn_unavailable(exc: Exception) -> None:
    global _warned_at
    with _warn_lock:
        now = time.monotonic()
        if _warned_at and now - _warned_at < _WARN_EVERY_SECONDS:
            return
        _warned_at = now
    log.warning("限流缓存不可用（%s: %s），暂按本进程计数；共享缓存恢复后自动切回", type(exc).__name__, exc)


def parse_rate(rate: str | tuple[int, int]) -> tuple[int, int]:
    """``"30/m"`` or ``(30, 60)`` → (requests, seconds); the units of DRF and ninja (s, m, h, d)."""
    if isinstance(rate, tuple | list):
        return int(rate[0]), int(rate[1])
    number, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[:1].lower()]
    return int(number), seconds
