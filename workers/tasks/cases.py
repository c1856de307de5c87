"""Actors of the case register: periodic review reminders, the 安全检查, overdue ledger reminders."""

import dramatiq

from zhunru.cases import conf
from zhunru.workers.scheduler import periodic


@periodic(every_seconds=conf.get("REVIEW_JOB_EVERY_SECONDS"), offset_seconds=8 * 3600 + 5 * 60)
@dramatiq.actor(queue_name="cases", max_retries=3, time_limit=10 * 60_000, max_age=24 * 3600_000)
def notify_due_case_reviews() -> None:
    """Daily: tell the register's keepers which cases are due for periodic review."""
    from zhunru.cases.reminders import notify_due_reviews

    notify_due_reviews()


@periodic(every_seconds=conf.get("INTEGRITY_JOB_EVERY_SECONDS"), offset_seconds=2 * 3600)
@dramatiq.actor(queue_name="cases", max_retries=2, time_limit=60 * 60_000, max_age=24 * 3600_000)
def check_attachment_integrity() -> None:
    """Weekly: re-hash every stored attachment and report missing or altered files."""
    from zhunru.cases.reminders import run_integrity_check

    run_integrity_check()


@periodic(every_seconds=conf.get("LEDGER_REMINDER_EVERY_SECONDS"), offset_seconds=8 * 3600 + 10 * 60)
@dramatiq.actor(queue_name="cases", max_retries=3, time_limit=10 * 60_000, max_age=24 * 3600_000)
def remind_overdue_ledger_entries() -> None:
    """Daily: remind responsible units of overdue problem-ledger entries (once a day each)."""
    from zhunru.cases.reminders import remind_overdue_ledger_entries as remind

    remind()
