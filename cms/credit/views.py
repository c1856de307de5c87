"""Admin views: a subject's credit page, resend, reconciliation, batch export, commitment actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhunru.credit import outbox
from zhunru.credit.models import (
    CreditCommitment,
    CreditPlatform,
    DishonestyRecord,
    MarketSubject,
    OutboundRecord,
)
from zhunru.scoping import get_visible_or_404, is_coordinator, sees_jurisdiction
from zhunru.workers.clients.credit_platform import CreditPlatformError, for_platform


def _require(request, perm: str):
    if not (request.user.is_authenticated and request.user.has_perm(perm)):
        raise PermissionDenied(_("您没有权限执行此操作。"))


def _coordinator(request):
    if not is_coordinator(request.user):
        raise PermissionDenied(_("仅发改委协调员可以执行此操作。"))


def _jurisdiction_reader(request):
    """Coordinators and auditors (who only read) may open the jurisdiction-wide credit pages."""
    if not sees_jurisdiction(request.user):
        raise PermissionDenied(_("仅发改委协调员和审计员可以查看此页面。"))


def subject_credit(request, pk):
    _require(request, "zhunru_credit.view_marketsubject")
    subject = get_visible_or_404(MarketSubject, request, pk=pk)
    return TemplateResponse(request, "zhunru_credit/admin/subject.html", {
        "subject": subject,
        "class_changes": subject.class_changes.select_related("changed_by"),
        "lists": subject.list_memberships.all(),
        "commitments": CreditCommitment.objects.visible_to(request.user).filter(subject=subject).select_related("department"),
        "dishonesty": DishonestyRecord.objects.visible_to(request.user).filter(subject=subject),
        "records": OutboundRecord.objects.visible_to(request.user).filter(subject=subject).select_related("platform"),
        "feed_changes": subject.feed_changes.select_related("platform")[:50],
        "header_title": _("信用档案：{name}").format(name=subject.name),
    })


def resend(request, pk):
    _coordinator(request)
    row = get_visible_or_404(OutboundRecord, request, pk=pk)
    if request.method != "POST":
        return TemplateResponse(request, "zhunru_credit/admin/resend.html", {
            "row": row, "header_title": _("重新发送：{row}").format(row=row)})
    try:
        outbox.resend(row, by=request.user, request=request, force=bool(request.POST.get("force")))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已重新加入发送队列。"))
    return redirect(request.POST.get("next") or "wagtailsnippets_zhunru_credit_outboundrecord:list")


@require_POST
def fulfil(request, pk):
    _require(request, "zhunru_credit.change_creditcommitment")
    c = get_object_or_404(CreditCommitment.objects.visible_to(request.user), pk=pk)
    try:
        c.fulfil(by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已确认履约。"))
    return redirect("zhunru_credit_subject", pk=c.subject_id)


def reconciliation(request):
    """What we sent vs what each platform acknowledged, for the latest records per platform."""
    _jurisdiction_reader(request)
    limit = 500
    report = []
    mine = OutboundRecord.objects.visible_to(request.user)  # national platforms carry every jurisdiction: own only
    for platform in CreditPlatform.objects.visible_to(request.user).filter(enabled=True):
        rows = list(mine.filter(platform=platform).order_by("-created_at")[:limit])
        error = ""
        acks: dict = {}
        try:
            acks = for_platform(platform).acknowledged([str(r.record_id) for r in rows]) if rows else {}
        except CreditPlatformError as exc:
            error = str(exc)
        items = []
        counts = {"match": 0, "missing": 0, "mismatch": 0, "unsent": 0}
        for r in rows:
            theirs = acks.get(str(r.record_id))
            if error:
                state = "unknown"
            elif r.status == OutboundRecord.Status.DELIVERED and theirs == r.ack_id:
                state = "match"
            elif r.status == OutboundRecord.Status.DELIVERED:
                state = "missing" if theirs is None else "mismatch"
            elif theirs:
                state = "mismatch"  # the platform has it, we do not know it is delivered
            else:
                state = "unsent"
            if state in counts:
                counts[state] += 1
            if state != "match":
                items.append({"row": r, "theirs": theirs, "state": state})
        report.append({"platform": platform, "error": error, "counts": counts, "items": items, "total": len(rows)})
    return TemplateResponse(request, "zhunru_credit/admin/reconciliation.html", {
        "report": report, "limit": limit, "header_title": _("报送对账"), "now": timezone.now(),
    })


def export(request, fmt):
    """The batch file in the national 双公示 layouts: XLSX one sheet per record kind, CSV one kind per file."""
    from zhunru.credit import batch_files

    _coordinator(request)
    if fmt not in ("csv", "xlsx"):  # before the audit entry: a refused export is no export
        raise PermissionDenied(_("不支持的导出格式。"))
    kind = (request.GET.get("kind") or "").strip()
    labels = dict(OutboundRecord.Kind.choices)
    if kind and kind not in labels:
        return HttpResponseBadRequest(_("记录类型“{value}”无效。").format(value=kind[:20]).encode(), content_type="text/plain; charset=utf-8")
    if fmt == "csv" and not kind:
        choices = "、".join(str(label) for label in labels.values())
        return HttpResponseBadRequest(_("CSV 批量文件按记录类型分别导出（各类型字段不同），请选择记录类型：{choices}。").format(choices=choices).encode(),
                                      content_type="text/plain; charset=utf-8")
    qs = OutboundRecord.objects.visible_to(request.user)
    if request.GET.get("platform"):
        qs = qs.filter(platform__code=request.GET["platform"])
    kinds = [kind] if kind else list(batch_files.KINDS)
    from zhunru.audit.recording import record

    record("credit.export", actor=request.user, request=request, object_type="zhunru_credit.outboundrecord",
           object_id="*", object_repr=_("双公示批量文件（{fmt}）").format(fmt=fmt),
           changes={"count": qs.filter(kind__in=kinds).count(), "kinds": kinds})
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    if fmt == "csv":
        resp = HttpResponse(batch_files.export_csv(qs, kind), content_type="text/csv; charset=utf-8")
        name = f"shuanggongshi-{kind}-{stamp}.csv"
    else:
        resp = HttpResponse(batch_files.export_xlsx(qs, kinds),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"shuanggongshi-{stamp}.xlsx"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
