"""Delivering outbox records (one at a time, or a platform's records in batches), and the commitment check."""

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

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


OPEN = (OutboundRecord.Status.PENDING, OutboundRecord.Status.RETRYING)

_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


@contextmanager
def platform_slot(platform_id: int):
    """At most ZHUNRU_CREDIT_PLATFORM_CONCURRENCY requests in flight to one platform from this process."""
    with _slots_lock:
        slot = _slots.get(platform_id)
        if slot is None:
            slot = _slots[platform_id] = threading.BoundedSemaphore(max(1, int(conf.get("PLATFORM_CONCURRENCY"))))
    with slot:
        yield


def _backoff(attempts: int) -> timedelta:
    ms = min(conf.get("RETRY_MIN_BACKOFF_MS") * (2 ** min(attempts, 20)), conf.get("RETRY_MAX_BACKOFF_MS"))
    return timedelta(milliseconds=ms)


def deliver_batch(pks) -> Counter:
    """Deliver the still-open records among ``pks`` (one platform's, or grouped per platform): one request per
    platform and one commit per batch; idempotent.

    Nothing is marked before the platform answered, so a crash mid-batch leaves the records open and the next
    attempt resends them (the platform answers a known record id with its ack, ``duplicate: true``). The commit
    re-reads the records under a row lock and skips any another worker finished meanwhile, so no record gets
    two outcomes or two audit events. Each record ends delivered, rejected (with its own reason) or retrying;
    CreditPlatformUnavailable is raised after the commit when any is left to retry, so Dramatiq retries."""
    rows = list(OutboundRecord.objects.select_related("platform").filter(pk__in=list(pks), status__in=OPEN)
                .order_by("pk"))
    counts: Counter = Counter()
    unavailable = None
    by_platform: dict[int, list[OutboundRecord]] = {}
    for row in rows:
        by_platform.setdefault(row.platform_id, []).append(row)
    for group in by_platform.values():
        platform = group[0].platform
        try:
            with platform_slot(platform.pk):
                results = for_platform(platform).deliver_many([r.document() for r in group])
        except CreditPlatformRejected as exc:  # the whole request refused (e.g. a bad signature)
            results = [{"record_id": str(r.record_id), "status": exc.status, "reason": exc.reason} for r in group]
        except CreditPlatformUnavailable as exc:
            results = [{"record_id": str(r.record_id), "unavailable": str(exc)} for r in group]
        counts += _commit(group, results)
        unavailable = unavailable or next((r["unavailable"] for r in results if "unavailable" in r), None)
    if unavailable:
        raise CreditPlatformUnavailable(unavailable)
    return counts


def _commit(group: list[OutboundRecord], results: list[dict]) -> Counter:
    """Write the platform's answers for one batch in one transaction, with one audit event per record."""
    from zhunru.audit.models import AuditEvent
    from zhunru.audit.recording import record

    answers = {r["record_id"]: r for r in results}
    now = timezone.now()
    counts: Counter = Counter()
    with transaction.atomic():
        # Only the outbox rows are locked (not their platform: concurrent batches of one platform commit side
        # by side).
        still_open = list(OutboundRecord.objects.select_for_update(of=("self",))
                          .filter(pk__in=[r.pk for r in group], status__in=OPEN).order_by("pk"))
        events = []
        for row in still_open:
            row.platform = group[0].platform
            answer = answers.get(str(row.record_id)) or {"unavailable": gettext("平台未答复该记录")}
            row.attempts += 1
            if "unavailable" in answer:
                row.status = OutboundRecord.Status.RETRYING
                row.last_error = answer["unavailable"][:2000]
                row.next_attempt_at = now + _backoff(row.attempts - 1)
                row.enqueued_at = now
                counts["retrying"] += 1
                continue
            if "status" in answer:
                row.status = OutboundRecord.Status.REJECTED
                row.rejection_reason = str(answer.get("reason") or f"HTTP {answer['status']}")
                row.last_error = f"HTTP {answer['status']}"
                row.next_attempt_at = None
                events.append(record("credit.outbound_rejected", obj=row, note=row.rejection_reason,
                                     changes={"status": answer["status"]}, jurisdiction_id=row.jurisdiction_id,
                                     save=False))
                counts["rejected"] += 1
                continue
            row.status = OutboundRecord.Status.DELIVERED
            row.ack_id = str(answer["ack_id"])
            row.delivered_at = now
            row.next_attempt_at = None
            row.last_error = ""
            events.append(record("credit.outbound_delivered", obj=row, jurisdiction_id=row.jurisdiction_id,
                                 changes={"ack_id": row.ack_id, "duplicate": bool(answer.get("duplicate"))},
                                 save=False))
            counts["delivered"] += 1
        delivered = [r for r in still_open if r.status == OutboundRecord.Status.DELIVERED]
        others = [r for r in still_open if r.status != OutboundRecord.Status.DELIVERED]
        if delivered:
            _mark_delivered(delivered, now)
        if others:
            OutboundRecord.objects.bulk_update(
                others, ["status", "attempts", "next_attempt_at", "last_error", "rejection_reason", "enqueued_at"],
                batch_size=500)
        AuditEvent.objects.bulk_create(events, batch_size=500)
    counts["skipped"] += len(group) - len(still_open)
    return counts


