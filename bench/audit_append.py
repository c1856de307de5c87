"""Audit chain: audited vs unaudited write rate, a write behind an open transaction, sealing and incremental
verification, on a private database (``bench_audit_<pid>`` on the PostgreSQL server DATABASE_URL names,
else SQLite, where only the single-thread figures are measured).

Writers insert unsealed events without a lock (zhunru.audit.recording); a sealer thread runs seal_pending()
every second during the audited runs, as the scheduler's seal_audit_chain actor does every few seconds, so
its cost is in the audited figure. Then 100,000 and 1,000,000 new events (bulk SQL) are sealed and verified
incrementally, each beside the 60 s limit; the whole run takes about a quarter of an hour on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/audit_append.py
"""

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import django_on_private_database  # noqa: E402

QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
SECONDS = 2.0 if QUICK else 5.0
WRITERS = 8
ROUNDS = 1 if QUICK else 3
HOLD_MS = 5
OPEN_SECONDS = 3.0
# New events per verification round: 1 M is the figure (under a minute); on PostgreSQL only.
NEW_EVENTS = (20_000,) if QUICK else (100_000, 1_000_000)


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


def _generate(n: int) -> None:
    """``n`` new unsealed events as writers leave them, every other one mirroring a django-auditlog LogEntry
    (as model changes do): bulk SQL on PostgreSQL, bulk_create on SQLite."""
    from django.db import connection
    from django.utils import timezone

    from zhunru.audit.models import AuditEvent

    if connection.vendor != "postgresql":
        now = timezone.now()
        AuditEvent.objects.bulk_create([
            AuditEvent(timestamp=now, action="bench.bulk", object_type="bench", object_id=str(i),
                       object_repr=f"对象 {i}", note="基准测试", changes={"field": ["旧", "新"]})
            for i in range(n)
        ], batch_size=5000)
        return
    with connection.cursor() as cursor:
        # Each LogEntry's object_pk names its event ("<n>:<i>"), so the events find theirs by a join.
        cursor.execute(
            "INSERT INTO auditlog_logentry (object_pk, object_id, object_repr, action, changes_text, changes, "
            "timestamp, content_type_id, remote_addr) "
            "SELECT %s || i, i, '线索 ' || i, 1, '', jsonb_build_object('stage', jsonb_build_array('受理', '办理'), "
            "'due_date', jsonb_build_array(NULL, '2026-12-31')), now() - (i || ' ms')::interval, "
            "(SELECT min(id) FROM django_content_type), ('10.0.0.' || (i %% 250))::inet "
            "FROM generate_series(2, %s, 2) i", [f"{n}:", n])
        cursor.execute(
            "INSERT INTO zhunru_audit_auditevent (timestamp, actor_repr, ip, action, object_type, object_id, "
            "object_repr, changes, note, logentry_id, logentry_hash, format, prev_hash, hash) "
            "SELECT now() - (i || ' ms')::interval, '办理人' || (i %% 50), ('10.0.0.' || (i %% 250))::inet, "
            "CASE WHEN i %% 2 = 0 THEN 'model.update' ELSE 'lead.transfer' END, 'zhunru_leads.lead', i::text, "
            "'线索 ' || i, jsonb_build_object('stage', jsonb_build_array('受理', '办理'), 'to', i %% 40), "
            "'基准测试', entry.id, '', 2, '', '' "
            "FROM generate_series(1, %s) i LEFT JOIN auditlog_logentry entry ON entry.object_pk = %s || i "
            "ORDER BY i", [n, f"{n}:"])


def _verification() -> list[tuple[str, str]]:
    """Seal and then verify incrementally (from the checkpoint the previous round signed) 100,000 and then
    1,000,000 new events (PostgreSQL; 20,000 on SQLite or in quick mode)."""
    from django.db import connection

    from zhunru.audit.sealing import seal_pending
    from zhunru.audit.verification import verify_chain

    seal_pending()
    assert verify_chain().ok  # a signed checkpoint at the current end
    postgres = connection.vendor == "postgresql"
    rows = []
    for n in NEW_EVENTS if postgres else NEW_EVENTS[:1]:
        started = time.perf_counter()
        _generate(n)
        if postgres:
            with connection.cursor() as cursor:
                # What autovacuum does after a bulk load (it is off on the development server): without it the
                # planner believes the 1 M unsealed events are a few hundred and sorts them all for each batch.
                cursor.execute("ANALYZE zhunru_audit_auditevent, auditlog_logentry")
        generated = time.perf_counter() - started
        started = time.perf_counter()
        sealed = seal_pending()
        seal_seconds = time.perf_counter() - started
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        report = verify_chain(seal=False)
        verify_seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert report.ok and report.checked == sealed == n, report
        label = f"{n:,} new events (half with a LogEntry)"
        limit = " (limit 60 s)" if n == 1_000_000 else ""
        rows += [
            (f"generating {label}, bulk SQL, and ANALYZE", f"{generated:.1f} s"),
            (f"sealing {label}", f"{seal_seconds:.1f} s ({n / seal_seconds:,.0f} events/s)"),
            (f"incremental verification of {label}{limit}",
             f"{verify_seconds:.1f} s ({n / verify_seconds:,.0f} events/s; this process's CPU {cpu:.1f} s; "
             f"load average {load:.1f})"),
        ]
    return rows


def run() -> list[tuple[str, str, str]]:
    with django_on_private_database("zhunru-bench-audit-", f"bench_audit_{os.getpid()}"):
        from django.db import connection

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
                # Alternated rounds, the median pair reported with the spread: one 5-second pair moves by
                # ±5 points with whatever else the 2 cores are doing.
                pairs = sorted(((_rate(WRITERS, False, hold), _rate(WRITERS, True, hold)) for _ in range(ROUNDS)),
                               key=lambda pair: pair[1] / pair[0])
                plain, audited = pairs[len(pairs) // 2]
                spread = ", ".join(f"{a / p:.0%}" for p, a in pairs)
                rows.append((label, f"writes/s, {WRITERS} writers, {hold} ms other work: unaudited | audited "
                             f"(target ≥ 40 %; median of {ROUNDS} alternated rounds)",
                             f"{plain:.0f} | {audited:.0f} ({audited / plain:.0%}; rounds {spread})"))
            rows.append((label, f"a write while another audited transaction stays open {OPEN_SECONDS:.0f} s: "
                         "unaudited | audited",
                         f"{_behind_open_transaction(False) * 1000:.0f} ms | "
                         f"{_behind_open_transaction(True) * 1000:.0f} ms"))
        rows += [(label, metric, value) for metric, value in _verification()]
        return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<28} {metric:<80} {value}")
