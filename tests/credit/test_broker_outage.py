"""The outbox survives the broker being down: a private Redis is stopped, a record committed, Redis
restarted, the sweep re-sends, a worker delivers. (The machine's shared Redis is never touched.)"""

import shutil
import socket
import subprocess
import time

import pytest
from django.db import transaction

from tests.credit.conftest import decision_fields
from zhunru.credit import outbox
from zhunru.credit.models import OutboundRecord

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server 未安装")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def stop_redis(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def private_redis():
    port = free_port()
    state = {"proc": start_redis(port), "port": port}
    yield state
    if state["proc"].poll() is None:
        stop_redis(state["proc"])


@pytest.mark.django_db(transaction=True)
def test_a_record_made_while_redis_is_down_is_delivered_after_it_returns(
    private_redis, platforms, make_subject, jurisdiction, simulator
):
    from dramatiq import Worker
    from dramatiq.brokers.redis import RedisBroker

    from zhunru.workers.tasks.credit import deliver_outbound_batch

    port = private_redis["port"]
    broker = RedisBroker(url=f"redis://127.0.0.1:{port}/0", namespace="credit-outage-test")
    original = deliver_outbound_batch.broker
    deliver_outbound_batch.broker = broker
    broker.declare_actor(deliver_outbound_batch)
    try:
        stop_redis(private_redis["proc"])
        subject = make_subject()
        with transaction.atomic():
            rows = outbox.enqueue_decision("licensing", jurisdiction=jurisdiction, **decision_fields(subject))
        # Committed although the message could not be sent.
        assert OutboundRecord.objects.filter(pk__in=[r.pk for r in rows], status="pending",
                                             enqueued_at__isnull=True).count() == 2
        private_redis["proc"] = start_redis(port)
        assert outbox.sweep() == 2
        worker = Worker(broker, worker_threads=1, worker_timeout=100)
        worker.start()
        try:
            broker.join("credit", timeout=30_000)
            worker.join()
        finally:
            worker.stop()
        for row in rows:
            row.refresh_from_db()
            assert row.status == "delivered" and row.ack_id
            assert str(row.record_id) in simulator.received(row.platform.code)
    finally:
        deliver_outbound_batch.broker = original
        broker.close()
