"""Actors of the credit exchange: delivery, the outbox sweep, feed pulls, the commitment check."""

import dramatiq

from zhunru.credit import conf
from zhunru.workers.clients.credit_platform import CreditPlatformUnavailable
from zhunru.workers.scheduler import periodic


def _retry_when(retries: int, exc: Exception) -> bool:
    return isinstance(exc, CreditPlatformUnavailable) and retries <= conf.get("MAX_RETRIES")


@dramatiq.actor(queue_name="credit", retry_when=_retry_when, min_backoff=conf.get("RETRY_MIN_BACKOFF_MS"),
                max_backoff=conf.get("RETRY_MAX_BACKOFF_MS"), time_limit=2 * 60_000, max_age=7 * 24 * 3600_000)
def deliver_outbound(pk: int) -> None:
    """Deliver one outbox record to its platform (idempotent by record id); messages sent before batching."""
    from zhunru.credit.delivery import deliver

    deliver(pk)


@dramatiq.actor(queue_name="credit", retry_when=_retry_when, min_backoff=conf.get("RETRY_MIN_BACKOFF_MS"),
                max_backoff=conf.get("RETRY_MAX_BACKOFF_MS"), time_limit=5 * 60_000, max_age=7 * 24 * 3600_000)
def deliver_outbound_batch(pks: list[int]) -> None:
    """Deliver a batch of one platform's outbox records in one request and one commit (idempotent)."""
    from zhunru.credit.delivery import deliver_batch

    deliver_batch(pks)


@periodic(every_seconds=conf.get("SWEEP_EVERY_SECONDS"), offset_seconds=17)
@dramatiq.actor(queue_name="credit", max_retries=0, time_limit=5 * 60_000, max_age=3600_000)
def sweep_outbox() -> None:
    """Re-send records whose message was lost (broker outage, retries exhausted): nothing is dropped."""
    from zhunru.credit.outbox import sweep

    sweep()


@periodic(every_seconds=conf.get("FEED_EVERY_SECONDS"), offset_seconds=41)
@dramatiq.actor(queue_name="credit", max_retries=0, time_limit=10 * 60_000, max_age=3600_000)
def pull_credit_feeds() -> None:
    """Pull credit status changes from every platform since its cursor."""
    from zhunru.credit.feeds import pull_all

    pull_all()


@periodic(every_seconds=conf.get("COMMITMENT_CHECK_EVERY_SECONDS"), offset_seconds=5 * 60)
@dramatiq.actor(queue_name="credit", max_retries=3, time_limit=30 * 60_000, max_age=24 * 3600_000)
def check_credit_commitments() -> None:
    """Commitments past their due date get a 责令整改通知; notices past their deadline open the 陈述申辩 period."""
    from zhunru.credit.delivery import check_due_commitments

    check_due_commitments()


@periodic(every_seconds=conf.get("COMMITMENT_CHECK_EVERY_SECONDS"), offset_seconds=7 * 60)
@dramatiq.actor(queue_name="credit", max_retries=3, time_limit=30 * 60_000, max_age=24 * 3600_000)
def end_credit_publicity() -> None:
    """双公示 penalty decisions and 失信 records past their publicity period leave the public page and the
    platforms (a "repair" record tells them); the subject's class is re-derived."""
    from zhunru.credit.disclosure import withdraw_expired

    withdraw_expired()
