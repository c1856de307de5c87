"""Delivery throughput of the credit exchange: 10,000 outbox records to the simulator over HTTP.

Builds a private database (PostgreSQL when DATABASE_URL names a server, else SQLite), starts the
simulator on a free local port and measures, each over its own 10,000 records:

- the bare HTTP exchange (signed POST + ack, no database), one thread;
- ``zhunru.credit.delivery.deliver`` called in a loop (HTTP + outbox update + audit event), one thread;
- the Dramatiq actor: messages sent for every record, a worker with 4 threads draining the queue (stub
  broker: REDIS_URL is removed from the process before Django starts, so the shared Redis namespace is never
  read or consumed).

    .venv/bin/python bench/credit_delivery.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/credit_delivery.py
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import ROOT, manage, private_database, production_env  # noqa: E402

N = 2_000 if os.environ.get("ZHUNRU_BENCH_QUICK") == "1" else 10_000


def _make_rows(platform, n, subject_payload):
    from zhunru.credit.models import OutboundRecord

    rows = [OutboundRecord(platform=platform, kind="licensing", payload={**subject_payload,
                           "document_number": f"昌市监许〔2026〕{i}号"}) for i in range(n)]
    OutboundRecord.objects.bulk_create(rows, batch_size=1000)
    return list(OutboundRecord.objects.filter(platform=platform).order_by("pk").values_list("pk", flat=True))


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-credit-") as tmp:
        tmp = Path(tmp)
        with private_database(tmp, f"zhunru_bench_credit_{os.getpid()}") as database_url:
            env = production_env(tmp, database_url)
            manage(env, "migrate", "--noinput", "-v0")
            for name in ("REDIS_URL", "ELASTICSEARCH_URL"):  # never the shared Redis namespace or search index:
                os.environ.pop(name, None)                  # production_env leaves them out, the process must too
            os.environ.update(env)
            os.chdir(ROOT)
            import django

            django.setup()
            import dramatiq
            from django.db import connection
            from dramatiq import Worker

            from zhunru.credit.delivery import deliver
            from zhunru.credit.models import CreditPlatform, OutboundRecord
            from zhunru.credit.outbox import build_payload, send_now
            from zhunru.credit.simulator import Simulator
            from zhunru.validators import uscc_check_character
            from zhunru.workers.clients.credit_platform import for_platform

            sim = Simulator(port=0, key=b"zhunru-demo-key").start()
            label = f"credit delivery ({'PostgreSQL' if connection.vendor == 'postgresql' else 'SQLite'}, {N:,} records)"
            rows = []
            try:
                body = "91360202MA35X1C0Q"
                payload = build_payload(subject_name="景德镇市昌江区瓷都陶瓷文化有限公司",
                                        uscc=body + uscc_check_character(body), document_number="x",
                                        category="普通", content="食品经营许可", decided_on="2026-11-20",
                                        authority_name="昌江区市场监督管理局", source_unit="昌江区市场监督管理局")

                def platform(code):
                    return CreditPlatform.objects.create(name=code, code=code, endpoint_url=sim.url + code + "/",
                                                         hmac_key_ref="demo")

                # 1. bare HTTP
                p = platform("http")
                client = for_platform(p)
                docs = [{"record_id": f"00000000-0000-4000-8000-{i:012d}", "kind": "licensing", **payload}
                        for i in range(N)]
                t0 = time.perf_counter()
                for d in docs:
                    client.deliver(d)
                secs = time.perf_counter() - t0
                rows.append((label, "bare signed HTTP POST + ack, 1 thread (records/s)", f"{N / secs:,.0f}"))

                # 2. deliver() in a loop
                p = platform("loop")
                ids = _make_rows(p, N, payload)
                t0 = time.perf_counter()
                for pk in ids:
                    deliver(pk)
                secs = time.perf_counter() - t0
                ok = OutboundRecord.objects.filter(platform=p, status="delivered").count()
                rows.append((label, "deliver(): HTTP + outbox update + audit event, 1 thread (records/s)",
                             f"{N / secs:,.0f}"))
                rows.append((label, "  delivered / received by the simulator", f"{ok:,} / {len(sim.received('loop')):,}"))

                # 3. the actor through the broker
                p = platform("actor")
                ids = _make_rows(p, N, payload)
                broker = dramatiq.get_broker()
                broker.emit_after("process_boot")
                worker = Worker(broker, worker_threads=4, worker_timeout=100)
                t0 = time.perf_counter()
                send_now(ids)
                t_enqueue = time.perf_counter() - t0
                worker.start()
                broker.join("credit", timeout=30 * 60_000)
                worker.join()
                secs = time.perf_counter() - t0
                worker.stop()
                ok = OutboundRecord.objects.filter(platform=p, status="delivered").count()
                rows.append((label, "Dramatiq actor, stub broker, 4 worker threads, end to end (records/s)",
                             f"{N / secs:,.0f}"))
                rows.append((label, "  of which sending the messages (s)", f"{t_enqueue:.1f}"))
                rows.append((label, "  delivered / received by the simulator",
                             f"{ok:,} / {len(sim.received('actor')):,}"))
            finally:
                sim.stop()
            return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<44} {metric:<72} {value}")
