"""Audit chain: audited vs unaudited write rate, a write behind an open transaction, sealing and incremental
verification, on a private database (``bench_audit_<pid>`` on the PostgreSQL server DATABASE_URL names,
else SQLite, where only the single-thread figures are measured).

Writers insert unsealed events without a lock (zhunru.audit.recording); a sealer thread runs seal_pending()
every second during the audited runs, as the scheduler's seal_audit_chain actor does every few seconds, so
its cost is in the audited figure.

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
WRITERS = 8
HOLD_MS = 5
OPEN_SECONDS = 3.0
NEW_EVENTS = 20_000 if QUICK else 100_000


def _write(n: int, audited: bool, hold_ms: float) -> None:
    from django.db import connection, transaction

    from zhunru.audit.recording import record

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_work (note) VALUES (%s)", [f"写入 {n}"])
        if audited:
            record("bench.write", object_type="bench", object_id=str(n), note="基准测试")
        if hold_ms:
            time.sleep(hold_ms / 1000)  # the rest of the caller's transaction


def _loop(seconds: float, audited: bool, hold_ms: float, counts: list[int]) -> None:
    from django.db import connection

    n = 0
    deadline = time.perf_counter() + seconds
    try:
        while time.perf_counter() < deadline:
            _write(n, audited, hold_ms)
            n += 1
    finally:
        connection.close()
    counts.append(n)


def _sealer(stop: threading.Event) -> None:
    from django.db import connection

    from zhunru.audit.sealing import seal_pending

    try:
        while not stop.wait(1.0):
            seal_pending()
    finally:
        connection.close()


def _rate(threads: int, audited: bool, hold_ms: float) -> float:
    counts: list[int] = []
    stop = threading.Event()
    sealer = threading.Thread(target=_sealer, args=(stop,)) if audited else None
    if sealer:
        sealer.start()
    workers = [threading.Thread(target=_loop, args=(SECONDS, audited, hold_ms, counts)) for _ in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    if sealer:
        stop.set()
        sealer.join()
    return sum(counts) / elapsed


def _behind_open_transaction(audited: bool) -> float:
    """Seconds an audited (or unaudited) write takes while another audited transaction stays open 3 s."""
    from django.db import connection, transaction

    from zhunru.audit.recording import record

    written = threading.Event()

    def slow_import():
        try:
            with transaction.atomic():
                record("bench.import", object_type="bench", note="长事务")
                written.set()
                time.sleep(OPEN_SECONDS)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_import)
    thread.start()
    written.wait(10)
    started = time.perf_counter()
    _write(-1, audited, 0)
    elapsed = time.perf_counter() - started
    thread.join()
    return elapsed


def _verification() -> list[tuple[str, str]]:
    from django.utils import timezone

    from zhunru.audit.models import AuditEvent
    from zhunru.audit.sealing import seal_pending
    from zhunru.audit.verification import verify_chain

    seal_pending()
    assert verify_chain().ok  # a signed checkpoint at the current end
    now = timezone.now()
    batch = [
        AuditEvent(timestamp=now, action="bench.bulk", object_type="bench", object_id=str(i),
                   object_repr=f"对象 {i}", note="基准测试", changes={"field": ["旧", "新"]})
        for i in range(NEW_EVENTS)
    ]
    AuditEvent.objects.bulk_create(batch, batch_size=5000)
    started = time.perf_counter()
    sealed = seal_pending()
    seal_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = verify_chain(seal=False)
    verify_seconds = time.perf_counter() - started
    assert report.ok and report.checked == sealed == NEW_EVENTS, report
    per_million = verify_seconds / NEW_EVENTS * 1_000_000
    return [
        (f"sealing {NEW_EVENTS} new events", f"{seal_seconds:.1f} s ({NEW_EVENTS / seal_seconds:.0f} events/s)"),
        (f"incremental verification of {NEW_EVENTS} new events",
         f"{verify_seconds:.1f} s ({NEW_EVENTS / verify_seconds:.0f} events/s)"),
        ("incremental verification of 1 M new events (extrapolated, limit 60 s)", f"{per_million:.0f} s"),
    ]


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-audit-") as tmp:
        tmp = Path(tmp)
        with private_database(tmp, f"bench_audit_{os.getpid()}") as database_url:
            env = production_env(tmp, database_url)
            manage(env, "migrate", "--noinput", "-v0")
            os.environ.update(env)
            os.chdir(ROOT)
            if str(ROOT) not in sys.path:
                sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            from django.db import connection, connections

            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE bench_work (id integer PRIMARY KEY "
                               + ("GENERATED BY DEFAULT AS IDENTITY" if connection.vendor == "postgresql"
                                  else "AUTOINCREMENT") + ", note text)")
            postgres = connection.vendor == "postgresql"
            label = f"audit chain ({'PostgreSQL' if postgres else 'SQLite'})"
            rows = []
            plain, audited = _rate(1, False, 0), _rate(1, True, 0)
            rows.append((label, "writes/s, 1 writer: unaudited | audited",
                         f"{plain:.0f} | {audited:.0f} ({audited / plain:.0%})"))
            if postgres:
                for hold in (0, HOLD_MS):
                    plain, audited = _rate(WRITERS, False, hold), _rate(WRITERS, True, hold)
                    rows.append((label, f"writes/s, {WRITERS} writers, {hold} ms other work: unaudited | audited "
                                 "(target ≥ 40 %)", f"{plain:.0f} | {audited:.0f} ({audited / plain:.0%})"))
                rows.append((label, f"a write while another audited transaction stays open {OPEN_SECONDS:.0f} s: "
                             "unaudited | audited",
                             f"{_behind_open_transaction(False) * 1000:.0f} ms | "
                             f"{_behind_open_transaction(True) * 1000:.0f} ms"))
            rows += [(label, metric, value) for metric, value in _verification()]
            connections.close_all()
            return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<28} {metric:<80} {value}")
