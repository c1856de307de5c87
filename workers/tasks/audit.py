"""Periodic jobs of the audit trail: sealing every few seconds, hourly verification with alerts, daily pruning."""

import dramatiq

from zhunru.workers.scheduler import periodic


@periodic(every_seconds=5)
@dramatiq.actor(queue_name="audit", max_retries=0, time_limit=5 * 60_000, max_age=60_000)
def seal_audit_chain() -> None:
    """Hash committed audit events into the chain (writers only insert; see zhunru.audit.sealing). No retry:
    the next run, seconds later, seals whatever this one did not; two at once wait for each other."""
    from zhunru.audit.sealing import seal_pending

    seal_pending()


@periodic(every_seconds=3600, offset_seconds=900)
@dramatiq.actor(queue_name="audit", max_retries=3, time_limit=30 * 60_000, max_age=6 * 3600_000)
def verify_audit_chain() -> None:
    """Verify the chain; on a break notify coordinators and superusers once per broken entry."""
    from zhunru.audit.alerts import alert_if_broken

    alert_if_broken()


# Daily at 02:30 Beijing time: the whole chain, and every signed checkpoint against its event.
@periodic(every_seconds=24 * 3600, offset_seconds=2 * 3600 + 30 * 60)
@dramatiq.actor(queue_name="audit", max_retries=3, time_limit=2 * 3600_000, max_age=12 * 3600_000)
def verify_audit_chain_full() -> None:
    """Full verification from the start (or the retention anchor); alerts like the hourly one."""
    from zhunru.audit.alerts import alert_if_broken

    alert_if_broken(full=True)


# Daily at 03:30 Beijing time. No retry: a refusal (broken chain, retention too short) stays refused,
# the hourly verification alerts about a break, and tomorrow's run prunes whatever is due.
@periodic(every_seconds=24 * 3600, offset_seconds=3 * 3600 + 30 * 60)
@dramatiq.actor(queue_name="audit", max_retries=0, time_limit=60 * 60_000, max_age=12 * 3600_000)
def prune_audit_log() -> None:
    """Remove entries older than ZHUNRU_AUDIT_RETENTION_DAYS; nothing when retention is unset (keep forever)."""
    from zhunru.audit.retention import prune_expired

    prune_expired()
