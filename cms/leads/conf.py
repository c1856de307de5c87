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
    # The coordinator dashboard's figures and the home 待办 panel are cached this long per visible scope, and
    # dropped at once when a lead, stage, extension, co-handling request or complaint is written; 0 turns it off.
    "FIGURES_CACHE_SECONDS": 60,
    "EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
    # The notification e-mail relay: "worker" enqueues the relay actor after commit (the periodic sweep
    # catches what the broker lost); "inline" relays in the committing process after commit (tests, and
    # installations without the workers app). Either way the relay reads the outbox rows.
    "EMAIL_RELAY": "worker",
    "EMAIL_MAX_ATTEMPTS": 5,
    "EMAIL_RETRY_BASE_SECONDS": 60,  # doubled after each failed attempt
    "EMAIL_LEASE_SECONDS": 10 * 60,  # a row claimed by a sender that died is tried again after this
    "EMAIL_SWEEP_EVERY_SECONDS": 60,
    "EMAIL_SWEEP_BATCH": 500,
    # People who chose the daily digest get one e-mail at this hour (Beijing time) with the day's notifications.
    "EMAIL_DIGEST_HOUR": 8,
    "EMAIL_DIGEST_EVERY_SECONDS": 15 * 60,
    # SMS / WeCom / DingTalk adapter (dotted path to a class with deliver(notification)); default: log only.
    "MESSAGING_CHANNEL": "zhunru.leads.channels.LoggingChannel",
}


def get(name: str):
    return getattr(settings, f"ZHUNRU_LEADS_{name}", DEFAULTS[name])
