"""Search indexing actors: apply one outbox task, sweep stuck ones, reconcile nightly."""

import dramatiq

from zhunru.workers.scheduler import periodic


@dramatiq.actor(queue_name="search", max_retries=8, min_backoff=10_000, max_backoff=3_600_000,
                time_limit=60_000, max_age=7 * 24 * 3600 * 1000)
def apply_index_task(task_id: int) -> None:
    """Bring one document's index copy up to date (idempotent; retried with backoff while search is down)."""
    from zhunru.search.indexing import apply

    apply(task_id)


@periodic(every_seconds=60, offset_seconds=17)
@dramatiq.actor(queue_name="search", max_retries=0, time_limit=60_000, max_age=10 * 60_000)
def sweep_index_tasks() -> None:
    """Re-enqueue outbox tasks that are due again (search or broker outages, exhausted retries)."""
    from zhunru.search.indexing import sweep

    sweep()


@periodic(every_seconds=24 * 3600, offset_seconds=3 * 3600 + 600)
@dramatiq.actor(queue_name="search", max_retries=3, time_limit=60 * 60_000, max_age=12 * 3600_000)
def reconcile_search_index() -> None:
    """Nightly (03:10 Beijing time): repair index copies that are missing or stale, drop orphans."""
    from zhunru.search.indexing import reconcile

    reconcile()
