"""Coordinator's triage of a complaint: read it in full (contact details included), then accept as a
lead, decline with a reason, or record the result."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from zhunru.audit.recording import record
from zhunru.portal.leads import lead_entry_point
from zhunru.portal.models import Complaint
from zhunru.scoping import is_coordinator


@require_http_methods(["GET", "POST"])
def triage(request, pk: int):
    if not is_coordinator(request.user):
        raise PermissionDenied("只有发改委协调员可以查看和分办问题反映。")
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user).select_related("jurisdiction"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                complaint.accept(by=request.user, request=request)
                messages.success(request, "已受理并转为线索。" if complaint.lead_reference else "已受理。")
            elif action == "reject":
                complaint.reject(request.POST.get("reason", ""), by=request.user, request=request)
                messages.success(request, "已记录不予受理，理由将告知反映人。")
            elif action == "handled":
                complaint.mark_handled(request.POST.get("result", ""), by=request.user, request=request)
                messages.success(request, "已办结，办理结果将告知反映人。")
            else:
                messages.error(request, "未知操作。")
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("zhunru_complaint_triage", pk=complaint.pk)
    # Reading the full complaint shows confidential contact details: that access is recorded.
    record("complaint.view", obj=complaint, request=request)
    return TemplateResponse(request, "zhunru_portal/admin/triage.html", {
        "complaint": complaint,
        "attachments": complaint.attachments,
        "lead_tracker_ready": lead_entry_point() is not None,
        "page_title": str(complaint),
        "header_title": str(complaint),
        "Status": Complaint.Status,
    })
