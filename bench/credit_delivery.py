"""Delivery throughput of the credit exchange to the platform simulator over HTTP, beside its peer.

Builds a private database (PostgreSQL when DATABASE_URL names a server, else SQLite), starts the simulator on
a free local port and measures in the same run, each over records of its own:

- the peer: the bare per-record exchange (signed POST + ack, no database), one thread, kept-alive connection;
- batched and pipelined delivery, ``zhunru.credit.delivery.deliver_pending``: batches of
  ZHUNRU_CREDIT_BATCH_SIZE records, one ``POST records/batch`` and one commit each (outbox rows and one audit
  event per record), ZHUNRU_CREDIT_PLATFORM_CONCURRENCY batches in flight (goal: ≥ 500 records/s);
- the per-record path, ``deliver()`` in a loop (one request, one commit, one audit event per record), on
  fewer records (it is the slow path batching replaces);
- the Dramatiq path end to end: ``send_now`` (one message per batch), a worker with 4 threads. With
  REDIS_URL set the broker is Redis in a namespace of this run's own (``zhunru-bench-credit-<pid>``, its keys
  deleted afterwards), else the stub broker; the shared namespace is never read or consumed, and the cache
  is the process's own memory.

    .venv/bin/python bench/credit_delivery.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/credit_delivery.py
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import ROOT, manage, private_database, production_env  # noqa: E402

QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
N = 2_000 if QUICK else 10_000
N_LOOP = 300 if QUICK else 1_000  # deliver() one by one
GOAL = 500


def _make_rows(platform, n, subject_payload):
    from zhunru.credit.models import OutboundRecord

    rows = [OutboundRecord(platform=platform, kind="licensing", payload={**subject_payload,
                           "document_number": f"昌市监许〔2026〕{i}号"}) for i in range(n)]
    OutboundRecord.objects.bulk_create(rows, batch_size=1000)
    return list(OutboundRecord.objects.filter(platform=platform).order_by("pk").values_list("pk", flat=True))


def _private_broker(redis_url: str):
    """A Redis broker in a namespace of this process only (or the stub broker), bound to the credit actors."""
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.brokers.stub import StubBroker

    from zhunru.workers.tasks import credit

    if redis_url:
        broker = RedisBroker(url=redis_url, namespace=f"zhunru-bench-credit-{os.getpid()}")
        kind = "Redis, own namespace"
    else:
        broker = StubBroker()
        kind = "stub broker"
    dramatiq.set_broker(broker)
    for actor in (credit.deliver_outbound, credit.deliver_outbound_batch):
        actor.broker = broker
        broker.declare_actor(actor)
    return broker, kind


def _drop_namespace(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"zhunru-bench-credit-{os.getpid()}*", count=1000))
    if keys:
        client.delete(*keys)


def run() -> list[tuple[str, str, str]]:
    redis_url = os.environ.get("REDIS_URL", "")
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-credit-") as tmp:
        tmp = Path(tmp)
        with private_database(tmp, f"zhunru_bench_credit_{os.getpid()}") as database_url:
            env = production_env(tmp, database_url)  # no REDIS_URL: the settings' broker and cache are local
            manage(env, "migrate", "--noinput", "-v0")
            for name in ("REDIS_URL", "ELASTICSEARCH_URL"):
                os.environ.pop(name, None)
            os.environ.update(env)
            os.chdir(ROOT)
            if str(ROOT) not in sys.path:  # run directly (bench/run_all puts it there)
                sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            from django.db import connection
            from dramatiq import Worker

            from zhunru.credit import conf
            from zhunru.credit.delivery import deliver, deliver_pending
            from zhunru.credit.layouts import normalise
            from zhunru.credit.models import CreditPlatform, OutboundRecord
            from zhunru.credit.outbox import send_now
            from zhunru.credit.simulator import Simulator
            from zhunru.validators import uscc_check_character
            from zhunru.workers.clients.credit_platform import for_platform

            sim = Simulator(port=0, key=b"zhunru-demo-key").start()
            db = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
            label = f"credit delivery ({db}, {N:,} records)"
            size, concurrency = int(conf.get("BATCH_SIZE")), int(conf.get("PLATFORM_CONCURRENCY"))
            rows = []
            try:
                body = "91360202MA35X1C0Q"
                authority = "11360202MB1234567"  # the authority's code, check character added below
                payload = normalise("licensing", subject_name="景德镇市昌江区瓷都陶瓷文化有限公司",
                                    subject_category="法人及非法人组织", uscc=body + uscc_check_character(body),
                                    legal_representative="张三", document_name="准予行政许可决定书",
                                    document_number="x", licence_category="普通", licence_content="食品经营许可",
                                    decided_on="2026-11-20", valid_from="2026-11-20", valid_until="2031-11-19",
                                    current_status="有效", authority_name="昌江区市场监督管理局",
                                    authority_uscc=authority + uscc_check_character(authority),
                                    source_unit="昌江区市场监督管理局",
                                    source_unit_uscc=authority + uscc_check_character(authority))

                def platform(code):
                    return CreditPlatform.objects.create(name=code, code=code, endpoint_url=sim.url + code + "/",
                                                         hmac_key_ref="demo")

                # 1. the peer: bare per-record signed HTTP
                client = for_platform(platform("http"))
                docs = [{"record_id": f"00000000-0000-4000-8000-{i:012d}", "kind": "licensing", **payload}
                        for i in range(N)]
                t0 = time.perf_counter()
                for d in docs:
                    client.deliver(d)
                bare = N / (time.perf_counter() - t0)

                # 2. batched and pipelined
                p = platform("batch")
                _make_rows(p, N, payload)
                t0 = time.perf_counter()
                deliver_pending(p)
                batched = N / (time.perf_counter() - t0)
                ok = OutboundRecord.objects.filter(platform=p, status="delivered").count()
                rows.append((label, "bare signed HTTP POST + ack per record, 1 thread (records/s, the peer)",
                             f"{bare:,.0f}"))
                rows.append((label, f"batched delivery: batches of {size}, {concurrency} in flight, one commit "
                                    f"per batch, audit event per record (records/s, goal ≥ {GOAL})",
                             f"{batched:,.0f} ({batched / bare:.0%} of bare HTTP{'' if batched >= GOAL else ', below the goal'})"))
                rows.append((label, "  delivered / received by the simulator / batch requests",
                             f"{ok:,} / {len(sim.received('batch')):,} / {sim.state.batches:,}"))

                # 3. deliver() one record at a time
                p = platform("loop")
                ids = _make_rows(p, N_LOOP, payload)
                t0 = time.perf_counter()
                for pk in ids:
                    deliver(pk)
                loop = N_LOOP / (time.perf_counter() - t0)
                rows.append((label, f"deliver() per record (request + commit + audit event each), 1 thread, "
                                    f"{N_LOOP:,} records (records/s)", f"{loop:,.0f}"))

                # 4. the actor through the broker
                broker, kind = _private_broker(redis_url)
                p = platform("actor")
                ids = _make_rows(p, N, payload)
                broker.emit_after("process_boot")
                worker = Worker(broker, worker_threads=4, worker_timeout=100)
                t0 = time.perf_counter()
                send_now(ids)
                t_enqueue = time.perf_counter() - t0
                worker.start()
                try:
                    broker.join("credit", timeout=30 * 60_000)
                    worker.join()
                    secs = time.perf_counter() - t0
                finally:
                    worker.stop()
                    if redis_url:
                        broker.flush_all()
                        broker.close()
                        _drop_namespace(redis_url)
                ok = OutboundRecord.objects.filter(platform=p, status="delivered").count()
                rows.append((label, f"Dramatiq, {kind}, one message per batch, 4 worker threads, end to end "
                                    "(records/s)", f"{N / secs:,.0f}"))
                rows.append((label, "  of which sending the messages (s)", f"{t_enqueue:.2f}"))
                rows.append((label, "  delivered / received by the simulator",
                             f"{ok:,} / {len(sim.received('actor')):,}"))
            finally:
                sim.stop()
            return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<44} {metric:<96} {value}")
