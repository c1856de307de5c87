"""Health endpoints for probes: ``/healthz`` (the process answers) and ``/readyz`` (its services answer).

``/readyz`` checks each part the web and worker processes need — the database, Redis (broker, cache and
scheduler lock, when ``REDIS_URL`` is set) and the search backend — and names the failing ones, so an
operator reading a failed probe knows where to look. Neither endpoint needs a session or a login.

The web process degrades without Redis (the cache fails open, rate limits count per process, queued work
waits in the database outboxes and is relayed when the broker is back), so ``/readyz`` answers 200 with
``"status": "degraded"`` and names it under ``degraded``: taking every web pod out of service over a Redis
outage would drop the pages that still work. A failing required part (the database, search) is a 503.
Workers and the scheduler cannot work without Redis: their check (``deploy/healthcheck.py services``) still
fails on it.
"""

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0
# The whole of /readyz answers within this, below the probes' timeout, naming any part that did not.
READY_TIMEOUT_SECONDS = 5.0


def check_database(alias: str = "default") -> dict:
    """``SELECT 1`` on the configured database."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connections[alias].vendor}


def check_redis(url: str | None = None) -> dict:
    """PING the Redis server Dramatiq, the cache and the scheduler lock use; skipped without ``REDIS_URL``."""
    url = settings.REDIS_URL if url is None else url
    if not url:
        return {"ok": True, "skipped": _("未配置 REDIS_URL：使用进程内消息代理")}
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
                                  socket_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def check_search() -> dict:
    """The search backend's own ``health()`` (Elasticsearch cluster or embedded index)."""
    try:
        from zhunru.search.backends import get_backend
    except ImportError:  # search package without backends (a host site that left it out)
        return _check_search_settings()
    result = dict(get_backend().health())
    result.setdefault("ok", False)
    return result


def _check_search_settings() -> dict:
    """Fallback: the configured index directory is writable or the cluster URL answers."""
    config = getattr(settings, "ZHUNRU_SEARCH", {}) or {}
    if config.get("URL"):
        import urllib.request

        with urllib.request.urlopen(config["URL"], timeout=CHECK_TIMEOUT_SECONDS) as response:
            return {"ok": response.status < 500, "url_status": response.status}
    path = Path(config.get("PATH") or Path(settings.VAR_DIR) / "search-index")
    path.mkdir(parents=True, exist_ok=True)
    probe = path / ".readyz"
    probe.write_text("ok")
    probe.unlink()
    return {"ok": True, "path": str(path)}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "redis": check_redis,
    "search": check_search,
}
# Parts the web process works without, in a degraded way (what each loses, for the operator).
DEGRADABLE: dict[str, str] = {
    "redis": gettext_lazy("后台任务暂存数据库待补发，缓存停用，限流按进程计数"),
}


def _timed(check: Callable[[], dict]) -> dict:
    """Run one check in a pool thread: report errors as results, close the thread's DB connections."""
    started = time.monotonic()
    try:
        result = check()
    except Exception as exc:  # a probe reports, it never raises
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        connections.close_all()  # this pool thread's own connections
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def run_checks(checks: dict[str, Callable[[], dict]] | None = None,
               timeout: float = READY_TIMEOUT_SECONDS, degradable=()) -> tuple[bool, dict]:
    """Run every check at once; one that raises, reports ``ok: False`` or outlasts ``timeout`` fails, named.

    A failing part named in ``degradable`` is listed under ``degraded`` instead of ``failing`` and does not
    make the result not ok."""
    checks = checks or CHECKS
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: pool.submit(_timed, check) for name, check in checks.items()}
    wait(futures.values(), timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)  # a hung check must not hold the probe
    results: dict[str, dict] = {}
    for name, future in futures.items():
        if future.done():
            results[name] = future.result()
        else:
            results[name] = {"ok": False, "error": _("超时：{timeout:g} 秒内未响应").format(timeout=timeout)}
    down = [name for name, result in results.items() if not result.get("ok")]
    failing = [name for name in down if name not in degradable]
    degraded = [name for name in down if name in degradable]
    if down:
        log.warning("readyz %s: %s", "failing" if failing else "degraded", ", ".join(down),
                    extra={"checks": results})
    return not failing, {"checks": results, "failing": failing, "degraded": degraded}


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests; touches no other service (liveness probe)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Every service this process needs answers (readiness probe); 503 naming the failing ones, 200 naming
    the degraded ones (``DEGRADABLE``: the web process still serves every page without them)."""
    ok, body = run_checks(degradable=DEGRADABLE)
    if ok and body["degraded"]:
        message = _("服务降级运行：") + "；".join(_("{name}不可用（{value}）").format(name=name, value=DEGRADABLE[name]) for name in body["degraded"])
        return JsonResponse({"status": "degraded", "message": message, **body},
                            json_dumps_params={"ensure_ascii": False})
    if ok:
        return JsonResponse({"status": "ok", **body})
    message = _("服务未就绪，不可用的组件：") + "、".join(body["failing"])
    return JsonResponse({"status": "unavailable", "message": message, **body}, status=503,
                        json_dumps_params={"ensure_ascii": False})
