"""Actors of the lead tracker: the periodic deadline scan and recomputing due times after calendar changes."""

import dramatiq

from zhunru.leads import conf
from zhunru.workers.scheduler import periodic


@periodic(every_seconds=conf.get("SCAN_EVERY_SECONDS"), offset_seconds=60)
@dramatiq.actor(queue_name="leads", max_retries=3, time_limit=30 * 60_000, max_age=2 * 3600_000)
def scan_lead_deadlines() -> None:
    """Remind about stages due soon/today, mark overdue ones, escalate by rule; idempotent. Stages computed
    with an older calendar are recomputed first (a recompute message lost while the broker was down)."""
    from zhunru.leads.recompute import recompute_open_due_times
    from zhunru.leads.tracking import scan_deadlines

    recompute_open_due_times()
    scan_deadlines()


@dramatiq.actor(queue_name="leads", max_retries=5, time_limit=60 * 60_000, max_age=24 * 3600_000)
def recompute_due_times() -> None:
    """After a calendar change: recompute open stages computed with an older calendar version."""
    from zhunru.leads.recompute import recompute_open_due_times

    recompute_open_due_times()
