"""The embedded SQLite default holds under `make run`'s load: citizens filing, visitors browsing, officials editing.

The suite may run on PostgreSQL, so the load runs in a subprocess (``python -m`` this module) with the
project's own settings on a fresh SQLite *file* (not the in-memory test database): WAL journal,
IMMEDIATE transactions and the busy timeout come from ``deploy.settings.base``, unchanged.

Load, as issue 22 measured it: 8 citizens each filing 5 complaints through the portal form (form, post,
receipt), 2 visitors browsing the portal, 2 coordinators each accepting complaints and transferring the
leads (model methods that read then write in one transaction), and the deadline scan running beside them.
"""

import json
import os
import subprocess
import sys
import threading
import uuid

CITIZENS = 8
COMPLAINTS_EACH = 5  # the portal's per-address limit per hour
BROWSERS = 2
BROWSES_EACH = 20
OFFICIALS = 2


def test_concurrent_writers_on_file_sqlite_lose_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="deploy.settings.test", ZHUNRU_VAR_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "tests.cms.test_sqlite_concurrency"], env=env, cwd=_root(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])

    assert report["engine"].endswith("sqlite3") and report["file"].startswith(str(tmp_path))
    assert report["journal_mode"] == "wal" and report["transaction_mode"] == "IMMEDIATE"
    assert report["errors"] == [], report["errors"][:5]
    assert report["locked_logs"] == 0
    assert report["status_5xx"] == 0
    assert report["requests"] == CITIZENS * COMPLAINTS_EACH * 3 + BROWSERS * BROWSES_EACH
    # Every accepted complaint is stored, and every official's edit is kept.
    assert report["filed"] == CITIZENS * COMPLAINTS_EACH
    assert report["stored"] == report["filed"]
    assert report["accepted"] == report["transferred"] == report["accepted_in_db"] == report["leads_transferred"] > 0


def _root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --- the subprocess ----------------------------------------------------------------------------------


class _LockedLogs:
    """Counts log records that mention a locked database (Django logs 500s with the traceback)."""

    def __init__(self):
        import logging

        self.count = 0
        outer = self

        class Handler(logging.Handler):
            def emit(self, record):
                text = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
                if "locked" in text:
                    outer.count += 1

        logging.getLogger().addHandler(Handler(level=logging.WARNING))
        logging.getLogger("django").addHandler(Handler(level=logging.WARNING))


