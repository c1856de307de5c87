"""The coordinator dashboard (线索督办看板) and the admin home (待办 panel) rendered with their figures cached per
visible scope beside the same pages computing them on every load, in the same run on the same data.

Data: 20,000 open leads in one jurisdiction, 20 departments (bench/deadlines.py's builder), a coordinator of
its development and reform commission. Pages through Django's test client in this process (production
settings), REPEAT loads each: first with ``ZHUNRU_LEADS_FIGURES_CACHE_SECONDS = 0`` (every load computes), then
with the default 60 s (after one load that fills the cache). The cache is Redis when REDIS_URL is set (under a
key prefix of this run's own, deleted afterwards), else in-process memory. Own database, dropped afterwards.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/dashboard.py
"""

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import ROOT, manage, private_database, production_env  # noqa: E402

QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
LEADS = 5_000 if QUICK else 20_000
REPEAT = 10 if QUICK else 30


def _times(client, url: str) -> tuple[float, float]:
    """(p50 ms, p95 ms) of REPEAT loads of ``url``."""
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]


def run() -> list[tuple[str, str, str]]:
    redis_url = os.environ.get("REDIS_URL", "")
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-dashboard-") as tmp:
        tmp = Path(tmp)
        with private_database(tmp, f"bench_dashboard_{os.getpid()}") as database_url:
            env = production_env(tmp, database_url)
            env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
            manage(env, "migrate", "--noinput", "-v0")
            for name in ("REDIS_URL", "ELASTICSEARCH_URL"):  # never the shared Redis namespace or search index
                os.environ.pop(name, None)
            os.environ.update(env)
            os.chdir(ROOT)
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            import deadlines
            from django.contrib.auth import get_user_model
            from django.core.cache import cache
            from django.db import connection, connections
            from django.test import Client, override_settings
            from django.urls import reverse
            from django.utils import timezone

            from deploy.settings.base import redis_cache

            deadlines.LEADS = LEADS
            deadlines._build(timezone.now())
            prefix = f"bench-dashboard-{uuid.uuid4().hex}"
            caches = ({"default": redis_cache(redis_url, key_prefix=prefix)} if redis_url
                      else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
            label = (f"admin figures ({'PostgreSQL' if connection.vendor == 'postgresql' else 'SQLite'}, "
                     f"{LEADS:,} leads, cache: {'Redis' if redis_url else 'in-process memory'})")
            rows = []
            with override_settings(CACHES=caches):
                client = Client()
                client.force_login(get_user_model().objects.get(username="bench-coord"))
                pages = (("coordinator dashboard", reverse("zhunru_lead_dashboard")),
                         ("admin home (待办 panel)", reverse("wagtailadmin_home")))
                try:
                    for name, url in pages:
                        with override_settings(ZHUNRU_LEADS_FIGURES_CACHE_SECONDS=0):
                            client.get(url, secure=True)  # warm: templates, the session
                            plain = _times(client, url)
                        client.get(url, secure=True)  # fills the cache
                        cached = _times(client, url)
                        rows.append((label, f"{name}: computed each load | cached, p50 ms",
                                     f"{plain[0]:.1f} | {cached[0]:.1f} ({plain[0] / cached[0]:.1f}× faster)"))
                        rows.append((label, f"{name}: computed each load | cached, p95 ms",
                                     f"{plain[1]:.1f} | {cached[1]:.1f}"))
                finally:
                    if redis_url:
                        cache.delete_pattern("*")  # only this run's keys: the prefix is its own
            rows.append((label, "load average at the end (1 min)", f"{os.getloadavg()[0]:.1f}"))
            connections.close_all()
            return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<64} {metric:<58} {value}")
