"""The exchange outbox: records to share are written in the business change's own transaction.

Entry points for other apps (call them inside the transaction that makes the decision):

- ``enqueue_decision(kind, jurisdiction=..., subject_name=..., uscc=..., document_number=..., ...)``
  for administrative licensing and penalty decisions (双公示);
- ``enqueue_dishonesty(record)`` for a ``DishonestyRecord``.

Each writes one ``OutboundRecord`` per enabled platform of the jurisdiction (national ones included)
and sends the delivery message after commit; if the broker is down then, the sweep sends it later.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru.credit import layouts
from zhunru.credit.models import CreditPlatform, MarketSubject, OutboundRecord

log = logging.getLogger(__name__)

def build_payload(kind: str = "licensing", **fields) -> dict:
    """Validate and normalise a record of ``kind`` in its layout (zhunru.credit.layouts: the national 双公示
    layouts for licensing and penalty decisions); a Chinese ValidationError names what is missing."""
    return layouts.normalise(kind, **fields)


def _enqueue(kind: str, *, jurisdiction, payload: dict, subject=None, obj=None, by=None) -> list[OutboundRecord]:
    from zhunru.audit.recording import record

    layouts.validate_payload(kind, payload)  # nothing is queued that the platforms would have to refuse
    if subject is None and payload.get("uscc"):
        subject = MarketSubject.objects.filter(uscc=payload["uscc"]).first()
    rows = []
    with transaction.atomic():
        for platform in CreditPlatform.for_jurisdiction(jurisdiction):
            row = OutboundRecord.objects.create(
                platform=platform, kind=kind, jurisdiction=jurisdiction, subject=subject, payload=payload,
                source_type=obj._meta.label_lower if obj is not None else "",
                source_id=str(obj.pk) if obj is not None else "",
            )
            record("credit.outbound_queued", obj=row, actor=by,
                   changes={"platform": platform.code, "kind": kind, "record_id": str(row.record_id)})
            rows.append(row)
        ids = [r.pk for r in rows]
        if ids:
            transaction.on_commit(lambda: send_now(ids), robust=True)
    return rows


def enqueue_decision(kind: str, *, jurisdiction, obj=None, by=None, subject=None, **fields) -> list[OutboundRecord]:
    """Queue a licensing (``"licensing"``) or penalty (``"penalty"``) decision for every platform; ``fields``
    are the keys of its national layout (EXCHANGE.md). The 双公示 register (zhunru.credit.disclosure) is
    the usual caller."""
    if kind not in (OutboundRecord.Kind.LICENSING, OutboundRecord.Kind.PENALTY):
        raise ValidationError(_("未知的决定类型“{kind}”。").format(kind=kind))
    return _enqueue(kind, jurisdiction=jurisdiction, payload=layouts.normalise(kind, **fields), subject=subject,
                    obj=obj, by=by)


def enqueue_dishonesty(rec, *, by=None) -> list[OutboundRecord]:
    s = rec.subject
    payload = layouts.normalise(
        layouts.DISHONESTY, subject_name=s.name, uscc=s.uscc, legal_representative=s.legal_representative,
        document_number=rec.document_number, category=rec.category, content=rec.content,
        decided_on=rec.decided_on, authority_name=rec.authority_name, authority_uscc=rec.authority_uscc,
        source_unit=rec.authority_name, source_unit_uscc=rec.authority_uscc,
    )
    return _enqueue(OutboundRecord.Kind.DISHONESTY, jurisdiction=rec.jurisdiction, payload=payload, subject=s,
                    obj=rec, by=by)


def send_now(ids) -> int:
    """Send one delivery message per batch of a platform's records (ZHUNRU_CREDIT_BATCH_SIZE); a broker error is
    logged and its records left for the sweep. Returns the number of records whose message was sent."""
    from zhunru.credit import conf
    from zhunru.workers.tasks.credit import deliver_outbound_batch

    options = {"min_backoff": conf.get("RETRY_MIN_BACKOFF_MS"), "max_backoff": conf.get("RETRY_MAX_BACKOFF_MS")}
    size = max(1, min(int(conf.get("BATCH_SIZE")), 500))
    ids = list(ids)
    by_platform: dict[int, list[int]] = {}
    for i in range(0, len(ids), 1000):
        for pk, platform_id in OutboundRecord.objects.filter(pk__in=ids[i:i + 1000]).values_list("pk", "platform_id"):
            by_platform.setdefault(platform_id, []).append(pk)
    sent = []
    for pks in by_platform.values():
        pks.sort()
        for j in range(0, len(pks), size):
            batch = pks[j:j + size]
            try:
                deliver_outbound_batch.send_with_options(args=(batch,), **options)
            except Exception:  # broker unreachable: the rows are committed, the sweep re-sends them
                log.warning("报送记录 %s 等 %s 条入队失败，等待补发扫描", batch[0], len(batch), exc_info=True)
                continue
            sent.extend(batch)
    now = timezone.now()
    for i in range(0, len(sent), 500):
        OutboundRecord.objects.filter(pk__in=sent[i:i + 500]).update(enqueued_at=now)
    return len(sent)


def resend(row: OutboundRecord, *, by=None, request=None, force: bool = False) -> None:
    """A coordinator resends a rejected (possibly corrected) or stuck record; ``force`` also a delivered
    one the platform turned out not to have (reconciliation). The record id stays: the platform dedupes."""
    from zhunru.audit.recording import record

    if row.status == OutboundRecord.Status.DELIVERED and not force:
        raise ValidationError(_("该记录已送达，无需重新发送。"))
    layouts.validate_payload(row.kind, row.payload or {})  # a corrected payload is checked like a new one
    with transaction.atomic():
        row.status = OutboundRecord.Status.PENDING
        row.rejection_reason = ""
        row.next_attempt_at = None
        row.ack_id = ""
        row.save(update_fields=["status", "rejection_reason", "next_attempt_at", "ack_id"])
        record("credit.outbound_resent", obj=row, actor=by, request=request)
        transaction.on_commit(lambda: send_now([row.pk]), robust=True)


def sweep(now=None) -> int:
    """Re-send pending/retrying records whose message is older than the grace period or was never sent."""
    from datetime import timedelta

    from django.db.models import Q

    from zhunru.credit import conf

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.get("SWEEP_GRACE_SECONDS"))
    due = OutboundRecord.objects.filter(
        status__in=[OutboundRecord.Status.PENDING, OutboundRecord.Status.RETRYING]
    ).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff))
    due = due.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return send_now(list(due.order_by("pk").values_list("pk", flat=True)[:5000]))


# The batch files (XLSX, CSV) are written by zhunru.credit.batch_files in the same layouts.
