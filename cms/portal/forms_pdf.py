"""The complaint receipt (问题反映回执单, issue 20, item 3), printable from the complaint's triage page.

It carries what the complainant may know: the receipt code, when it was received, the public status and
where to follow it; never an internal note or an official's name.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from zhunru.audit.recording import record
from zhunru.clock import format_datetime
from zhunru.portal.models import Complaint
from zhunru.printing import PrintedForm, form_pdf, pdf_response


def complaint_receipt(complaint, status_url: str = "") -> bytes:
    jurisdiction = complaint.jurisdiction
    fields = [
        (_("回执码"), complaint.display_code),
        (_("受理机关"), jurisdiction.office),
        (_("收到时间"), format_datetime(complaint.submitted_at)),
        (_("涉及单位"), complaint.organization),
        (_("涉及文件或做法"), complaint.document_or_practice or _("（未填写）")),
        (_("当前状态"), complaint.get_status_display()),
    ]
    if status_url:
        fields.append((_("查询进度"), status_url))
    return form_pdf(PrintedForm(
        office=jurisdiction.office, title=_("问题反映回执单"), number=_("回执码：{display_code}").format(display_code=complaint.display_code),
        fields=fields, sections=[(_("反映内容"), complaint.description)],
        note=_("请妥善保管回执码，凭回执码可在门户网站查询办理进度和结果。")))


def complaint_receipt_view(request, pk: int):
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user).select_related("jurisdiction"), pk=pk)
    status_url = request.build_absolute_uri(reverse("zhunru_portal:complaint_status"))
    record("complaint.print", obj=complaint, actor=request.user, request=request, changes={"form": _("问题反映回执单")})
    return pdf_response(complaint_receipt(complaint, status_url), f"complaint-{complaint.pk}-receipt.pdf")
