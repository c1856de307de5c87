"""Delivering one outbox record, and the commitment check."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhunru.clock import format_date
from zhunru.credit import conf
from zhunru.credit.models import CreditCommitment, DishonestyRecord, OutboundRecord
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
    """Commitments not fulfilled by their due date: breached, permit revoked, dishonesty record shared."""
    from zhunru.audit.recording import record
    from zhunru.credit.outbox import enqueue_dishonesty

    today = today or timezone.localdate()
    count = 0
    for pk in CreditCommitment.objects.filter(status=CreditCommitment.Status.ACTIVE, due_date__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            c = (CreditCommitment.objects.select_for_update(of=("self",)).select_related("subject", "department", "jurisdiction")
                 .filter(pk=pk, status=CreditCommitment.Status.ACTIVE).first())
            if c is None:
                continue
            now = timezone.now()
            c.status = CreditCommitment.Status.BREACHED
            c.breached_at = now
            c.save(update_fields=["status", "breached_at"])
            record("credit.commitment_breached", obj=c, department=c.department,
                   changes={"status": ["active", "breached"], "due_date": str(c.due_date)})
            c.permit_status = CreditCommitment.PermitStatus.REVOKED
            c.revoke_reason = f"未在承诺期限（{format_date(c.due_date)}）内履行承诺：{c.promise[:200]}"
            c.save(update_fields=["permit_status", "revoke_reason"])
            record("credit.permit_revoked", obj=c, department=c.department,
                   changes={"permit_status": ["valid", "revoked"]}, note=c.revoke_reason)
            authority = c.department.name if c.department_id else f"{c.jurisdiction.name}发展和改革委员会"
            rec = DishonestyRecord.objects.create(
                subject=c.subject, commitment=c, jurisdiction=c.jurisdiction,
                document_number=f"{c.jurisdiction.short_name}信承违〔{today.year}〕{c.pk}号",
                category="违反信用承诺",
                content=f"适用{c.get_kind_display()}办理“{c.permit_name}”，承诺“{c.promise[:300]}”，"
                        f"逾期（{format_date(c.due_date)}）未履行，许可已撤销。",
                decided_on=today, authority_name=authority,
            )
            record("credit.dishonesty_recorded", obj=rec, department=c.department,
                   changes={"commitment": c.pk, "document_number": rec.document_number})
            enqueue_dishonesty(rec, by=by)
        count += 1
    return count
