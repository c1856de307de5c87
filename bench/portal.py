"""Portal page timings on the demo data: p50/p95 per page, goal under 200 ms.

In-process through Django's test client (the full middleware stack, templates and queries; no network),
on a fresh SQLite database in a temporary directory with `load_demo` and a built search index; the full-page
cache is off there (test settings), so these are rendering costs.

Then under load: gunicorn (deploy/gunicorn.conf.py, production settings, 2 workers × 4 threads) on the same
database, 32 keep-alive clients in this process requesting the anonymous pages (installation index, home,
policy list and page, bulletin list and page) round-robin: p50/p95 per request with the full-page cache off
(ZHUNRU_PAGE_CACHE_SECONDS=0) and on, in the same run. Each gunicorn worker has its own in-memory cache
here (no REDIS_URL), so each page is rendered once per worker before it is served from the cache.

    .venv/bin/python bench/portal.py
    ZHUNRU_BENCH_QUICK=1 .venv/bin/python bench/portal.py
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
ROUNDS = 15 if QUICK else 60
GOAL_MS = 200.0
HOST = "changjiang.localhost"
INSTALLATION_HOST = "127.0.0.1:8000"  # the default site, whose root is the installation index (zhunru.demo)
LOAD_CLIENTS = 32
LOAD_SECONDS = 3.0 if QUICK else 8.0
LOAD_PAGES = ("installation index", "home", "policy list", "policy page", "bulletin list", "bulletin page")


def _setup(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    for name in ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL"):
        os.environ.pop(name, None)
    os.environ["ZHUNRU_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "deploy.settings.test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ZHUNRU_PORTAL = {
        "COMPLAINT_RATE": (10**9, 3600), "STATUS_LOOKUP_RATE": (10**9, 3600), "RATING_RATE": (10**9, 3600),
    }
    call_command("migrate", verbosity=0, interactive=False)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)
    from zhunru.search.indexing import rebuild

    rebuild()


def _pages() -> list[tuple[str, str, str, dict]]:
    """(name, method, path, data) of each portal page, in order (a page shown after a submission follows it).

    Paths are on the Changjiang site, except the installation index (``INSTALLATION_HOST``)."""
    from django.apps import apps

    from zhunru.models import Jurisdiction, PolicyPage
    from zhunru.portal.catalog import catalog_available
    from zhunru.portal.models import Complaint

    changjiang = Jurisdiction.objects.get(division_code="360202")
    home = changjiang.home_page
    policy = PolicyPage.objects.live().descendant_of(home).first()
    pages = [
        ("installation index", "GET", "/", {"host": INSTALLATION_HOST}),
        ("home", "GET", "/", {}),
        ("policy list", "GET", policy.get_parent().url_path.removeprefix(home.url_path[:-1]), {}),
        ("policy page", "GET", policy.url_path.removeprefix(home.url_path[:-1]), {}),
    ]
    try:
        bulletin_model = apps.get_model("zhunru_cases", "BulletinPage")
    except LookupError:
        bulletin_model = None
    bulletin = bulletin_model.objects.live().descendant_of(home).first() if bulletin_model else None
    if bulletin is not None:
        prefix = home.url_path[:-1]
        pages += [
            ("bulletin list", "GET", bulletin.get_parent().url_path.removeprefix(prefix), {}),
            ("bulletin page", "GET", bulletin.url_path.removeprefix(prefix), {}),
            ("bulletin PDF", "GET", bulletin.url_path.removeprefix(prefix) + "pdf/", {}),
        ]
    complaint = {"description": "某街道在招标公告中要求投标企业必须在本区注册分公司。", "organization": "某街道办事处",
                 "consent": "on"}
    pages += [
        ("search", "GET", "/portal/search/?q=市场准入&j=360202", {}),
        ("search filtered", "GET", "/portal/search/?q=市场准入&j=360202&type=policy", {}),
        ("search empty", "GET", "/portal/search/?q=完全不存在的词语组合&j=360202", {}),
        ("complaint form", "GET", "/portal/360202/complaint/", {}),
        ("complaint submit", "POST", "/portal/360202/complaint/", complaint),
        # The receipt is shown once, for the session's last submission: each timed view follows an untimed one.
        ("complaint receipt", "GET", "/portal/complaint/receipt/",
         {"before": ("POST", "/portal/360202/complaint/", complaint)}),
        ("status form", "GET", "/portal/complaint/status/", {}),
        ("status lookup", "POST", "/portal/complaint/status/",
         {"code": Complaint.objects.filter(jurisdiction=changjiang).first().receipt_code}),
    ]
    if catalog_available():
        from zhunru.catalog.models import ListItem, ServiceItem

        service = ServiceItem.objects.public().filter(department__jurisdiction=changjiang).first()
        item = service.list_items.filter(edition__is_active=True).first() or ListItem.objects.public().first()
        guide = service.documents.filter(kind="guide", published=True, attachment__isnull=False).order_by("pk").first()
        pages += [
            ("negative list", "GET", "/portal/360202/list/", {}),
            ("negative list filtered", "GET", "/portal/360202/list/?kind=permitted", {}),
            ("negative list (national)", "GET", "/portal/list/", {}),
            ("list item", "GET", f"/portal/360202/list/items/{item.pk}/", {}),
            ("list item (national)", "GET", f"/portal/list/items/{item.pk}/", {}),
            ("service item", "GET", f"/portal/360202/services/{service.pk}/", {}),
        ]
        if guide is not None:
            pages.append(("guide download", "GET", guide.get_download_url(), {}))
        pages += [
            ("rating form", "GET", f"/portal/360202/services/{service.pk}/rate/", {}),
            ("rating submit", "POST", f"/portal/360202/services/{service.pk}/rate/",
             {"level": "5", "comment": "办理顺利。"}),
            ("rating thanks", "GET", f"/portal/360202/services/{service.pk}/rate/thanks/", {}),  # from the session
        ]
    return pages


def _measure(client, method: str, path: str, data: dict) -> list[float]:
    times = []
    data = dict(data)
    host = data.pop("host", HOST)
    before = data.pop("before", None)
    for i in range(ROUNDS + 3):
        if before is not None:
            _measure_once(client, *before, host=host)
        payload = dict(data)
        if "organization" in payload or "level" in payload:
            payload["submission_token"] = str(uuid.uuid4())
        start = time.perf_counter()
        response = client.post(path, payload, HTTP_HOST=host) if method == "POST" else client.get(path, HTTP_HOST=host)
        if response.streaming:
            b"".join(response.streaming_content)  # a download counts until its last byte
        elapsed = (time.perf_counter() - start) * 1000
        if method == "GET" and response.status_code != 200:
            # A page shown from the session (receipt, thanks) redirects when it has nothing to show.
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400 or ("submission_token" in payload and response.status_code != 302):
            # A submission that does not redirect re-rendered its form with errors: nothing was stored.
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code}")
        if i >= 3:  # warm-up
            times.append(elapsed)
    return times


def _measure_once(client, method: str, path: str, data: dict, *, host: str) -> None:
    """One untimed request a timed one depends on (a submission before its receipt)."""
    payload = {**data, "submission_token": str(uuid.uuid4())}
    response = client.post(path, payload, HTTP_HOST=host) if method == "POST" else client.get(path, HTTP_HOST=host)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path}: HTTP {response.status_code}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hammer(port: int, targets: list[tuple[str, str]], seconds: float) -> tuple[list[float], int]:
    """LOAD_CLIENTS keep-alive clients GET the targets round-robin for ``seconds``: (latencies ms, errors)."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        mine, bad, i = [], 0, offset
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            path, host = targets[i % len(targets)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": host})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if response.status != 200:
                bad += 1
                continue
            mine.append((time.perf_counter() - start) * 1000)
        conn.close()
        with lock:
            times.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(LOAD_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors[0]


def _under_load(tmp: Path, pages) -> list[tuple[str, str, str]]:
    """p50/p95 of anonymous pages through gunicorn at LOAD_CLIENTS clients, page cache off and on."""
    from django.conf import settings

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _db import production_env

    database = settings.DATABASES["default"]["NAME"]
    targets = [(quote(path, safe="/?=&"), data.get("host", HOST)) for name, method, path, data in pages
               if name in LOAD_PAGES]
    label = f"portal under load (gunicorn 2w×4t, {LOAD_CLIENTS} clients, {len(targets)} pages)"
    rows = []
    for cached in (False, True):
        module = f"bench_portal_settings_{'cached' if cached else 'uncached'}"
        (tmp / f"{module}.py").write_text("from deploy.settings.production import *  # noqa: F403\n"
                                          f"ZHUNRU_PAGE_CACHE_SECONDS = {300 if cached else 0}\n")
        port = _free_port()
        env = {**production_env(tmp, f"sqlite:///{database}"), "DJANGO_SETTINGS_MODULE": module,
               "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]), "PORT": str(port), "WEB_CONCURRENCY": "2",
               "GUNICORN_THREADS": "4"}
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                                    "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "deploy.wsgi"],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            _hammer(port, targets, 1.0)  # warm-up: imports, connections, and (cached) each worker's entries
            times, errors = _hammer(port, targets, LOAD_SECONDS)
        finally:
            process.terminate()
            process.wait(timeout=30)
        if not times:
            raise RuntimeError(f"no successful request under load ({errors} errors)")
        times.sort()
        p50, p95 = statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]
        which = "cached" if cached else "uncached"
        rows.append((label, f"{which}: p50 ms", f"{p50:.0f}"))
        rows.append((label, f"{which}: p95 ms (goal < {GOAL_MS:.0f})",
                     f"{p95:.0f}" + ("" if p95 < GOAL_MS else " (over the goal)")))
        rows.append((label, f"{which}: requests/s (errors)", f"{len(times) / LOAD_SECONDS:.0f} ({errors})"))
    return rows


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-portal-") as tmp:
        _setup(Path(tmp))
        from django.test import Client

        client = Client()
        rows = []
        pages = _pages()
        for name, method, path, data in pages:
            try:
                times = sorted(_measure(client, method, path, data))
            except RuntimeError as exc:  # one page failing does not hide the others' figures
                rows.append((f"portal {name}", "failed", str(exc)[:120]))
                continue
            p50 = statistics.median(times)
            p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
            rows.append((f"portal {name}", "p50 ms", f"{p50:.1f}"))
            rows.append((f"portal {name}", "p95 ms", f"{p95:.1f}" + ("" if p95 < GOAL_MS else " (over 200 ms goal)")))
        rows += _under_load(Path(tmp), pages)
        return rows


if __name__ == "__main__":
    rows = run()
    width = max(len(r[0]) for r in rows)
    for benchmark, metric, value in rows:
        print(f"{benchmark:<{width}}  {metric:<28} {value}")
