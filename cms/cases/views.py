"""Admin views of the register: life-cycle steps on a case, the archive catalogue and its exports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.audit.recording import record
from zhunru.cases.exports import catalogue_pdf, catalogue_xlsx, describe_filters
from zhunru.cases.models import Case, Category, Importance

CASE_ACTIONS = {
    "register": ("register", gettext_lazy("已登记，编号 {result}。"), gettext_lazy("登记案例")),
    "start_review": ("start_review", gettext_lazy("案例已进入审核。"), gettext_lazy("开始审核")),
    "archive": ("archive", gettext_lazy("已归档，档号 {result}。"), gettext_lazy("归档")),
    "mark_reviewed": ("mark_reviewed", gettext_lazy("已记录本次定期审核。"), gettext_lazy("记录定期审核")),
}


def _back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def case_action(request, pk: int, action: str):
    """One life-cycle step, for the lead department's keepers of the register (GET asks, POST does)."""
    if action not in CASE_ACTIONS:
        raise PermissionDenied(_("未知操作。"))
    if not request.user.has_perm("zhunru_cases.register_case"):
        raise PermissionDenied(_("只有牵头部门的案例管理人员可以登记、审核和归档案例。"))
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    method, message, label = CASE_ACTIONS[action]
    if request.method != "POST":
        return TemplateResponse(
            request,
            "zhunru_cases/admin/confirm_case_action.html",
            {"case": case, "label": label, "page_title": label, "header_title": label,
             "next": request.GET.get("next", "")},
        )
    try:
        result = getattr(case, method)(by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, message.format(result=result or ""))
    return _back(request, reverse(Case.snippet_viewset.get_url_name("list")))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def archive_catalogue(request):
    """档案目录: archived cases by category, year and importance; exported as XLSX or PDF."""
    if not request.user.has_perm("zhunru_cases.view_case"):
        raise PermissionDenied(_("您无权查看档案目录。"))
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    importance = request.GET.get("importance", "")
    importance = importance if importance in Importance.values else ""
    year = _int(request.GET.get("year"))
    cases = Case.objects.visible_to(request.user).catalogue(category=category, year=year, importance=importance)
    filters = describe_filters(category, year, importance)
    export = request.GET.get("export", "")
    if export in ("xlsx", "pdf"):
        if not request.user.has_perm("zhunru_cases.export_catalogue"):
            raise PermissionDenied(_("您无权导出档案目录。"))
        stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
        if export == "xlsx":
            body = catalogue_xlsx(cases, filters=filters)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = catalogue_pdf(cases, filters=filters)
            content_type = "application/pdf"
        record("case.catalogue_export", request=request, object_type="zhunru_cases.case", object_repr=_("档案目录"),
               changes={"format": export, "filters": filters, "rows": len(cases)})
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="archive-catalogue-{stamp}.{export}"'
        return response
    years = (
        Case.objects.visible_to(request.user).archived().order_by("-archive_year")
        .values_list("archive_year", flat=True).distinct()
    )
    query = request.GET.copy()
    query.pop("export", None)
    return TemplateResponse(
        request,
        "zhunru_cases/admin/archive_catalogue.html",
        {
            "cases": cases,
            "filter_text": filters,
            "categories": Category.choices,
            "importances": Importance.choices,
            "years": list(years),
            "selected": {"category": category, "importance": importance, "year": year},
            "query": query.urlencode(),
            "can_export": request.user.has_perm("zhunru_cases.export_catalogue"),
            "header_title": _("案例档案目录"),
            "page_title": _("案例档案目录"),
        },
    )


def _files_view(request, owner, *, store, title: str, back_url: str):
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要上传的文件。"))
        else:
            try:
                attachment = store(upload, user=request.user)
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                messages.success(request, _("已上传“{original_name}”，SHA-256 已记录。").format(original_name=attachment.original_name))
        return redirect(request.path)
    return TemplateResponse(
        request,
        "zhunru_cases/admin/files.html",
        {"owner": owner, "attachments": owner.attachments, "page_title": title, "header_title": title,
         "back_url": back_url},
    )


def case_files(request, pk: int):
    """案例资料: a case's files, uploaded through the content-checked store, visible to its department."""
    if not request.user.has_perm("zhunru_cases.change_case"):
        raise PermissionDenied(_("您无权管理案例资料。"))
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    return _files_view(request, case, store=case.add_attachment, title=_("案例资料：{case}").format(case=case),
                       back_url=reverse(Case.snippet_viewset.get_url_name("list")))


