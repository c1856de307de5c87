"""zhunru.throttling: sliding windows that say when to come back, and fail open when the cache is down."""

import logging
import uuid

import pytest

from zhunru import throttling

T0 = 1_000_000 * 60.0  # the start of a window (windows are aligned to multiples of their length)


def fresh_key() -> str:
    return throttling.client_key("test", uuid.uuid4().hex, namespace=uuid.uuid4().hex)


def test_the_window_slides_instead_of_resetting():
    key = fresh_key()
    # Three allowed at the end of one window ...
    assert [bool(throttling.hit(key, 3, 60, now=T0 + 50 + i)) for i in range(4)] == [True, True, True, False]
    # ... and a fixed window would allow three more right after its edge; the sliding one still counts
    # most of them (at 10 s into the next window, 3 × 50/60 = 2.5 of them remain).
    assert not throttling.hit(key, 3, 60, now=T0 + 70)
    # Half-way through the next window 1.5 remain: one more fits, the second does not.
    assert [bool(throttling.hit(key, 3, 60, now=T0 + 90)) for _ in range(2)] == [True, False]


@pytest.mark.parametrize(("limit", "times"), [
    (3, [0, 1, 2]),  # the bucket is full: wait for it to slide out
    (3, [50, 51, 52, 65]),  # the previous bucket's weight is in the way
    (5, [10, 20, 30, 70, 80, 81, 82]),
    (1, [59]),
])
def test_retry_after_is_exactly_when_the_next_request_is_accepted(limit, times):
    key = fresh_key()
    refused = None
    for t in times:
        throttling.hit(key, limit, 60, now=T0 + t)
    now = T0 + times[-1] + 0.5
    refused = throttling.hit(key, limit, 60, now=now)
    assert not refused and refused.retry_after >= 1
    # A refused request does not count, so asking a second early is refused again and changes nothing ...
    assert not throttling.hit(key, limit, 60, now=now + refused.retry_after - 1)
    # ... and at the announced time it is accepted.
    assert throttling.hit(key, limit, 60, now=now + refused.retry_after)


def test_clients_and_scopes_count_apart():
    namespace = uuid.uuid4().hex
    a = throttling.client_key("complaint", "192.0.2.1", namespace)
    assert a != throttling.client_key("complaint", "192.0.2.2", namespace)
    assert a != throttling.client_key("status", "192.0.2.1", namespace)
    assert "192.0.2.1" not in a  # addresses are stored as hashes
    assert throttling.hit(a, 1, 60, now=T0) and not throttling.hit(a, 1, 60, now=T0 + 1)
    assert throttling.hit(throttling.client_key("complaint", "192.0.2.2", namespace), 1, 60, now=T0 + 1)


@pytest.mark.parametrize("backend", [
    "django_redis.cache.RedisCache",  # the project's: swallows the error and answers None
    "django.core.cache.backends.redis.RedisCache",  # Django's own: raises
])
def test_with_the_cache_down_the_limit_holds_per_process_and_says_so(settings, caplog, backend):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"IGNORE_EXCEPTIONS": True} if "django_redis" in backend else {}}}
    throttling._warned_at = 0.0
    key = fresh_key()
    with caplog.at_level(logging.WARNING, logger="zhunru.throttling"):
        verdicts = [throttling.hit(key, 2, 60, now=T0 + i) for i in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert not any(v.shared for v in verdicts) and verdicts[-1].retry_after > 0
    assert "限流缓存不可用" in caplog.text
    assert len([r for r in caplog.records if "限流缓存不可用" in r.getMessage()]) == 1  # once a minute, not per request


@pytest.mark.parametrize(("rate", "expected"), [("30/m", (30, 60)), ("5/hour", (5, 3600)), ((3, 10), (3, 10)),
                                                ("2/d", (2, 86400))])
def test_rates_read_as_ninja_and_the_portal_write_them(rate, expected):
    assert throttling.parse_rate(rate) == expected
