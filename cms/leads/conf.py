"""Settings of the lead tracker, each overridable as ``ZHUNRU_LEADS_<NAME>`` in Django settings."""

from django.conf import settings

DEFAULTS = {
    # The "0137" rule (section 十二): (amount, unit) per stage.
    "TRANSFER_LIMIT": (1, "working"),
    "VERIFY_LIMIT": (3, "working"),
    "RECTIFY_LIMIT": (7, "calendar"),
    # Overdue by this many working days → escalation (report to the government, draft circulation).
    "ESCALATE_AFTER_WORKING_DAYS": 2,
    # Remind when this share of the period has passed (0.5 = half the period left).
    "REMIND_AT_FRACTION": 0.5,
    "SCAN_EVERY_SECONDS": 15 * 60,
    "SCAN_CHUNK_SIZE": 2000,
    "EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
}


def get(name: str):
    return getattr(settings, f"ZHUNRU_LEADS_{name}", DEFAULTS[name])
