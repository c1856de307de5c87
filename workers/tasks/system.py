"""Actors that show the worker machinery is alive."""

import os
import socket

import dramatiq
from django.utils import timezone

from zhunru.workers.scheduler import periodic


@periodic(every_seconds=60)
@dramatiq.actor(queue_name="system", max_retries=3, time_limit=30_000, max_age=10 * 60_000)
def heartbeat(token: str = "scheduler") -> None:
    """Record that a worker consumed a message."""
    from zhunru.workers.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        token=token,
        defaults={"seen_at": timezone.now(), "hostname": socket.gethostname(), "pid": os.getpid()},
    )