def _create_schema() -> None:
    """Tables straight from the models (syncdb: 1 s instead of 20 s replaying every migration), plus what
    Wagtail's initial migration seeds. How the tables came to be does not change how SQLite locks them."""
    from django.apps import apps
    from django.core.management import call_command
    from django.test import override_settings
    from wagtail.models import Locale, Page

    with override_settings(MIGRATION_MODULES={app.label: None for app in apps.get_app_configs()}):
        call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def _run() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections, transaction
    from django.test import Client
    from django.urls import reverse

    from zhunru import demo, roles
    from zhunru.leads.models import Lead
    from zhunru.leads.tracking import scan_deadlines
    from zhunru.models import DepartmentMembership
    from zhunru.portal import demo as portal_demo
    from zhunru.portal.models import Complaint

    settings.ZHUNRU_PORTAL = {"THROTTLE_NAMESPACE": uuid.uuid4().hex}
    _create_schema()
    jurisdiction = demo.load()[0]
    portal_demo.load()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    officials = []
    for i in range(OFFICIALS):
        user = get_user_model().objects.create_user(f"coord-{i}", f"coord-{i}@example.invalid", "pw-123456!")
        user.groups.add(Group.objects.get(name=roles.COORDINATOR))
        DepartmentMembership.objects.create(user=user, department=jurisdiction.lead_department)
        officials.append(user)
    unit = jurisdiction.departments.exclude(is_lead=True).first()
    demo_complaints = set(Complaint.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    connection.close()

    form_url = reverse("zhunru_portal:complaint", args=[jurisdiction.division_code])
    browse_urls = [form_url, reverse("zhunru_portal:complaint_status"),
                   reverse("zhunru_portal:catalog", args=[jurisdiction.division_code]), "/"]
    lock = threading.Lock()
    errors: list[str] = []
    counts = {"requests": 0, "status_5xx": 0, "filed": 0, "accepted": 0, "transferred": 0}
    citizens_done = threading.Event()
    start = threading.Barrier(CITIZENS + BROWSERS + OFFICIALS + 1)

    def count(response):
        with lock:
            counts["requests"] += 1
            if response.status_code >= 500:
                counts["status_5xx"] += 1
                errors.append(f"{response.status_code} {response.request['PATH_INFO']}")

    def worker(fn):
        def run(*args):
            try:
                start.wait()
                fn(*args)
            except Exception as exc:  # noqa: BLE001  (every failure is reported, none hidden)
                with lock:
                    errors.append(f"{fn.__name__}: {type(exc).__name__}: {exc}")
            finally:
                connections.close_all()
        return run

    @worker
    def citizen(n):
        client = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")
        for i in range(COMPLAINTS_EACH):
            count(client.get(form_url))
            response = client.post(form_url, {
                "submission_token": str(uuid.uuid4()), "organization": f"某街道办事处{n}-{i}",
                "description": "某街道在招标公告中要求投标企业必须在本区注册分公司，外地企业无法参与。",
                "document_or_practice": "某项目招标公告", "consent": "on",
            })
            count(response)
            if response.status_code == 302:
                with lock:
                    counts["filed"] += 1
                count(client.get(response["Location"]))
            else:
                with lock:
                    errors.append(f"complaint not filed: {response.status_code}")

    @worker
    def browser(n):
        client = Client(REMOTE_ADDR=f"10.0.1.{n + 1}")
        for i in range(BROWSES_EACH):
            count(client.get(browse_urls[i % len(browse_urls)], follow=False))

    @worker
    def official(n):
        user = officials[n]
        while True:
            finished = citizens_done.is_set()
            pending = [pk for pk in Complaint.objects.filter(status=Complaint.Status.RECEIVED)
                       .exclude(pk__in=demo_complaints).values_list("pk", flat=True) if pk % OFFICIALS == n]
            for pk in pending:
                complaint = Complaint.objects.get(pk=pk)
                complaint.accept(by=user)  # reads, creates the lead, writes the complaint: one transaction
                with lock:
                    counts["accepted"] += 1
                lead = Lead.objects.get(origin_id=str(pk), origin_type__model="complaint")
                lead.transfer(to=unit, by=user, note="请核查")  # locks, reads, writes: one transaction
                with lock:
                    counts["transferred"] += 1
            if finished and not pending:
                return
            citizens_done.wait(0.05)

    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(CITIZENS)]
    threads += [threading.Thread(target=browser, args=(n,)) for n in range(BROWSERS)]
    officers = [threading.Thread(target=official, args=(n,)) for n in range(OFFICIALS)]
    for thread in threads + officers:
        thread.start()
    start.wait()
    for _ in range(3):  # the scheduler's deadline scan, beside the rest
        result = scan_deadlines()
        errors.extend(f"scan: {e}" for e in result.errors)
    for thread in threads:
        thread.join()
    citizens_done.set()
    for thread in officers:
        thread.join()

    with transaction.atomic():
        new = Complaint.objects.exclude(pk__in=demo_complaints)
        stored = new.count()
        accepted_in_db = new.filter(status=Complaint.Status.ACCEPTED).count()
        leads_transferred = Lead.objects.filter(jurisdiction=jurisdiction, state=Lead.State.TRANSFERRED,
                                                origin_type__model="complaint").count()
    db = connection.settings_dict
    return {
        "engine": db["ENGINE"], "file": str(db["NAME"]), "journal_mode": journal_mode,
        "transaction_mode": connection.transaction_mode, "errors": errors, "locked_logs": _LOCKED.count,
        "requests": counts["requests"], "status_5xx": counts["status_5xx"], "filed": counts["filed"],
        "stored": stored, "accepted": counts["accepted"], "transferred": counts["transferred"], "accepted_in_db": accepted_in_db,
        "leads_transferred": leads_transferred,
    }


if __name__ == "__main__":
    _LOCKED = _LockedLogs()
    print(json.dumps(_run(), ensure_ascii=False))
