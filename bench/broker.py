"""Broker throughput: how many messages one process enqueues and one worker process consumes per second.

Uses Redis when REDIS_URL is set (a private namespace, flushed afterwards), else Dramatiq's stub broker.
The actor does nothing, so the figures are the ceiling of the queue machinery itself; real actors spend
their time in PostgreSQL, Elasticsearch or a credit platform (see the other benchmarks).

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/queue.py
"""

import os
import threading
import time

import dramatiq
from dramatiq.brokers.stub import StubBroker

QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
MESSAGES = 2_000 if QUICK else 10_000


def _broker():
    url = os.environ.get("REDIS_URL", "")
    if url:
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url, namespace=f"zhunru-bench-{os.getpid()}"), "Redis"
    broker = StubBroker()
    broker.emit_after("process_boot")
    return broker, "stub"


def _measure(threads: int) -> tuple[str, float, float]:
    broker, kind = _broker()
    done = threading.Semaphore(0)

    @dramatiq.actor(broker=broker, queue_name="bench", max_retries=0)
    def noop(i: int) -> None:
        done.release()

    try:
        broker.flush_all()
        started = time.perf_counter()
        for i in range(MESSAGES):
            noop.send(i)
        enqueue_rate = MESSAGES / (time.perf_counter() - started)
        worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
        started = time.perf_counter()
        worker.start()
        for _ in range(MESSAGES):
            if not done.acquire(timeout=120):
                raise RuntimeError("worker stalled")
        consume_rate = MESSAGES / (time.perf_counter() - started)
        worker.stop()
        return kind, enqueue_rate, consume_rate
    finally:
        broker.flush_all()
        broker.close()


def run() -> list[tuple[str, str, str]]:
    rows = []
    for threads in (1, 8):
        kind, enqueue_rate, consume_rate = _measure(threads)
        label = f"broker ({kind}, no-op actor, {MESSAGES} messages)"
        if threads == 1:
            rows.append((label, "enqueue messages/s (1 thread)", f"{enqueue_rate:.0f}"))
        rows.append((label, f"consume messages/s (1 process, {threads} threads)", f"{consume_rate:.0f}"))
    return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<48} {metric:<40} {value}")
