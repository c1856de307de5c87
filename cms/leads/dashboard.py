"""Figures of the coordinator dashboard: counts by state, on-time rate per department, overdue stages.

They are aggregates over every lead in the user's scope, so they and the home 待办 panel are cached
(``cached_figures``): per visible scope (the scoped query's SQL and parameters are the key: they name the
jurisdictions, departments, or the user where a scope is a subquery on the user's memberships, and the filters;
a user of 侯马市 and one of 昌江区 never share an entry), for ``ZHUNRU_LEADS_FIGURES_CACHE_SECONDS``, under a
version that every write to leads, stages, extensions, co-handling requests and complaints replaces (at once
and again after commit). With the cache (Redis) down every read is a miss and the figures are computed.
"""

import hashlib
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, F, Q
from django.utils import timezone

from zhunru.leads import conf

VERSION_KEY = "zhunru:leads:figures:version"


def figures_version() -> str:
    """The current version of every cached figure (a new one after each write that can change them)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY) or version
    return version


def drop_cached_figures(**kwargs) -> None:
    """Make every cached figure stale (a signal receiver: any write that can change a count)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def cached_figures(kind: str, scope: Callable[[], str], compute: Callable[[], object]):
    """``compute()``, cached per ``kind`` and ``scope()`` (a text naming exactly what the user may see)."""
    seconds = conf.get("FIGURES_CACHE_SECONDS")
    if not seconds:
        return compute()
    digest = hashlib.sha256(scope().encode("utf-8")).hexdigest()
    key = f"zhunru:leads:figures:{kind}:{figures_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def scope_of(*querysets) -> str:
    """The scope of scoped querysets: their SQL with its parameters (every jurisdiction, department and filter
    they hold)."""
    parts = []
    for queryset in querysets:
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # .none(): sees nothing
            sql, params = "none", ()
        parts.append(f"{queryset.model._meta.label}|{sql}|{params!r}")
    return "\n".join(parts)


def cached_dashboard_figures(leads) -> dict:
    """``dashboard_figures(leads)`` for a scoped (and filtered) lead queryset, cached per that scope."""
    return cached_figures("dashboard", lambda: scope_of(leads), lambda: dashboard_figures(leads))


def dashboard_figures(leads, now=None) -> dict:
    from zhunru.leads.models import Lead, LeadStage

    now = now or timezone.now()
    counts = dict(leads.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    by_state = [(label, counts.get(value, 0)) for value, label in Lead.State.choices]
    stages = LeadStage.objects.filter(lead__in=leads)
    per_dept = (
        stages.exclude(department=None)
        .values("department__name")
        .annotate(
            done=Count("pk", filter=Q(completed_at__isnull=False)),
            on_time=Count("pk", filter=Q(completed_at__isnull=False, completed_at__lte=F("due_at"))),
            open_overdue=Count("pk", filter=Q(completed_at__isnull=True, due_at__lt=now)),
        )
        .order_by("department__name")
    )
    departments = []
    for row in per_dept:
        rate = round(100 * row["on_time"] / row["done"]) if row["done"] else None
        departments.append({"name": row["department__name"], "done": row["done"], "on_time": row["on_time"],
                            "rate": rate, "open_overdue": row["open_overdue"]})
    overdue = list(overdue_stages(stages, now).select_related("lead", "department")[:50])
    rated = [(d["name"], d["rate"]) for d in departments if d["rate"] is not None]
    return {"by_state": by_state, "departments": departments, "overdue": overdue, "total": sum(counts.values()),
            "chart": _bar_chart(by_state), "rate_chart": _bar_chart(rated, top=100, suffix="%")}


def overdue_stages(stages, now):
    """Open stages of open leads past their due time, most overdue first (the dashboard lists the first 50)."""
    return stages.filter(completed_at__isnull=True, due_at__lt=now,
                         lead__state__in=["received", "transferred", "verifying", "rectifying"]).order_by("due_at")


def _bar_chart(rows, *, top: int | None = None, suffix: str = "") -> dict:
    """Geometry of a horizontal bar chart drawn as inline SVG by the template (labels up to 12 characters)."""
    top = top or max([n for _, n in rows] + [1])
    bars = []
    for i, (label, n) in enumerate(rows):
        width = round(300 * n / top)
        bars.append({"label": label[:12], "n": f"{n}{suffix}", "y": 10 + i * 28, "width": width,
                     "text_x": 170 + width + 6})
    return {"bars": bars, "height": 20 + 28 * len(rows)}
