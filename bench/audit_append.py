"""Audit chain append rate: the one write every audited state change shares.

``zhunru.audit.recording.record()`` locks the single chain head row for the rest of the caller's transaction,
so every audited write in the installation queues behind it. This measures events/s from one thread and
from several threads whose transactions also do some other work while holding the head (``--hold`` ms,
standing in for the rest of a real state change), on a private database (PostgreSQL when DATABASE_URL
names it, else SQLite, one thread only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/audit_append.py
"""

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import ROOT, manage, private_database, production_env  # noqa: E402

QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
SECONDS = 2.0 if QUICK else 5.0
HOLD_MS = 5


def _loop(seconds: float, hold_ms: float, counts: list[int]) -> None:
    from django.db import connection, transaction

    from zhunru.audit.recording import record

    n = 0
    deadline = time.perf_counter() + seconds
    try:
        while time.perf_counter() < deadline:
            with transaction.atomic():
                record("bench.append", object_type="bench", object_id=str(n), note="基准测试")
                if hold_ms:
                    time.sleep(hold_ms / 1000)  # the rest of the caller's transaction
            n += 1
    finally:
        connection.close()
    counts.append(n)


def _rate(threads: int, hold_ms: float) -> float:
    counts: list[int] = []
    workers = [threading.Thread(target=_loop, args=(SECONDS, hold_ms, counts)) for _ in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - started)


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-audit-") as tmp:
        tmp = Path(tmp)
        with private_database(tmp, "zhunru_bench_audit") as database_url:
            env = production_env(tmp, database_url)
            manage(env, "migrate", "--noinput", "-v0")
            os.environ.update(env)
            os.chdir(ROOT)
            import django

            django.setup()
            postgres = database_url.startswith("postgres")
            label = f"audit chain append ({'PostgreSQL' if postgres else 'SQLite'})"
            rows = [(label, "events/s, 1 thread, no other work", f"{_rate(1, 0):.0f}"),
                    (label, f"events/s, 1 thread, {HOLD_MS} ms other work in the transaction",
                     f"{_rate(1, HOLD_MS):.0f}")]
            if postgres:
                for threads in (4, 16):
                    rows.append((label, f"events/s, {threads} threads, {HOLD_MS} ms other work each",
                                 f"{_rate(threads, HOLD_MS):.0f}"))
            from zhunru.audit.models import AuditEvent

            rows.append((label, "events written", str(AuditEvent.objects.count())))
            from django.db import connections

            connections.close_all()
            return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<40} {metric:<52} {value}")
