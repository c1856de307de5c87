"""Web process throughput: /healthz, /readyz and a published policy page.

Two ways: in-process through Django's test client (one thread: the cost of Django + Wagtail per request,
no network), and against a real gunicorn (deploy/gunicorn.conf.py, production settings, DEBUG off) on
a loopback port with keep-alive client threads in this process. Demo content is loaded into a private
database: a SQLite file in a temporary directory, or, when DATABASE_URL names PostgreSQL, a database of
its own on that server (``zhunru_bench_web``), dropped afterwards.

    .venv/bin/python bench/web.py            # ~1 minute
    ZHUNRU_BENCH_QUICK=1 .venv/bin/python bench/web.py
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import manage, private_database, production_env  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
SECONDS = 1.5 if QUICK else 5.0
CLIENT_THREADS = 4
POLICY_HOST = "changjiang.localhost"
POLICY_PATH = "/policies/market-access-mechanisms/"
SEARCH_PATH = "/portal/search/?q=%E5%B8%82%E5%9C%BA%E5%87%86%E5%85%A5&j=360202"  # q=市场准入, 昌江区
PAGES = (("healthz", "/healthz", "localhost"), ("readyz", "/readyz", "localhost"),
         ("policy page", POLICY_PATH, POLICY_HOST), ("portal search", SEARCH_PATH, POLICY_HOST))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(env: dict) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo")
    manage(env, "rebuild_search_index")


def _in_process(env: dict) -> list[tuple[str, str, str]]:
    """Requests per second through the test client, in a child process with the bench settings."""
    code = f"""
import time, django
django.setup()
from django.test import Client
c = Client()
for name, path, host in {PAGES!r}:
    status = c.get(path, HTTP_HOST=host).status_code
    if status != 200:
        print(f"{{name}}\tHTTP {{status}}\t-")
        continue
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < {SECONDS}:
        c.get(path, HTTP_HOST=host); n += 1
    elapsed = time.perf_counter() - start
    print(f"{{name}}\\t{{n / elapsed:.0f}}\\t{{elapsed / n * 1000:.2f}}")
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300, check=True).stdout
    rows = []
    for line in out.strip().splitlines():
        name, rps, ms = line.split("\t")
        rows.append(("web (test client, 1 thread)", f"{name} requests/s", rps))
        rows.append(("web (test client, 1 thread)", f"{name} ms/request", ms))
    return rows


def _hammer(port: int, path: str, host: str) -> tuple[int, int]:
    """Keep-alive GETs from CLIENT_THREADS threads for SECONDS; (responses, errors)."""
    counts = [0, 0]
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def loop():
        ok = bad = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < deadline:
            try:
                conn.request("GET", path, headers={"Host": host})
                response = conn.getresponse()
                response.read()
                ok += response.status == 200
                bad += response.status != 200
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.close()
        with lock:
            counts[0] += ok
            counts[1] += bad

    threads = [threading.Thread(target=loop) for _ in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts[0], counts[1]


def _gunicorn(env: dict, workers: int) -> list[tuple[str, str, str]]:
    port = _free_port()
    genv = {**env, "PORT": str(port), "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": "4"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                                "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "deploy.wsgi"],
                               cwd=ROOT, env=genv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    label = f"web (gunicorn {workers}w×4t, {CLIENT_THREADS} client threads)"
    rows = []
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        _hammer(port, "/healthz", "localhost")  # warm up every worker
        for name, path, host in (p for p in PAGES if p[0] != "readyz"):
            ok, bad = _hammer(port, path, host)
            rows.append((label, f"{name} requests/s", f"{ok / SECONDS:.0f}"))
            if bad:
                rows.append((label, f"{name} errors", str(bad)))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return rows


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="zhunru-bench-web-") as tmp:
        tmp = Path(tmp)
        with private_database(tmp, "zhunru_bench_web") as database_url:
            env = production_env(tmp, database_url)
            started = time.perf_counter()
            _prepare(env)
            rows = [("web", "database", "PostgreSQL" if database_url.startswith("postgres") else "SQLite"),
                    ("web", "setup seconds (migrate, load_demo, index)", f"{time.perf_counter() - started:.1f}")]
            rows += _in_process(env)
            rows += _gunicorn(env, workers=2)
            return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<48} {metric:<32} {value}")
