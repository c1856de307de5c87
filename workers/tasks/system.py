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


@periodic(every_seconds=24 * 3600, offset_seconds=1800)
@dramatiq.actor(queue_name="default", max_retries=0, time_limit=30 * 60_000, max_age=24 * 3600_000)
def erase_expired_complaint_contacts() -> None:
    """Personal information: erase complainants' contact details past the retention period (daily)."""
    from zhunru.portal.models import erase_expired_contacts

    erase_expired_contacts()
