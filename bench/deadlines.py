"""The lead tracker's periodic deadline scan over 100,000 open leads (goal: under 5 s, bounded memory).

Builds a private database (PostgreSQL when DATABASE_URL names a server, else SQLite) with 100,000 open
leads whose stages started over the last 10 days, in the state a scan every 15 minutes leaves them:
everything that crossed a threshold before the last scan is already flagged. Then it times

- the steady-state scan (what the periodic job does every 15 minutes),
- the same scan again (idempotent: nothing to do),
- a backlog scan after 2,000 overdue stages lost their flags (as after a worker outage),
- recomputing every open stage's due time after the calendar changed (entering a holiday year),

with peak Python memory (tracemalloc) and the process's peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/deadlines.py
"""

import datetime
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import ROOT, manage, private_database, production_env  # noqa: E402

QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
LEADS = 10_000 if QUICK else 100_000
BACKLOG = 500 if QUICK else 2_000


def _build(now):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from zhunru import roles
    from zhunru.leads.calendar import WorkingCalendar
    from zhunru.leads.models import Lead, LeadStage
    from zhunru.models import Department, DepartmentMembership, Jurisdiction

    roles.sync_roles()
    j = Jurisdiction.objects.create(name="基准区", short_name="基", level="district", division_code="369999")
    lead_dept = Department.objects.create(jurisdiction=j, name="基准区发展和改革委员会", is_lead=True, kind="development_reform")
    depts = [Department.objects.create(jurisdiction=j, name=f"基准区部门{i}") for i in range(20)]
    User = get_user_model()
    coord = User.objects.create_user("bench-coord", "c@example.invalid")
    coord.groups.add(Group.objects.get(name=roles.COORDINATOR))
    DepartmentMembership.objects.create(user=coord, department=lead_dept)
    for i, d in enumerate(depts):
        u = User.objects.create_user(f"bench-officer-{i}", f"o{i}@example.invalid")
        DepartmentMembership.objects.create(user=u, department=d)

    calendar = WorkingCalendar.load()
    kinds = [("transfer", 1, "working"), ("verify", 3, "working"), ("rectify", 7, "calendar")]
    states = {"transfer": "received", "verify": "verifying", "rectify": "rectifying"}
    tz = timezone.get_current_timezone()
    last_scan = now - datetime.timedelta(minutes=15)
    span = 10 * 24 * 3600
    batch = 5000
    for offset in range(0, LEADS, batch):
        leads, stages = [], []
        for i in range(offset, min(offset + batch, LEADS)):
            start = now - datetime.timedelta(seconds=(i * 7919) % span)
            kind, amount, unit = kinds[i % 3]
            dept = depts[i % 20]
            leads.append(Lead(jurisdiction=j, lead_department=lead_dept, competent_unit=dept, source="complaint",
                              received_at=start, title=f"基准线索 {i}", state=states[kind]))
            due = calendar.compute_due(start, amount, unit, j)  # memoised per start day by the calendar
            esc = calendar.compute_due(datetime.datetime.combine(due.due_date, datetime.time(12), tzinfo=tz), 2, "working", j)
            remind_at = start + (due.due_at - start) / 2
            stages.append(LeadStage(
                kind=kind, department=dept, started_at=start, limit_amount=amount, limit_unit=unit,
                due_date=due.due_date, due_at=due.due_at, remind_at=remind_at, escalate_at=esc.due_at,
                provisional=due.provisional, calendar_version=calendar.version, computation={"steps": [due.as_json()]},
                soon_reminded=remind_at <= last_scan,
                today_reminded=datetime.datetime.combine(due.due_date, datetime.time(0), tzinfo=tz) <= last_scan,
                overdue_reminded=due.due_at <= last_scan, overdue_marked_at=due.due_at if due.due_at <= last_scan else None,
                escalated_at=esc.due_at if esc.due_at <= last_scan else None,
            ))
        with transaction.atomic():
            Lead.objects.bulk_create(leads)
            for lead, stage in zip(leads, stages, strict=True):
                stage.lead = lead
            LeadStage.objects.bulk_create(stages)
    return j


