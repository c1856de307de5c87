"""Internal JSON API of the lead tracker (/api/v1/leads/): signed-in staff, department-scoped like the admin."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from zhunru.api import MAX_OFFSET
from zhunru.leads.calendar import CalendarError, compute_due, explain_computation
from zhunru.leads.models import Lead

prefix = "leads/"
router = Router(tags=[gettext_lazy("线索")], auth=django_auth)


class StageOut(Schema):
    kind: str
    kind_label: str
    department: str | None
    started_at: datetime.datetime
    limit: str
    due_at: datetime.datetime
    provisional: bool
    completed_at: datetime.datetime | None
    explanation: list[str]


class LeadOut(Schema):
    id: int
    number: str
    title: str
    source: str
    source_label: str
    state: str
    state_label: str
    received_at: datetime.datetime
    competent_unit: str | None
    responsible_unit: str | None
    escalation_level: int
    overdue: bool


class LeadDetail(LeadOut):
    description: str
    subject_name: str
    subject_uscc: str
    stages: list[StageOut]


class DueOut(Schema):
    due_date: datetime.date
    due_at: datetime.datetime
    provisional: bool
    calendar_version: str
    explanation: str


class ErrorOut(Schema):
    detail: str


def _out(lead: Lead) -> dict:
    return {
        "id": lead.pk, "number": lead.number, "title": lead.title, "source": lead.source,
        "source_label": lead.get_source_display(), "state": lead.state, "state_label": lead.get_state_display(),
        "received_at": lead.received_at, "competent_unit": str(lead.competent_unit) if lead.competent_unit else None,
        "responsible_unit": str(lead.responsible_unit) if lead.responsible_unit else None,
        "escalation_level": lead.escalation_level, "overdue": lead.is_overdue(),
    }


@router.get("", response=list[LeadOut], summary="我可见的线索")
def list_leads(
    request,
    state: str | None = None,
    limit: int = Query(100, ge=1, le=500, title=gettext_lazy("条数上限")),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, title=gettext_lazy("偏移量")),
):
    qs = Lead.objects.visible_to(request.user).select_related("competent_unit", "responsible_unit", "jurisdiction")
    if state:
        qs = qs.filter(state=state)
    return [_out(lead) for lead in qs.order_by("-received_at", "-pk")[offset:offset + limit]]


@router.get("due", response={200: DueOut, 400: ErrorOut}, summary="计算期限（起算日不计入）")
def due(request, start: datetime.date, amount: int, unit: str = "working"):
    try:
        d = compute_due(start, amount, unit)
    except CalendarError as exc:
        return Status(400, {"detail": str(exc)})
    return {"due_date": d.due_date, "due_at": d.due_at, "provisional": d.provisional,
            "calendar_version": d.calendar_version, "explanation": d.explain()}


@router.get("{int:lead_id}", response=LeadDetail, summary="线索详情与各阶段期限")
def lead_detail(request, lead_id: int):
    lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=lead_id)
    stages = [{
        "kind": s.kind, "kind_label": s.get_kind_display(), "department": str(s.department) if s.department else None,
        "started_at": s.started_at, "limit": _("{limit_amount} 个{get_limit_unit_display}").format(limit_amount=s.limit_amount, get_limit_unit_display=s.get_limit_unit_display()), "due_at": s.due_at,
        "provisional": s.provisional, "completed_at": s.completed_at, "explanation": explain_computation(s.computation),
    } for s in lead.stages.select_related("department")]
    return {**_out(lead), "description": lead.description, "subject_name": lead.subject_name,
            "subject_uscc": lead.subject_uscc, "stages": stages}
