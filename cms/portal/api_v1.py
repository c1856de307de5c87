"""Portal JSON API (/api/v1/portal/): complaint channels, filing a complaint, status by receipt code.

Contact details are accepted on filing and never returned; status answers carry public fields only.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema, Status
from ninja.errors import Throttled

from zhunru.models import Jurisdiction
from zhunru.portal import conf, throttling
from zhunru.portal.forms import ComplaintForm, StatusLookupForm
from zhunru.portal.models import Complaint, Hotline
from zhunru.portal.views import SubmissionConflict, earlier_submission, file_complaint

prefix = "portal/"
router = Router(tags=[gettext_lazy("公众门户")])


class HotlineOut(Schema):
    name: str
    number: str
    url: str
    service_hours: str
    department: str


class ComplaintIn(Schema):
    jurisdiction: str  # division code, e.g. "360202"
    submission_token: uuid.UUID | None = None
    description: str
    organization: str
    document_or_practice: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    consent: bool = False


class StepOut(Schema):
    at: datetime.datetime
    label: str


class StatusOut(Schema):
    receipt_code: str
    jurisdiction: str
    submitted_at: datetime.datetime
    status: str
    status_label: str
    progress: str = ""  # follows the lead: received, accepted, transferred, verifying, rectifying, closed, not_accepted
    timeline: list[StepOut] = []  # the dated public steps, oldest first
    reason: str
    result: str
    triaged_at: datetime.datetime | None
    handled_at: datetime.datetime | None


class StatusIn(Schema):
    code: str


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


@router.get("hotlines/", response=list[HotlineOut], summary="问题反映和投诉渠道")
def hotlines(request, jurisdiction: str):
    j = get_object_or_404(Jurisdiction, division_code=jurisdiction)
    return [
        {"name": h.name, "number": h.number, "url": h.url, "service_hours": h.service_hours,
         "department": h.department.name if h.department else ""}
        for h in Hotline.objects.filter(jurisdiction=j, is_active=True).select_related("department")
    ]


@router.post("complaints/", response={201: StatusOut, 200: StatusOut, 400: ErrorOut, 404: ErrorOut,
                                       409: ErrorOut, 429: ErrorOut}, summary=gettext_lazy("提交问题反映"))
def create_complaint(request, payload: ComplaintIn):
    """Same checks as the portal form (no attachments here); resending the same token with the same
    content returns the first (200), with other content is refused (409)."""
    j = Jurisdiction.objects.filter(division_code=payload.jurisdiction).first()
    if j is None:
        return Status(404, {"detail": _("未找到该辖区。")})
    data = payload.dict()
    data["submission_token"] = str(data["submission_token"] or uuid.uuid4())
    data["consent"] = "on" if data["consent"] else ""
    form_data = QueryDict(mutable=True)
    form_data.update({k: v for k, v in data.items() if k != "jurisdiction"})
    form = ComplaintForm(form_data)
    if not form.is_valid():
        errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
        return Status(400, {"detail": _("提交的内容有误。"), "errors": errors})
    try:
        existing = earlier_submission(form, j)
        if existing is not None:
            return Status(200, existing.public_status())
        verdict = throttling.allow("complaint", request, conf.get("COMPLAINT_RATE"))
        if not verdict:
            raise Throttled(wait=verdict.retry_after)  # 429 with Retry-After (zhunru.api)
        complaint, created = file_complaint(form, j, request)
    except SubmissionConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except ValidationError as error:
        return Status(400, {"detail": "；".join(error.messages)})
    return Status(201 if created else 200, complaint.public_status())


@router.post("complaints/status/", response={200: StatusOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
             summary=gettext_lazy("凭回执码查询办理进度"))
def complaint_status(request, payload: StatusIn):
    verdict = throttling.allow("status", request, conf.get("STATUS_LOOKUP_RATE"))
    if not verdict:
        raise Throttled(wait=verdict.retry_after)
    form = StatusLookupForm({"code": payload.code})
    if not form.is_valid():
        return Status(400, {"detail": form.errors["code"][0]})
    complaint = Complaint.objects.select_related("jurisdiction").filter(receipt_code=form.cleaned_data["code"]).first()
    if complaint is None:
        return Status(404, {"detail": _("未找到该回执码对应的问题反映。")})
    return Status(200, complaint.public_status())