def _measure(fn, *, memory: bool):
    if memory:
        tracemalloc.start()
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, elapsed, peak


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-deadlines-") as tmp:
        tmp = Path(tmp)
        with private_database(tmp, "zhunru_bench_deadlines") as database_url:
            env = production_env(tmp, database_url)
            env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
            manage(env, "migrate", "--noinput", "-v0")
            for name in ("REDIS_URL", "ELASTICSEARCH_URL"):  # never the shared Redis namespace or search index:
                os.environ.pop(name, None)                  # production_env leaves them out, the process must too
            os.environ.update(env)
            os.chdir(ROOT)
            sys.path.insert(0, str(ROOT))  # run standalone (bench/run_all's child has it already)
            import django

            django.setup()
            from django.db import connection
            from django.utils import timezone

            from zhunru.leads.models import HolidayYear, LeadStage, Notification
            from zhunru.leads.recompute import recompute_open_due_times
            from zhunru.leads.tracking import scan_deadlines

            label = f"lead deadline scan ({'PostgreSQL' if connection.vendor == 'postgresql' else 'SQLite'}, {LEADS:,} open leads)"
            now = timezone.now()
            t0 = time.perf_counter()
            _build(now)
            if connection.vendor == "postgresql":
                with connection.cursor() as c:
                    c.execute("ANALYZE")
            rows = [(label, "build data (s)", f"{time.perf_counter() - t0:.1f}")]

            res, secs, _ = _measure(lambda: scan_deadlines(now), memory=False)
            rows.append((label, "steady-state scan (s)", f"{secs:.2f}"))
            rows.append((label, "  stages acted on / notifications", f"{res.due_soon + res.due_today + res.overdue + res.escalated} / {res.notifications}"))
            res, secs, peak = _measure(lambda: scan_deadlines(now), memory=True)
            rows.append((label, "second scan, idempotent (s, tracemalloc on)", f"{secs:.2f}"))
            rows.append((label, "  notifications sent by the second scan", str(res.notifications)))

            ids = list(LeadStage.objects.filter(overdue_reminded=True, escalated_at__isnull=False)
                       .values_list("pk", flat=True)[:BACKLOG])
            LeadStage.objects.filter(pk__in=ids).update(overdue_reminded=False, overdue_marked_at=None)
            res, secs, _ = _measure(lambda: scan_deadlines(now, chunk_size=500), memory=False)
            rows.append((label, f"backlog scan, {len(ids):,} overdue stages, 2 notifications each (s)", f"{secs:.2f}"))
            LeadStage.objects.filter(pk__in=ids[: len(ids) // 2]).update(overdue_reminded=False, overdue_marked_at=None)
            Notification.objects.filter(key__contains=":overdue:").delete()
            res, secs, peak = _measure(lambda: scan_deadlines(now, chunk_size=500), memory=True)
            rows.append((label, f"  backlog of {len(ids) // 2:,}, tracemalloc on: peak Python memory (MiB)", f"{peak / 2**20:.1f}"))

            HolidayYear.objects.create(year=timezone.localdate().year + 5)  # changes the calendar version
            moved, secs, _ = _measure(lambda: recompute_open_due_times(chunk_size=2000), memory=False)
            rows.append((label, "recompute all open due times after a calendar change (s)", f"{secs:.1f}"))
            HolidayYear.objects.create(year=timezone.localdate().year + 6)
            moved, secs, peak = _measure(lambda: recompute_open_due_times(chunk_size=2000), memory=True)
            rows.append((label, "  same, tracemalloc on: peak Python memory (MiB)", f"{peak / 2**20:.1f}"))
            rows.append((label, "notifications in total", str(Notification.objects.count())))
            rows.append((label, "process peak RSS (MiB)", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"))
            from django.db import connections

            connections.close_all()
            return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<48} {metric:<72} {value}")
