"""Admin pages of the breach procedure: one page per commitment with the steps the user may take now,
each step a POST; the 责令整改通知 and the decision as PDFs. A commitment outside visible_to(user) is a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from zhunru.credit import procedure
from zhunru.credit.models import BreachProcedure, CreditSettings


def _procedure(request, pk) -> BreachProcedure:
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(BreachProcedure.objects.visible_to(request.user).select_related(
        "commitment__subject", "commitment__department", "jurisdiction", "dishonesty_record",
        "drafted_by", "reviewed_by", "signed_by"), commitment_id=pk)


def page(request, pk):
    proc = _procedure(request, pk)
    cs = CreditSettings.for_jurisdiction(proc.jurisdiction)
    return TemplateResponse(request, "zhunru_credit/admin/procedure.html", {
        "proc": proc, "c": proc.commitment, "actions": procedure.offered_actions(request.user, proc),
        "authority": cs.authority_name(proc.commitment.department),
        "default_months": proc.publicity_months or cs.publicity_months,
        "header_title": gettext("违约处置：{name} · {permit_name}").format(name=proc.commitment.subject.name, permit_name=proc.commitment.permit_name),
    })


def _bool(value) -> bool:
    return str(value or "").lower() in ("1", "on", "true", "yes")


@require_POST
def act(request, pk, action):
    proc = _procedure(request, pk)
    post, user = request.POST, request.user
    steps = {
        "rectified": lambda: procedure.confirm_rectified(proc, note=post.get("note", ""), by=user, request=request),
        "statement": lambda: procedure.record_statement(proc, statement=post.get("statement", ""),
                                                        hearing_note=post.get("hearing_note", ""), by=user,
                                                        request=request),
        "draft": lambda: procedure.draft_decision(proc, facts=post.get("facts", ""), basis=post.get("basis", ""),
                                                  revoke_permit=_bool(post.get("revoke_permit")),
                                                  publicity_months=_months(post.get("publicity_months")),
                                                  by=user, request=request),
        "submit": lambda: procedure.submit_for_review(proc, by=user, request=request),
        "review": lambda: procedure.review(proc, approve=post.get("decision") == "approve",
                                           opinion=post.get("opinion", ""), by=user, request=request),
        "sign": lambda: procedure.sign(proc, by=user, request=request),
    }
    if action not in steps:
        raise Http404
    try:
        steps[action]()
    except PermissionDenied as exc:
        messages.error(request, str(exc) or gettext("您无权执行此操作。"))
        return redirect("zhunru_credit_procedure", pk=pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("zhunru_credit_procedure", pk=pk)
    messages.success(request, gettext("已办理。"))
    return redirect("zhunru_credit_procedure", pk=pk)


def _months(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(gettext("公示期应为整数月数。")) from None


def notice_pdf(request, pk):
    from zhunru.audit.recording import record
    from zhunru.printing import pdf_response

    proc = _procedure(request, pk)
    record("credit.notice_printed", obj=proc, actor=request.user, request=request)
    return pdf_response(procedure.notice_pdf(proc), f"rectification-notice-{proc.pk}.pdf")


def decision_pdf(request, pk):
    from zhunru.audit.recording import record
    from zhunru.printing import pdf_response

    proc = _procedure(request, pk)
    if not proc.facts:
        raise Http404(gettext("处理决定尚未起草。"))
    record("credit.decision_printed", obj=proc, actor=request.user, request=request)
    return pdf_response(procedure.decision_pdf(proc), f"credit-decision-{proc.pk}.pdf")


def _decision(request, pk):
    from zhunru.credit.models import PublicDecision

    if not request.user.has_perm("zhunru_credit.change_publicdecision"):
        raise Http404
    return get_object_or_404(PublicDecision.objects.visible_to(request.user), pk=pk)


def _confirm(request, d, action, title):
    return TemplateResponse(request, "zhunru_credit/admin/decision_action.html",
                            {"d": d, "action": action, "header_title": title})


def share_decision(request, pk):
    """Queue a decision that was kept back (a mandatory field was missing) once it is complete."""
    from zhunru.credit import disclosure

    d = _decision(request, pk)
    if request.method != "POST":
        return _confirm(request, d, "share", gettext("报送：{document_number}").format(document_number=d.document_number))
    if d.queued_at is not None:
        messages.info(request, gettext("该决定已报送。"))
    else:
        try:
            disclosure.register(d, by=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, gettext("已加入报送队列。"))
    return redirect("wagtailsnippets_zhunru_credit_publicdecision:list")


def withdraw_decision(request, pk):
    from zhunru.credit import disclosure

    d = _decision(request, pk)
    if request.method != "POST":
        return _confirm(request, d, "withdraw", gettext("撤下：{document_number}").format(document_number=d.document_number))
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        messages.error(request, gettext("请填写撤下原因。"))
    else:
        disclosure.withdraw(d, reason=reason, by=request.user, request=request)
        messages.success(request, gettext("已撤下，并通知信用平台。"))
    return redirect("wagtailsnippets_zhunru_credit_publicdecision:list")


def review_repair(request, pk):
    """The office reviews a 信用修复 application (404 outside visible_to)."""
    from zhunru.credit import repair
    from zhunru.credit.models import RepairApplication

    app = get_object_or_404(RepairApplication.objects.visible_to(request.user).select_related("record", "subject"),
                            pk=pk)
    if request.method == "POST":
        try:
            repair.review_application(app, approve=request.POST.get("decision") == "approve",
                                      note=request.POST.get("note", ""), by=request.user, request=request)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, gettext("已审核。"))
            return redirect("wagtailsnippets_zhunru_credit_repairapplication:list")
    return TemplateResponse(request, "zhunru_credit/admin/repair_review.html", {
        "app": app, "header_title": gettext("信用修复审核：{name}").format(name=app.subject.name)})


def import_decisions(request):
    """Import 双公示 decisions from CSV / XLSX (national column names); any bad row imports nothing."""
    import tempfile
    from pathlib import Path

    from zhunru.credit import disclosure
    from zhunru.credit.models import PublicDecision
    from zhunru.scoping import user_jurisdictions

    if not request.user.has_perm("zhunru_credit.add_publicdecision"):
        raise PermissionDenied(gettext("您没有权限导入双公示决定。"))
    jurisdictions = user_jurisdictions(request.user)
    errors = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        jurisdiction = jurisdictions.filter(pk=request.POST.get("jurisdiction") or 0).first()
        suffix = Path(upload.name).suffix.lower() if upload else ""
        if jurisdiction is None:
            errors = [gettext("请选择本人所属的辖区。")]
        elif upload is None:
            errors = [gettext("请选择要导入的文件。")]
        elif suffix not in (".csv", ".xlsx"):
            errors = [gettext("不支持的文件类型「{suffix}」：仅支持 CSV、XLSX。").format(suffix=suffix)]
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"decisions{suffix}"
                with open(path, "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                try:
                    n = disclosure.import_file(path, kind=request.POST.get("kind", ""), jurisdiction=jurisdiction,
                                               by=request.user, request=request)
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    messages.success(request, ngettext("已导入 {n} 条决定，并加入报送队列。", "已导入 {n} 条决定，并加入报送队列。", n).format(n=n))
                    return redirect("wagtailsnippets_zhunru_credit_publicdecision:list")
    return TemplateResponse(request, "zhunru_credit/admin/decision_import.html", {
        "jurisdictions": jurisdictions, "kinds": PublicDecision.Kind.choices, "errors": errors,
        "licensing": [label for _, label in disclosure.LICENSING_FIELDS],
        "penalty": [label for _, label in disclosure.PENALTY_FIELDS],
        "header_title": gettext("导入双公示决定"),
    }, status=400 if errors else 200)
