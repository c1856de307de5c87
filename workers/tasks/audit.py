"""Periodic verification of the audit chain, alerting coordinators on a break."""

import dramatiq

from workers.scheduler import periodic


@periodic(every_seconds=3600, offset_seconds=900)
@dramatiq.actor(queue_name="audit", max_retries=3, time_limit=30 * 60_000, max_age=6 * 3600_000)
def verify_audit_chain() -> None:
    """Verify the chain; on a break notify coordinators and superusers once per broken entry."""
    from cms.audit.alerts import alert_if_broken

    alert_if_broken()
