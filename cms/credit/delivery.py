"""Delivering one outbox record, and the commitment check."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhunru.credit import conf
from zhunru.credit.models import OutboundRecord
from zhunru.workers.clients.credit_platform import (
    CreditPlatformRejected,
    CreditPlatformUnavailable,
    for_platform,
)

log = logging.getLogger(__name__)


def deliver(pk: int) -> str:
    """Deliver one record; idempotent. Raises CreditPlatformUnavailable so Dramatiq retries."""
    from zhunru.audit.recording import record

    row = OutboundRecord.objects.select_related("platform").filter(pk=pk).first()
    if row is None or row.status in (OutboundRecord.Status.DELIVERED, OutboundRecord.Status.REJECTED):
        return "skipped"
    client = for_platform(row.platform)
    try:
        ack = client.deliver(row.document())
    except CreditPlatformRejected as exc:
        with transaction.atomic():
            OutboundRecord.objects.filter(pk=pk).update(
                status=OutboundRecord.Status.REJECTED, rejection_reason=exc.reason, attempts=row.attempts + 1,
                last_error=f"HTTP {exc.status}", next_attempt_at=None)
            record("credit.outbound_rejected", obj=row, note=exc.reason, changes={"status": exc.status})
        return "rejected"
    except CreditPlatformUnavailable as exc:
        backoff_ms = min(conf.get("RETRY_MIN_BACKOFF_MS") * (2 ** min(row.attempts, 20)), conf.get("RETRY_MAX_BACKOFF_MS"))
        OutboundRecord.objects.filter(pk=pk).update(
            status=OutboundRecord.Status.RETRYING, attempts=row.attempts + 1, last_error=str(exc)[:2000],
            next_attempt_at=timezone.now() + timedelta(milliseconds=backoff_ms), enqueued_at=timezone.now())
        raise
    with transaction.atomic():
        OutboundRecord.objects.filter(pk=pk).update(
            status=OutboundRecord.Status.DELIVERED, ack_id=str(ack["ack_id"]), delivered_at=timezone.now(),
            attempts=row.attempts + 1, next_attempt_at=None, last_error="")
        record("credit.outbound_delivered", obj=row,
               changes={"ack_id": str(ack["ack_id"]), "duplicate": bool(ack.get("duplicate"))})
    return "delivered"


def check_due_commitments(today=None, *, by=None) -> int:
    """Commitments not fulfilled by their due date get a 责令整改通知 (zhunru.credit.procedure); notices past
    their deadline open the 陈述申辩 period. Nothing is revoked or shared here: only a signed decision does."""
    from zhunru.credit.procedure import run

    opened, _ = run(today)
    return opened
