"""Coordinator's triage of a complaint: read it (contact details masked unless shown on request, which is
audited), then accept as a lead, decline with a reason, or record the result; erase the contact details
when the complainant asks."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhunru import roles
from zhunru.audit.recording import record
from zhunru.portal.leads import lead_entry_point
from zhunru.portal.models import Complaint
from zhunru.scoping import is_coordinator, sees_jurisdiction


def may_see_contact(user) -> bool:
    """Coordinators (who may need to call the complainant back) — not auditors or others who read complaints."""
    return roles.has_role(user, roles.COORDINATOR)


@require_http_methods(["GET", "POST"])
def triage(request, pk: int):
    if not sees_jurisdiction(request.user):
        raise PermissionDenied(_("只有发改委协调员和审计员可以查看问题反映。"))
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user).select_related("jurisdiction"), pk=pk)
    may_act = is_coordinator(request.user)  # the auditor reads the complaint, never triages it
    if request.method == "POST":
        if not may_act:
            raise PermissionDenied(_("只有发改委协调员可以分办问题反映。"))
        action = request.POST.get("action")
        try:
            if action == "accept":
                complaint.accept(by=request.user, request=request)
                messages.success(request, _("已受理并转为线索。") if complaint.lead_reference else _("已受理。"))
            elif action == "reject":
                complaint.reject(request.POST.get("reason", ""), by=request.user, request=request)
                messages.success(request, _("已记录不予受理，理由将告知反映人。"))
            elif action == "handled":
                complaint.mark_handled(request.POST.get("result", ""), by=request.user, request=request)
                messages.success(request, _("已办结，办理结果将告知反映人。"))
            elif action == "erase_contact":
                if not may_see_contact(request.user):
                    raise PermissionDenied(_("只有发改委协调员可以删除反映人的联系方式。"))
                if complaint.erase_contact(reason=request.POST.get("reason", ""), by=request.user, request=request):
                    messages.success(request, _("反映人的联系方式已删除，问题反映及其回执码保留。"))
                else:
                    messages.info(request, _("该问题反映没有需要删除的联系方式。"))
            else:
                messages.error(request, _("未知操作。"))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("zhunru_complaint_triage", pk=complaint.pk)
    # Contact details are masked; showing them in full is for coordinators, on request, and recorded.
    reveal = request.GET.get("reveal") == "1" and may_see_contact(request.user) and complaint.has_contact
    record("complaint.contact_viewed" if reveal else "complaint.view", obj=complaint, request=request)
    contact = {name: getattr(complaint, name) for name in Complaint.CONTACT_FIELDS} if reveal \
        else complaint.masked_contact()
    return TemplateResponse(request, "zhunru_portal/admin/triage.html", {
        "complaint": complaint,
        "contact": contact,
        "revealed": reveal,
        "may_see_contact": may_see_contact(request.user),
        "may_act": may_act,
        "attachments": complaint.attachments,
        "lead_tracker_ready": lead_entry_point() is not None,
        "page_title": str(complaint),
        "header_title": str(complaint),
        "Status": Complaint.Status,
    })
