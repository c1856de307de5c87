"""Sealing: hashing committed, unsealed audit events into the chain.

Writers (``zhunru.audit.recording.record``) only insert; nothing is locked from an audited write until its
commit. The sealer locks the chain head row (``select_for_update``) for one batch, reads the committed
events still without a sequence in id order, gives them the next sequence numbers, links and hashes them,
and moves the head, all in one transaction.

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
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from zhunru.audit.models import AuditEvent, ChainHead

BATCH = 2000
# The LogEntry was already gone when its event was sealed: verification reports it as deleted.
MISSING = "missing"


class SealConflict(Exception):
    """An event was sealed by someone else during this batch (never expected under the head lock)."""


def logentry_hash(entry) -> str:
    """The hash of a django-auditlog LogEntry's content as stored (read back from the database)."""
    content = {}
    for field in type(entry)._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(entry, field.attname)
        content[field.attname] = value
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _logentries(ids) -> dict:
    if not ids:
        return {}
    from auditlog.models import LogEntry

    return {entry.pk: entry for entry in LogEntry.objects.filter(pk__in=ids)}


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
        pending = list(AuditEvent.objects.unsealed().order_by("id")[:limit])
        entries = _logentries({e.logentry_id for e in pending if e.logentry_id is not None})
        sequence, last_hash = head.last_sequence, head.last_hash
        for event in pending:
            sequence += 1
            event.sequence, event.prev_hash = sequence, last_hash
            if event.logentry_id is not None:
                entry = entries.get(event.logentry_id)
                event.logentry_hash = logentry_hash(entry) if entry is not None else MISSING
            event.hash = event.compute_hash()
            if AuditEvent.objects.filter(pk=event.pk)._seal(
                sequence=event.sequence, prev_hash=event.prev_hash, hash=event.hash, logentry_hash=event.logentry_hash
            ) != 1:
                raise SealConflict(f"审计事件 {event.pk} 已被其他进程封存。")
            last_hash = event.hash
        if pending:
            head.last_sequence, head.last_hash = sequence, last_hash
            head.save(update_fields=["last_sequence", "last_hash"])
    return len(pending)


def seal_pending(limit: int = BATCH) -> int:
    """Seal every event committed before this call (batch by batch); return how many."""
    total = 0
    while True:
        count = seal_batch(limit)
        total += count
        if count < limit:
            return total