def _mark_delivered(rows: list[OutboundRecord], now) -> None:
    """One statement for a batch's delivered rows, each with its own ack id (Django's bulk_update builds a CASE
    per row and costs more than the whole HTTP exchange at 100 rows)."""
    table = connection.ops.quote_name(OutboundRecord._meta.db_table)
    pk = connection.ops.quote_name(OutboundRecord._meta.pk.column)
    at = connection.ops.adapt_datetimefield_value(now)
    status = OutboundRecord.Status.DELIVERED.value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s, %s)"] * len(rows))
            cursor.execute(
                f"UPDATE {table} AS o SET status = %s, ack_id = v.ack, delivered_at = %s, attempts = o.attempts + 1, "
                f"next_attempt_at = NULL, last_error = '' FROM (VALUES {values}) AS v(id, ack) WHERE o.{pk} = v.id",
                [status, at, *(p for r in rows for p in (r.pk, r.ack_id))])
        else:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, ack_id = %s, delivered_at = %s, attempts = attempts + 1, "
                f"next_attempt_at = NULL, last_error = '' WHERE {pk} = %s",
                [(status, r.ack_id, at, r.pk) for r in rows])


def deliver_pending(platform=None, *, batch_size: int | None = None, concurrency: int | None = None) -> Counter:
    """Deliver every open record due now (of one platform, or all), in batches sent ``concurrency`` at a time
    per platform (default ZHUNRU_CREDIT_BATCH_SIZE, _PLATFORM_CONCURRENCY): while one batch commits, the next
    ones are on the wire. For a backlog drained in-process (the benchmark, a management command); the worker
    path is send_now → the deliver_outbound_batch actor."""
    from django.db import connections
    from django.db.models import Q

    batch_size = batch_size or int(conf.get("BATCH_SIZE"))
    concurrency = concurrency or int(conf.get("PLATFORM_CONCURRENCY"))
    due = OutboundRecord.objects.filter(status__in=OPEN).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
    if platform is not None:
        due = due.filter(platform=platform)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    batches = [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]

    def one(batch, threaded=True):
        try:
            return deliver_batch(batch)
        except CreditPlatformUnavailable:
            return Counter()  # marked retrying on the rows; the sweep resends them after the backoff
        finally:
            if threaded:
                connections.close_all()  # this thread's own connections

    total: Counter = Counter()
    if concurrency == 1 or len(batches) <= 1:
        for batch in batches:
            total += one(batch, threaded=False)
        return total
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="credit-delivery") as pool:
        for counts in pool.map(one, batches):
            total += counts
    return total


def check_due_commitments(today=None, *, by=None) -> int:
    """Commitments not fulfilled by their due date get a 责令整改通知 (zhunru.credit.procedure); notices past
    their deadline open the 陈述申辩 period. Nothing is revoked or shared here: only a signed decision does."""
    from zhunru.credit.procedure import run

    opened, _ = run(today)
    return opened
