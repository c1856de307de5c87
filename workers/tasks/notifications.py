"""Actors of the notification outbox: relay new e-mails after commit, and the periodic sweep."""

import dramatiq

from zhunru.leads import conf
from zhunru.workers.scheduler import periodic


@dramatiq.actor(queue_name="notify", max_retries=3, time_limit=5 * 60_000, max_age=24 * 3600_000)
def relay_notifications(ids: list[int]) -> None:
    """Send the e-mails of these notifications if they are still due (reads the rows; running twice sends once)."""
    from zhunru.leads.notifications import relay

    relay(ids)


@periodic(every_seconds=conf.get("EMAIL_SWEEP_EVERY_SECONDS"), offset_seconds=7)
@dramatiq.actor(queue_name="notify", max_retries=0, time_limit=10 * 60_000, max_age=3600_000)
def sweep_notifications() -> None:
    """Send every e-mail still due: lost messages (broker down), retries after failures, expired claims."""
    from zhunru.leads.notifications import relay

    relay()


@periodic(every_seconds=conf.get("EMAIL_DIGEST_EVERY_SECONDS"), offset_seconds=11)
@dramatiq.actor(queue_name="notify", max_retries=0, time_limit=10 * 60_000, max_age=3600_000)
def send_notification_digests() -> None:
    """Daily digests: whoever chose one gets it at the first run after the digest hour (runs are idempotent)."""
    from zhunru.leads.notifications import send_digests

    send_digests()
