"""Settings of the negative list and service items, each overridable as ``ZHUNRU_CATALOG_<NAME>``."""

from django.conf import settings

DEFAULTS = {
    # 好差评 (section 五(二)): a follow-up of an unsatisfied rating is due (amount, unit) after the rating,
    # counted by the lead tracker's calendar ("working" or "calendar" days).
    "FOLLOW_UP_LIMIT": (5, "working"),
    # How often the scheduler reminds departments and coordinators of overdue follow-ups.
    "FOLLOW_UP_REMINDER_EVERY_SECONDS": 24 * 3600,
}


def get(name: str):
    return getattr(settings, f"ZHUNRU_CATALOG_{name}", DEFAULTS[name])