def ledger_evidence(request, pk: int):
    """整改印证材料 of a ledger entry."""
    from zhunru.cases.models import LedgerEntry

    if not request.user.has_perm("zhunru_cases.change_ledgerentry"):
        raise PermissionDenied(_("您无权上传整改印证材料。"))
    entry = get_object_or_404(LedgerEntry.objects.visible_to(request.user), pk=pk)
    return _files_view(request, entry, store=entry.add_evidence, title=_("整改印证材料：{entry}").format(entry=entry),
                       back_url=reverse(LedgerEntry.snippet_viewset.get_url_name("list")))


def ledger_promote(request, pk: int):
    """Turn a ledger finding into a reported case in one step."""
    from zhunru.cases.models import LedgerEntry, Subcategory

    if not request.user.has_perm("zhunru_cases.add_case"):
        raise PermissionDenied(_("您无权报送案例。"))
    entry = get_object_or_404(LedgerEntry.objects.visible_to(request.user), pk=pk)
    if request.method == "POST":
        try:
            case = entry.promote_to_case(
                by=request.user,
                request=request,
                category=request.POST.get("category", ""),
                subcategory=request.POST.get("subcategory", ""),
                importance=request.POST.get("importance", ""),
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect(request.path)
        messages.success(request, _("已转为案例并报送案例登记簿。"))
        return redirect(reverse(Case.snippet_viewset.get_url_name("edit"), args=[case.pk]))
    return TemplateResponse(
        request,
        "zhunru_cases/admin/promote_entry.html",
        {"entry": entry, "categories": Category.choices, "subcategories": Subcategory.choices,
         "importances": Importance.choices, "page_title": _("问题转为案例"), "header_title": _("问题转为案例")},
    )


def ledger_promote_lead(request, pk: int):
    """Turn a ledger finding into a lead in one step (GET asks, POST does)."""
    from django.core.exceptions import ImproperlyConfigured

    from zhunru.cases.models import LedgerEntry

    if not request.user.has_perm("zhunru_leads.add_lead"):
        raise PermissionDenied(_("您无权登记线索。"))
    entry = get_object_or_404(LedgerEntry.objects.visible_to(request.user), pk=pk)
    back = reverse(LedgerEntry.snippet_viewset.get_url_name("list"))
    if request.method != "POST":
        return TemplateResponse(
            request,
            "zhunru_cases/admin/confirm_case_action.html",
            {"case": entry, "label": _("转为线索"), "page_title": _("问题转为线索"), "header_title": _("问题转为线索"),
             "next": back},
        )
    try:
        lead = entry.promote_to_lead(by=request.user, request=request)
    except (ValidationError, ImproperlyConfigured) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        return redirect(back)
    messages.success(request, _("已转为线索：{lead}").format(lead=lead))
    return redirect(getattr(lead, "admin_url", "") or back)


LEDGER_ACTIONS = {
    "start": ("start_rectifying", gettext_lazy("开始整改"), gettext_lazy("已开始整改。")),
    "rectified": ("report_rectified", gettext_lazy("报告整改完成"), gettext_lazy("已报告整改完成。")),
    "close": ("close", gettext_lazy("销号"), gettext_lazy("已销号。")),
}


def ledger_action(request, pk: int, action: str):
    """A ledger entry's status step (GET asks, POST does); the entry's form never edits the status."""
    from zhunru.cases.models import LedgerEntry

    if action not in LEDGER_ACTIONS:
        raise PermissionDenied(_("未知操作。"))
    entry = get_object_or_404(LedgerEntry.objects.visible_to(request.user), pk=pk)
    method, label, done = LEDGER_ACTIONS[action]
    back = reverse(LedgerEntry.snippet_viewset.get_url_name("list"))
    if request.method != "POST":
        return TemplateResponse(request, "zhunru_cases/admin/ledger_action.html", {
            "entry": entry, "label": label, "needs_result": action == "rectified", "next": back,
            "page_title": label, "header_title": _("问题台账：{label}").format(label=label)})
    kwargs = {"result": request.POST.get("result", "")} if action == "rectified" else {}
    try:
        getattr(entry, method)(by=request.user, request=request, **kwargs)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(back)
    messages.success(request, done)
    return redirect(back)
