"""Actors of the negative list and service items: the daily reminder of overdue 好差评 follow-ups."""

import dramatiq

from zhunru.catalog import conf
from zhunru.workers.scheduler import periodic


@periodic(every_seconds=conf.get("FOLLOW_UP_REMINDER_EVERY_SECONDS"), offset_seconds=8 * 3600 + 20 * 60)
@dramatiq.actor(queue_name="catalog", max_retries=3, time_limit=10 * 60_000, max_age=24 * 3600_000)
def remind_overdue_rating_follow_ups() -> None:
    """Daily: remind departments and coordinators of unanswered follow-ups past their due date; idempotent."""
    from zhunru.catalog.ratings import remind_overdue_follow_ups

    remind_overdue_follow_ups()
