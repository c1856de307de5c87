"""The periodic-job scheduler: each job runs once per time slot, however many schedulers run.

A job's slot is ``floor((now - offset) / every)``; a scheduler enqueues a job only after
claiming that slot, in Redis (``SET NX``) when REDIS_URL is set, else in-process.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

_EPOCH = datetime(2000, 1, 3, tzinfo=timezone.get_fixed_timezone(8 * 60))  # a Monday, 00:00 Beijing time


@dataclass(frozen=True)
class Job:
    name: str
    actor: object
    every: timedelta
    offset: timedelta = timedelta(0)

    def slot(self, now: datetime) -> int:
        return int((now - _EPOCH - self.offset) // self.every)


JOBS: dict[str, Job] = {}


def periodic(*, every_seconds: int, offset_seconds: int = 0):
    """Register an actor to be enqueued every ``every_seconds`` (shifted by ``offset_seconds``)."""

    def decorator(actor):
        JOBS[actor.actor_name] = Job(
            actor.actor_name, actor, timedelta(seconds=every_seconds), timedelta(seconds=offset_seconds)
        )
        return actor

    return decorator


class LocalSlotLock:
    """In-process claims, for `make run` where one process runs everything."""

    _claimed: set[tuple[str, int]] = set()
    _lock = threading.Lock()

    def claim(self, job: str, slot: int, ttl: int) -> bool:
        with self._lock:
            if (job, slot) in self._claimed:
                return False
            self._claimed.add((job, slot))
            return True


class RedisSlotLock:
    """Claims in Redis, so two scheduler processes never enqueue the same slot twice."""

    def __init__(self, url: str, prefix: str = "zhunru:scheduler"):
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def claim(self, job: str, slot: int, ttl: int) -> bool:
        return bool(self.client.set(f"{self.prefix}:{job}:{slot}", "1", nx=True, ex=max(ttl, 60)))


def default_lock():
    return RedisSlotLock(settings.REDIS_URL) if settings.REDIS_URL else LocalSlotLock()


def tick(now: datetime | None = None, lock=None) -> list[str]:
    """Enqueue every job whose current slot nobody has claimed yet; return their names."""
    import zhunru.workers.tasks  # noqa: F401  (registers the jobs)

    now = now or timezone.now()
    lock = lock or default_lock()
    sent = []
    for job in JOBS.values():
        if lock.claim(job.name, job.slot(now), ttl=int(job.every.total_seconds()) * 2):
            try:
                job.actor.send()
            except Exception:  # broker down: the next slot tries again; domain jobs are idempotent scans
                log.exception("调度任务 %s 入队失败", job.name)
                continue
            sent.append(job.name)
    return sent


def run(stop: threading.Event, interval: float = 5.0) -> None:
    """Tick until ``stop`` is set."""
    lock = default_lock()
    log.info("调度器已启动，共 %d 个周期任务", len(JOBS))
    while not stop.is_set():
        try:
            for name in tick(lock=lock):
                log.info("已调度 %s", name)
        except Exception:
            log.exception("调度器本轮执行失败")
        stop.wait(interval)
