"""The deadline scan's queries at province scale: 100,000 and 1,000,000 open leads on PostgreSQL.

Goal: the periodic scan (zhunru.leads.tracking.scan_deadlines) with nothing new to do under 100 ms at
1,000,000 open leads. Each figure is printed beside its peer measured in the same run on the same data:
the same scan with index scans switched off (``enable_indexscan``/``enable_bitmapscan`` = off, i.e. the
sequential-scan shape the scan had before its queries were shaped for the partial indexes), and the plan
EXPLAIN gives for the overdue query (which index it reads).

Data: 10,000 open leads built through the ORM with real due-time computation (bench/deadlines.py's builder,
states as a scan every 15 minutes leaves them), then copied inside PostgreSQL with INSERT … SELECT over
generate_series up to 100,000 and then 1,000,000 (seconds, not an ORM call per row). Own database, dropped
afterwards. Without PostgreSQL it says so and measures nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/deadline_scan.py
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import ROOT, manage, private_database, production_env  # noqa: E402

QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
BASE = 2_000 if QUICK else 10_000
SIZES = [10_000, 50_000] if QUICK else [100_000, 1_000_000]
REPEAT = 5


_COPIES = 0
_TEMPLATE_MAX = 0


def _grow(target: int) -> None:
    """Copy the ORM-built leads (ids <= the template's last) and their stages until ``target`` leads exist."""
    from django.db import connection, transaction

    from zhunru.leads.models import Lead, LeadStage

    lead_cols = [f.column for f in Lead._meta.concrete_fields if f.column not in ("id", "number")]
    stage_cols = [f.column for f in LeadStage._meta.concrete_fields if f.column not in ("id", "lead_id")]
    lt, st = Lead._meta.db_table, LeadStage._meta.db_table
    global _COPIES
    with connection.cursor() as c:
        c.execute(f"SELECT count(*) FROM {lt}")
        have = c.fetchone()[0]
        while have < target:
            copies = max(1, min((target - have) // BASE, 10))  # 10 copies of the template = 100,000 rows a statement
            limit = min(target - have, BASE)
            with transaction.atomic():
                c.execute(f"""
                    WITH ins AS (
                        INSERT INTO {lt} ({', '.join(lead_cols)}, number)
                        SELECT {', '.join('t.' + col for col in lead_cols)}, 'B' || g || '-' || t.id
                        FROM (SELECT * FROM {lt} WHERE id <= %s ORDER BY id LIMIT %s) t
                        CROSS JOIN generate_series(%s, %s) g
                        RETURNING id, number)
                    INSERT INTO {st} (lead_id, {', '.join(stage_cols)})
                    SELECT ins.id, {', '.join('s.' + col for col in stage_cols)}
                    FROM ins JOIN {st} s ON s.lead_id = split_part(ins.number, '-', 2)::bigint
                """, [_TEMPLATE_MAX, limit, _COPIES + 1, _COPIES + copies])
            _COPIES += copies
            have += limit * copies
        c.execute(f"ANALYZE {lt}")
        c.execute(f"ANALYZE {st}")


def _time_scan(now, *, indexes: bool) -> tuple[float, float, int]:
    """(median ms, best ms, notifications) of REPEAT idempotent scans."""
    from django.db import connection

    from zhunru.leads.tracking import scan_deadlines

    with connection.cursor() as c:
        flag = "on" if indexes else "off"
        c.execute(f"SET enable_indexscan = {flag}")
        c.execute(f"SET enable_bitmapscan = {flag}")
        c.execute(f"SET enable_indexonlyscan = {flag}")
    times, sent = [], 0
    try:
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            sent += scan_deadlines(now).notifications
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        with connection.cursor() as c:
            c.execute("RESET enable_indexscan")
            c.execute("RESET enable_bitmapscan")
            c.execute("RESET enable_indexonlyscan")
    times.sort()
    return times[len(times) // 2], times[0], sent


def _overdue_plan(now) -> str:
    """The index names (or 'Seq Scan') in EXPLAIN of the scan's overdue query, first chunk."""
    import re

    from django.db import connection

    from zhunru.leads.models import LeadStage
    from zhunru.leads.tracking import OPEN_STATES

    qs = (LeadStage.objects.filter(completed_at__isnull=True, lead__state__in=OPEN_STATES, overdue_reminded=False,
                                   due_at__lte=now).order_by("due_at", "pk").values_list("pk", flat=True)[:500])
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as c:
        c.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in c.fetchall())
    stage_scan = [line for line in plan.splitlines() if "leadstage" in line]
    names = re.findall(r"(Seq Scan|Index (?:Only )?Scan(?: Backward)? using \w+|Bitmap Index Scan on \w+)", "\n".join(stage_scan))
    return "; ".join(names) or plan.splitlines()[0]


def _profile(now) -> None:
    from django.db import connection

    from zhunru.leads.tracking import scan_deadlines

    spent = []

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(((time.perf_counter() - t0) * 1000, sql[sql.find(" WHERE "):][:400], sql, params))

    with connection.execute_wrapper(wrapper):
        scan_deadlines(now)
    spent.sort(key=lambda row: -row[0])
    for ms, where, _, _ in spent[:6]:
        print(f"{ms:8.1f} ms  {where}", file=sys.stderr)
    with connection.cursor() as c:
        c.execute("EXPLAIN ANALYZE " + spent[0][2], spent[0][3])
        print("\n".join(row[0] for row in c.fetchall()), file=sys.stderr)


def _dashboard_rows(label: str, now) -> list[tuple[str, str, str]]:
    """The coordinator dashboard's figures (zhunru.leads.dashboard) over every lead, as a coordinator whose
    jurisdiction holds them all sees them: each query computed (median of 3), beside the cached read the page
    makes within ``ZHUNRU_LEADS_FIGURES_CACHE_SECONDS`` (in-process memory here: no shared Redis)."""
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count

    from zhunru.leads.dashboard import cached_dashboard_figures, dashboard_figures, overdue_stages
    from zhunru.leads.models import Lead, LeadStage

    leads = Lead.objects.all()
    stages = LeadStage.objects.filter(lead__in=leads)
    parts = {
        "counts by state": lambda: list(leads.values_list("state").annotate(n=Count("pk"))),
        "overdue list (50 most overdue open stages)": lambda: list(
            overdue_stages(stages, now).values_list("pk", flat=True)[:50]),
        "every figure (dashboard_figures)": lambda: dashboard_figures(leads, now),
    }
    rows = []
    for name, fn in parts.items():
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        rows.append((label, f"  dashboard: {name}, computed (ms, median of 3)", f"{sorted(times)[1]:.1f}"))
    cache.clear()
    cached_dashboard_figures(leads)  # fills the cache
    t0 = time.perf_counter()
    for _ in range(20):
        cached_dashboard_figures(leads)
    rows.append((label, "  dashboard: every figure, cached read (ms, mean of 20)",
                 f"{(time.perf_counter() - t0) * 1000 / 20:.2f}"))
    connection.close()
    return rows


def run() -> list[tuple[str, str, str]]:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return [("deadline scan at scale", "skipped", "needs PostgreSQL (DATABASE_URL=postgres://…)")]
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-deadline-scan-") as tmp:
        tmp = Path(tmp)
        with private_database(tmp, "zhunru_bench_deadline_scan") as database_url:
            env = production_env(tmp, database_url)
            env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
            manage(env, "migrate", "--noinput", "-v0")
            for name in ("REDIS_URL", "ELASTICSEARCH_URL"):  # never the shared Redis namespace or search index:
                os.environ.pop(name, None)                  # production_env leaves them out, the process must too
            os.environ.update(env)
            os.chdir(ROOT)
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            import deadlines
            from django.db import connections
            from django.utils import timezone

            from zhunru.leads.tracking import scan_deadlines

            deadlines.LEADS = BASE
            now = timezone.now()
            t0 = time.perf_counter()
            deadlines._build(now)
            global _TEMPLATE_MAX
            from zhunru.leads.models import Lead

            _TEMPLATE_MAX = Lead.objects.order_by("-pk").values_list("pk", flat=True)[0]
            rows = [("deadline scan at scale", f"build {BASE:,} leads through the ORM (s)", f"{time.perf_counter() - t0:.1f}")]
            scan_deadlines(now)  # the steady state: what crossed a threshold before now is flagged
            for size in SIZES:
                label = f"deadline scan (PostgreSQL, {size:,} open leads)"
                t0 = time.perf_counter()
                _grow(size)
                rows.append((label, "grow by INSERT … SELECT generate_series (s)", f"{time.perf_counter() - t0:.1f}"))
                scan_deadlines(now)
                median, best, sent = _time_scan(now, indexes=True)
                rows.append((label, f"scan, nothing new to do, partial indexes (ms, median of {REPEAT}; goal < 100 at 1M)",
                             f"{median:.1f} (best {best:.1f})"))
                seq_median, seq_best, seq_sent = _time_scan(now, indexes=False)
                rows.append((label, "  same scan, index scans off = sequential-scan shape (ms, median)",
                             f"{seq_median:.1f} (best {seq_best:.1f})"))
                rows.append((label, "  notifications sent by these scans (idempotent: 0)", str(sent + seq_sent)))
                rows.append((label, "  EXPLAIN, overdue query", _overdue_plan(now)))
                rows += _dashboard_rows(label, now)
                if os.environ.get("BENCH_PROFILE"):
                    _profile(now)
            connections.close_all()
            return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<44} {metric:<80} {value}")
