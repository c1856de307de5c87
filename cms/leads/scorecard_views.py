"""The department scorecard in the admin: the page, its printable form and its XLSX export."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext

from zhunru.audit.recording import record
from zhunru.leads.scorecard import (
    COLUMNS,
    KINDS,
    PERIOD_KINDS,
    PeriodError,
    compare,
    period_from_params,
    scorecard,
    table_values,
    workbook,
)
from zhunru.scoping import visible_departments


def can_view_scorecard(user) -> bool:
    return user.is_authenticated and visible_departments(user).exists()


def department_scorecard(request):
    """Coordinators and auditors see every department of their jurisdictions; an officer sees their own."""
    if not can_view_scorecard(request.user):
        raise PermissionDenied(gettext("您不属于任何部门，无法查看部门考评。"))
    departments = visible_departments(request.user).order_by("jurisdiction__division_code", "sort_order", "name")
    context = {"header_title": gettext("部门考评"), "period_kinds": PERIOD_KINDS, "params": request.GET, "kinds": KINDS,
               "columns": [name for name, _ in COLUMNS]}
    try:
        period = period_from_params(request.GET)
    except PeriodError as error:
        context["error"] = str(error)
        return TemplateResponse(request, "zhunru_leads/admin/scorecard.html", context, status=400)
    previous = period.previous()
    items = compare(scorecard(departments, period), scorecard(departments, previous))
    title = gettext("部门考评 {label}（对比 {label2}）").format(label=period.label, label2=previous.label)
    output = request.GET.get("format", "")
    if output == "xlsx":
        record("lead.scorecard_export", actor=request.user, request=request, object_type="zhunru_cms.department",
               object_repr=title, changes={"departments": len(items), "period": period.label})
        response = HttpResponse(workbook(items, title),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"department-scorecard-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context.update({"period": period, "previous": previous, "title": title, "items": items,
                    "rows": [table_values(item) for item in items], "generated": timezone.now()})
    template = "zhunru_leads/admin/scorecard_print.html" if output == "print" else "zhunru_leads/admin/scorecard.html"
    return TemplateResponse(request, template, context)
