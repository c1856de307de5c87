"""Sealing: hashing committed, unsealed audit events into the chain.

Writers (``zhunru.audit.recording.record``) only insert; nothing is locked from an audited write until its
commit. The sealer locks the chain head row (``select_for_update``) for one batch, reads the committed
events still without a sequence in id order, gives them the next sequence numbers, links and hashes them,
writes them with one UPDATE per batch, and moves the head, all in one transaction.

The gap problem (ids committed out of order: id 7 commits after id 8 was sealed) does not arise, because
the chain order is the *seal* order, not the id order: a late commit is simply unsealed at the next run and
gets the next free sequence number then. The chain's sequence numbers stay contiguous and a gap or
reorder in them is tampering. The id is part of the hash, so swapping two events' ids is detected too.

Never sealed twice: a second sealer waits for the head's row lock, then (read committed: a fresh snapshot
per statement) sees the first one's events as sealed; each update is also conditioned on ``sequence IS
NULL`` and a miss aborts the batch. Never lost: a crash rolls the batch back and the next run seals it.

The limit: an event is tamper-evident once sealed (within seconds: the sealer runs every few seconds, and
``verify_audit_chain`` seals first); before that, someone with write access to the database could change it.
"""

import hashlib

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import DateTimeField, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from zhunru.audit.models import AuditEvent, ChainHead, row_values, utc_datetime, values_hash

BATCH = 2000
# The LogEntry was already gone when its event was sealed: verification reports it as deleted.
MISSING = "missing"


class SealConflict(Exception):
    """An event was sealed by someone else during this batch (never expected under the head lock)."""


def _logentry_fields() -> list[str]:
    from auditlog.models import LogEntry

    return [field.attname for field in LogEntry._meta.concrete_fields if not field.primary_key]


def _logentry_datetimes() -> set[str]:
    from auditlog.models import LogEntry

    return {f.attname for f in LogEntry._meta.concrete_fields if isinstance(f, DateTimeField) and not f.primary_key}


# One encoder for every LogEntry hash (json.dumps with these arguments builds a new one per call).
_LOGENTRY_JSON = DjangoJSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def logentry_content_hash(values: dict) -> str:
    """The hash of a django-auditlog LogEntry's stored content, from its field values (attribute names)."""
    text = _LOGENTRY_JSON.encode(values)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def logentry_hash(entry) -> str:
    """The hash of a django-auditlog LogEntry's content as stored (read back from the database)."""
    return logentry_content_hash({name: getattr(entry, name) for name in _logentry_fields()})


def logentry_hashes(ids) -> dict[int, str]:
    """The hash of each LogEntry among ``ids`` (a collection, or a ``values()`` queryset of them) that still
    exists, read in one query without building models."""
    if not isinstance(ids, QuerySet):
        if not ids:
            return {}
        ids = list(ids)
    from auditlog.models import LogEntry

    fields, datetimes = _logentry_fields(), _logentry_datetimes()
    # Times read as text and parsed in C (zhunru.audit.models.utc_datetime): the same values, faster.
    texts = {f"{name}__text": Cast(name, TextField()) for name in datetimes}
    columns = [f"{name}__text" if name in datetimes else name for name in fields]
    hashes = {}
    for pk, *row in LogEntry.objects.filter(pk__in=ids).annotate(**texts).values_list("pk", *columns):
        values = dict(zip(fields, row, strict=True))
        for name in datetimes:
            if values[name] is not None:
                values[name] = utc_datetime(values[name])
        hashes[pk] = logentry_content_hash(values)
    return hashes


def event_hash(values: dict) -> str:
    """An event's hash from its field values (one name for the sealer's step, so a test can make it fail)."""
    return values_hash(values)


def _write_seals(events: list[dict]) -> int:
    """Fill the chain fields of ``events`` (in id order) with one UPDATE, only where still unsealed; return the
    rows written."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(events))
    params = [e[name] for e in events for name in ("id", "sequence", "prev_hash", "hash", "logentry_hash")]
    with connection.cursor() as cursor:
        cursor.execute(
            # VALUES columns are column1… in PostgreSQL and SQLite alike; no WITH (SQLite reports no rowcount).
            f"UPDATE {table} SET sequence = CAST(sealed.column2 AS bigint), prev_hash = sealed.column3, "
            "hash = sealed.column4, logentry_hash = sealed.column5 "
            f"FROM (VALUES {rows}) AS sealed "
            f"WHERE {table}.id = CAST(sealed.column1 AS bigint) AND {table}.sequence IS NULL "
            # The batch's id range bounds the join whatever plan stale statistics suggest (a burst of unsealed
            # events looks like none until the next ANALYZE: a nested loop over all of them per batch).
            f"AND {table}.id BETWEEN %s AND %s",
            [*params, events[0]["id"], events[-1]["id"]],
        )
        return cursor.rowcount


def _head_locked() -> ChainHead | None:
    """The head, row-locked; created for an empty chain. A missing head with sealed events is tampering that
    verification reports: never recreated here (that would hide it)."""
    if not ChainHead.objects.filter(pk=1).exists() and not AuditEvent.objects.filter(sequence__isnull=False).exists():
        ChainHead.objects.get_or_create(pk=1)
    return ChainHead.objects.select_for_update().filter(pk=1).first()


def seal_batch(limit: int = BATCH) -> int:
    """Seal up to ``limit`` committed events; return how many."""
    with transaction.atomic():
        head = _head_locked()
        if head is None:
            return 0
        pending = list(AuditEvent.objects.unsealed().order_by("id").hashed_rows()[:limit])
        values = [row_values(row) for row in pending]
        entries = logentry_hashes({v["logentry_id"] for v in values if v["logentry_id"] is not None})
        sequence, last_hash = head.last_sequence, head.last_hash
        for event in values:
            sequence += 1
            event["sequence"], event["prev_hash"] = sequence, last_hash
            if event["logentry_id"] is not None:
                event["logentry_hash"] = entries.get(event["logentry_id"], MISSING)
            last_hash = event_hash(event)
            event["hash"] = last_hash
        if values and _write_seals(values) != len(values):
            raise SealConflict(_("部分审计事件已被其他进程封存。"))
        if values:
            head.last_sequence, head.last_hash = sequence, last_hash
            head.save(update_fields=["last_sequence", "last_hash"])
    return len(values)


def seal_pending(limit: int = BATCH) -> int:
    """Seal every event committed before this call (batch by batch); return how many."""
    total = 0
    while True:
        count = seal_batch(limit)
        total += count
        if count < limit:
            return total
