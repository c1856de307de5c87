"""The public 双公示 page of a jurisdiction: licensing and penalty decisions still in their publicity period,
searchable and filtered; natural persons' ID numbers masked, no addresses, withdrawn decisions gone."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from zhunru.credit.disclosure import mask_id
from zhunru.credit.models import PublicDecision
from zhunru.models import Jurisdiction


def _date(value: str):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return "bad"


def disclosure(request, code: str):
    jurisdiction = get_object_or_404(Jurisdiction, division_code=code)
    q = (request.GET.get("q") or "").strip()[:100]
    kind = (request.GET.get("kind") or "").strip()
    since, until = _date(request.GET.get("from", "").strip()), _date(request.GET.get("to", "").strip())
    errors = []
    if kind and kind not in PublicDecision.Kind.values:
        errors.append(_("决定类型无效。"))
        kind = ""
    if "bad" in (since, until):
        errors.append(_("日期格式应为 年-月-日，例如 2026-11-20。"))
        since = until = None
    qs = PublicDecision.objects.public().filter(jurisdiction=jurisdiction)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(subject_name__icontains=q) | Q(document_number__icontains=q) | Q(uscc__iexact=q))
    if since:
        qs = qs.filter(decided_on__gte=since)
    if until:
        qs = qs.filter(decided_on__lte=until)
    page = Paginator(qs.order_by("-decided_on", "-pk"), 20).get_page(request.GET.get("page"))
    rows = []
    for d in page:
        natural = d.subject_category == PublicDecision.SubjectCategory.NATURAL
        rows.append({
            "d": d,
            "code": mask_id(d.person_id_number) if natural else d.uscc,
            "content": d.licence_content if d.kind == PublicDecision.Kind.LICENSING else d.penalty_content,
        })
    return TemplateResponse(request, "zhunru_credit/public/disclosure.html", {
        "jurisdiction": jurisdiction, "rows": rows, "page": page, "q": q, "kind": kind,
        "since": request.GET.get("from", "") if since else "", "until": request.GET.get("to", "") if until else "",
        "kinds": PublicDecision.Kind.choices, "errors": errors, "portal_section": "disclosure",
    }, status=400 if errors else 200)


def repair_form(request, code: str):
    """信用修复 application by the subject itself: its USCC must be the record's, and it proves what only it
    holds (法定代表人 on file, the 责令整改通知 served on it); see zhunru.credit.repair.apply."""
    from django.core.exceptions import ValidationError

    from zhunru.credit import repair

    jurisdiction = get_object_or_404(Jurisdiction, division_code=code)
    fields = ("uscc", "document_number", "legal_representative", "notice_number", "contact_name", "contact_phone",
              "contact_email", "rectification")
    values = {k: (request.POST.get(k) or "").strip()[:2000] for k in fields} if request.method == "POST" else {}
    error, done = "", None
    if request.method == "POST":
        try:
            done = repair.apply(jurisdiction=jurisdiction, **values)
        except ValidationError as exc:
            error = exc.messages[0]
    return TemplateResponse(request, "zhunru_credit/public/repair.html", {
        "jurisdiction": jurisdiction, "values": values, "error": error, "done": done,
    }, status=400 if error else 200)
