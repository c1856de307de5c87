"""Settings of the credit app with the ZHUNRU_CREDIT_ prefix, and their defaults."""

import os

from django.conf import settings

DEFAULTS = {
    # Credit classes that may be granted a commitment (告知承诺 / 容缺受理) when no rule row decides.
    "COMMITMENT_ALLOWED_CLASSES": ["trustworthy", "general"],
    # HMAC keys by reference name; a reference not listed here is looked up as an environment variable.
    "KEYS": {"demo": "zhunru-demo-key"},
    # HTTP timeout of one delivery or feed request, in seconds.
    "TIMEOUT_SECONDS": 10.0,
    # Dramatiq retry backoff of a delivery (milliseconds) and number of retries.
    "RETRY_MIN_BACKOFF_MS": 5_000,
    "RETRY_MAX_BACKOFF_MS": 15 * 60_000,
    "MAX_RETRIES": 12,
    # Records per delivery batch (one request to the platform's batch endpoint, one commit; at most 500) and
    # batch requests in flight to one platform from one process (worker threads beyond it wait their turn).
    "BATCH_SIZE": 100,
    "PLATFORM_CONCURRENCY": 4,
    # A pending or retrying record whose message was last sent longer ago than this is re-enqueued by the sweep.
    "SWEEP_GRACE_SECONDS": 120,
    "SWEEP_EVERY_SECONDS": 60,
    "FEED_EVERY_SECONDS": 300,
    "FEED_PAGE_SIZE": 200,
    "COMMITMENT_CHECK_EVERY_SECONDS": 3600,
    # Where the demo platforms point: the simulator `make run` starts in a background thread.
    "DEMO_SIMULATOR_URL": "http://127.0.0.1:8765/",
}


def get(name: str):
    return getattr(settings, f"ZHUNRU_CREDIT_{name}", DEFAULTS[name])


def resolve_key(ref: str) -> bytes:
    """The HMAC key a platform's ``hmac_key_ref`` names (setting ZHUNRU_CREDIT_KEYS, then the environment)."""
    keys = get("KEYS")
    value = keys.get(ref) if ref in keys else os.environ.get(ref, "")
    return (value or "").encode()
