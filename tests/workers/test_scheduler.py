import uuid
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from dramatiq.brokers.stub import StubBroker

from zhunru.workers import scheduler


@pytest.fixture
def fresh_lock():
    """The lock a real deployment uses: Redis when configured, else in-process (isolated per test)."""
    if settings.REDIS_URL:
        return lambda: scheduler.RedisSlotLock(settings.REDIS_URL, prefix=f"zhunru:test:{uuid.uuid4().hex}")
    scheduler.LocalSlotLock._claimed = set()
    return scheduler.LocalSlotLock


def test_two_schedulers_enqueue_each_slot_once(broker, fresh_lock):
    now = datetime(2026, 9, 24, 10, 0, 30, tzinfo=timezone.get_fixed_timezone(480))
    lock = fresh_lock()
    first = scheduler.tick(now, lock=lock)
    # A second scheduler process with its own client, same moment: nothing more.
    second_lock = fresh_lock() if not settings.REDIS_URL else scheduler.RedisSlotLock(settings.REDIS_URL, prefix=lock.prefix)
    second = scheduler.tick(now, lock=second_lock)
    assert "heartbeat" in first
    assert second == []
    assert _queued(broker, "system") == 1
    # The next minute is a new slot.
    assert "heartbeat" in scheduler.tick(now + timedelta(seconds=60), lock=lock)


def _queued(broker, queue: str) -> int:
    if isinstance(broker, StubBroker):
        return broker.queues[queue].qsize()
    return broker.client.llen(f"{broker.namespace}:{queue}")
