"""Figures of the coordinator dashboard: counts by state, on-time rate per department, overdue stages."""

from django.db.models import Count, F, Q
from django.utils import timezone


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
    overdue = list(stages.filter(completed_at__isnull=True, due_at__lt=now, lead__state__in=["received", "transferred", "verifying", "rectifying"])
                   .select_related("lead", "department").order_by("due_at")[:50])
    rated = [(d["name"], d["rate"]) for d in departments if d["rate"] is not None]
    return {"by_state": by_state, "departments": departments, "overdue": overdue, "total": sum(counts.values()),
            "chart": _bar_chart(by_state), "rate_chart": _bar_chart(rated, top=100, suffix="%")}


def _bar_chart(rows, *, top: int | None = None, suffix: str = "") -> dict:
    """Geometry of a horizontal bar chart drawn as inline SVG by the template (labels up to 12 characters)."""
    top = top or max([n for _, n in rows] + [1])
    bars = []
    for i, (label, n) in enumerate(rows):
        width = round(300 * n / top)
        bars.append({"label": label[:12], "n": f"{n}{suffix}", "y": 10 + i * 28, "width": width,
                     "text_x": 170 + width + 6})
    return {"bars": bars, "height": 20 + 28 * len(rows)}
