"""Keeping the index in step with the database: the outbox, applying tasks, sweeps, reconciliation, rebuilds.

Content changes write an :class:`~zhunru.search.models.IndexTask` in the editor's transaction; a worker
applies it after commit. Applying always re-reads the object, so tasks are idempotent and can be
coalesced: a search outage only delays them (they stay pending, with backoff), never loses them.
"""

import hashlib
import logging
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import transaction
from django.utils import timezone

from zhunru.search import documents
from zhunru.search.backends import SearchUnavailable, get_backend
from zhunru.search.models import IndexTask

log = logging.getLogger(__name__)


def record(source_key: str, pk, action: str = IndexTask.Action.INDEX) -> IndexTask | None:
    """Write an outbox row in the current transaction and enqueue its application after commit.

    Never raises: a failure here is logged and left to the nightly reconciliation, because an
    editor's save must not fail for the sake of the search index.
    """
    try:
        with transaction.atomic():
            task = IndexTask.objects.create(source=source_key, object_pk=str(pk), action=action)
    except Exception:
        log.exception("无法登记检索索引任务 %s:%s", source_key, pk)
        return None
    transaction.on_commit(lambda: enqueue(task.pk))
    return task


def enqueue(task_id: int) -> None:
    """Send the task to a worker; a broker outage leaves it for the periodic sweep."""
    from zhunru.workers.tasks.indexing import apply_index_task

    try:
        apply_index_task.send(task_id)
    except Exception:
        log.warning("检索索引任务 %s 入队失败，将由定时巡检重试", task_id, exc_info=True)


def apply(task_id: int) -> bool:
    """Bring one document's index copy up to date; marks the task (and older ones for the same object) done.

    Raises :class:`SearchUnavailable` (after recording the attempt) when the backend is down.
    """
    task = IndexTask.objects.filter(pk=task_id).first()
    if task is None or task.done_at is not None:
        return False
    started = timezone.now()
    try:
        doc = documents.public_document(task.source, task.object_pk) if task.action == IndexTask.Action.INDEX else None
        backend = get_backend()
        if doc is None:
            backend.delete_document(task.doc_id)
        else:
            backend.index_document(doc)
    except Exception as exc:
        task.attempts += 1
        task.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        task.next_attempt_at = timezone.now() + task.backoff()
        task.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        if isinstance(exc, SearchUnavailable):
            raise
        raise SearchUnavailable(task.last_error) from exc
    IndexTask.objects.pending().filter(
        source=task.source, object_pk=task.object_pk, created_at__lte=started
    ).update(done_at=timezone.now(), last_error="")
    IndexTask.objects.filter(pk=task.pk).update(done_at=timezone.now(), last_error="")
    return True


def sweep(limit: int = 500, keep_days: int = 7) -> int:
    """Re-enqueue pending tasks that are due (lost messages, retries exhausted, broker outages); prune old done ones."""
    IndexTask.objects.filter(done_at__lt=timezone.now() - timezone.timedelta(days=keep_days)).delete()
    ids = list(IndexTask.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for task_id in ids:
        enqueue(task_id)
    return len(ids)


def apply_due(limit: int = 500) -> tuple[int, int]:
    """Apply due tasks in this process (management command, tests); returns (applied, failed)."""
    applied = failed = 0
    for task_id in IndexTask.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit]:
        try:
            applied += apply(task_id)
        except SearchUnavailable:
            failed += 1
    return applied, failed


def reconcile(backend=None, docs: Iterable[dict] | None = None, chunk: int = 1000) -> dict:
    """Compare every public document with its index copy; index the missing or stale, delete the orphans.

    Streams in bounded memory (issue 21 item 5): the database's documents a chunk at a time, each chunk
    checked against the checksums of just those ids in the index and repaired at once; then the index's
    ids a chunk at a time, an id being an orphan when its 8-byte hash is not among the documents seen
    (a sorted array: 8 bytes per document, not the documents and checksums themselves).
    """
    backend = backend or get_backend()
    docs = documents.iter_documents() if docs is None else docs
    seen = array("Q")
    stats = {"documents": 0, "missing": 0, "stale": 0, "orphans": 0}
    for batch in chunked(docs, chunk):
        indexed = backend.checksums_of([doc["id"] for doc in batch])
        repair = [doc for doc in batch if indexed.get(doc["id"]) != doc["checksum"]]
        if repair:
            backend.bulk_index(repair)
        missing = sum(1 for doc in repair if doc["id"] not in indexed)
        stats["documents"] += len(batch)
        stats["missing"] += missing
        stats["stale"] += len(repair) - missing
        seen.extend(id_hash(doc["id"]) for doc in batch)
    seen = array("Q", sorted(seen))
    for ids in backend.iter_ids(chunk):  # every backend walks a snapshot: deleting as it goes is safe
        orphans = [doc_id for doc_id in ids if not contains(seen, id_hash(doc_id))]
        if orphans:
            backend.delete_documents(orphans)
            stats["orphans"] += len(orphans)
    log.info("检索索引核对完成：%s", stats)
    return stats


def chunked(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def id_hash(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")


def contains(sorted_hashes: array, value: int) -> bool:
    i = bisect_left(sorted_hashes, value)
    return i < len(sorted_hashes) and sorted_hashes[i] == value


def rebuild(progress: Callable[[int, int], None] | None = None, before_swap: Callable[[], None] | None = None) -> int:
    """Build a new index from the database and swap it in; re-apply changes made while it was built."""
    started = timezone.now()
    n = get_backend().rebuild(documents.iter_documents(), total=documents.count_documents(),
                              progress=progress, before_swap=before_swap)
    # Writes applied during the build went to the old index: apply them again to the new one.
    IndexTask.objects.filter(created_at__gte=started).update(done_at=None, next_attempt_at=timezone.now())
    apply_due()
    return n


def backlog() -> dict:
    """Numbers for the admin backlog view and the status command."""
    pending = IndexTask.objects.pending()
    oldest = pending.order_by("created_at").first()
    return {
        "pending": pending.count(),
        "failing": pending.filter(attempts__gt=0).count(),
        "oldest": oldest.created_at if oldest else None,
        "done_last_day": IndexTask.objects.filter(done_at__gte=timezone.now() - timezone.timedelta(days=1)).count(),
    }
