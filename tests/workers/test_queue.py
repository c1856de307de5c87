import time
import uuid

import dramatiq
import pytest
from django.conf import settings

from zhunru.workers.models import WorkerHeartbeat
from zhunru.workers.tasks.system import heartbeat


@pytest.mark.django_db(transaction=True)
def test_a_message_goes_through_the_configured_broker_to_a_worker(broker, worker):
    """With REDIS_URL set this crosses real Redis; otherwise the stub broker."""
    expected = "RedisBroker" if settings.REDIS_URL else "StubBroker"
    assert type(broker).__name__ == expected
    token = uuid.uuid4().hex
    heartbeat.send(token)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(token=token).exists():
        time.sleep(0.1)
    assert WorkerHeartbeat.objects.filter(token=token).exists()


def test_actor_limits_are_explicit():
    assert heartbeat.options["max_retries"] == 3
    assert heartbeat.options["time_limit"] == 30_000
    assert heartbeat.options["max_age"] == 600_000
    middleware = {type(m).__name__: m for m in dramatiq.get_broker().middleware}
    assert middleware["Retries"].max_retries == settings.ZHUNRU_ACTOR_MAX_RETRIES
    assert middleware["TimeLimit"].time_limit == settings.ZHUNRU_ACTOR_TIME_LIMIT_MS
    assert middleware["AgeLimit"].max_age == settings.ZHUNRU_ACTOR_MAX_AGE_MS
