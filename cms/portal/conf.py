"""Settings of the portal, read from ``settings.ZHUNRU_PORTAL`` with working defaults."""

from django.conf import settings

DEFAULTS = {
    # Complaint attachments
    "MAX_ATTACHMENTS": 3,
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    # Per-IP limits: (requests, seconds)
    "COMPLAINT_RATE": (5, 3600),
    "STATUS_LOOKUP_RATE": (30, 3600),
    "RATING_RATE": (20, 3600),
    # Part of the throttle's cache keys (tests give each test its own, instead of clearing the cache).
    "THROTTLE_NAMESPACE": "v1",
    "SEARCH_PER_PAGE": 10,
    # Days the complainant's contact details are kept after the complaint is closed (then erased).
    "CONTACT_RETENTION_DAYS": 365,
}


def get(name: str):
    return {**DEFAULTS, **(getattr(settings, "ZHUNRU_PORTAL", {}) or {})}[name]
