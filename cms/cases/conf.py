"""Settings of the case register with the ZHUNRU_CASES_ prefix, and their defaults."""

from django.conf import settings

DEFAULTS = {
    # Default register number: 昌发改案〔2026〕7号. Fields: short, year, serial, division_code.
    "REGISTER_NUMBER_FORMAT": "{short}发改案〔{year}〕{serial}号",
    # Default archive number (档号): 昌发改档-2026-Y-0001. Fields as above plus retention (保管期限代码).
    "ARCHIVE_NUMBER_FORMAT": "{short}发改档-{year}-{retention}-{serial:04d}",
    # Days between periodic reviews (section 十三(六)), by importance.
    "REVIEW_INTERVAL_DAYS": {"major": 90, "important": 180, "general": 365},
    # How often the scheduler runs the review, integrity and ledger jobs.
    "REVIEW_JOB_EVERY_SECONDS": 24 * 3600,
    "INTEGRITY_JOB_EVERY_SECONDS": 7 * 24 * 3600,
    "LEDGER_REMINDER_EVERY_SECONDS": 24 * 3600,
}


def get(name: str):
    return getattr(settings, f"ZHUNRU_CASES_{name}", DEFAULTS[name])
