"""Public JSON API of the register: published cases and bulletins, public fields only (/api/v1/cases/)."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from zhunru.api import MAX_OFFSET
from zhunru.cases.models import BulletinPage, Case

prefix = "cases/"
router = Router(tags=[gettext_lazy("典型案例")])


class PublicCase(Schema):
    id: int
    register_number: str
    title: str
    region: str
    organization: str
    document_name: str
    document_number: str
    category: str
    category_label: str
    subcategory: str
    subcategory_label: str
    facts_date: datetime.date | None
    summary: str
    violated_clause: str
    handling_result: str
    keywords: str
    jurisdiction: str
    bulletins: list[str]


class PublicBulletin(Schema):
    id: int
    title: str
    url: str
    document_number: str
    issuing_office: str
    issue_date: datetime.date
    pdf_url: str
    cases: list[dict]


class CaseList(Schema):
    count: int
    items: list[PublicCase]


def _public_case(case: Case) -> dict:
    data = case.public_data()
    data["id"] = case.pk
    data["bulletins"] = sorted({link.page.document_number for link in case.bulletin_links.all() if link.page.live})
    return data


@router.get("", response=CaseList, summary="已公开通报的案例")
def list_cases(request, jurisdiction: str = "", category: str = "", year: int | None = Query(None, ge=1949, le=2100, title=gettext_lazy("年度")),
               limit: int = Query(20, ge=1, le=1000, title=gettext_lazy("条数上限")),
               offset: int = Query(0, ge=0, le=MAX_OFFSET, title=gettext_lazy("偏移量"))):
    """Only cases presented in a live bulletin, and only their public fields."""
    qs = Case.objects.published().select_related("jurisdiction").prefetch_related("bulletin_links__page")
    if jurisdiction:
        qs = qs.filter(jurisdiction__division_code=jurisdiction)
    if category:
        qs = qs.filter(category=category)
    if year:
        qs = qs.filter(register_year=year)
    limit = max(1, min(limit, 100))
    qs = qs.order_by("-register_year", "-register_serial")
    return {"count": qs.count(), "items": [_public_case(c) for c in qs[offset: offset + limit]]}


@router.get("bulletins/", response=list[PublicBulletin], summary="典型案例通报")
def list_bulletins(request, jurisdiction: str = ""):
    pages = BulletinPage.objects.live().order_by("-issue_date", "-pk")
    if jurisdiction:
        from zhunru.models import JurisdictionHomePage

        home = JurisdictionHomePage.objects.filter(jurisdiction__division_code=jurisdiction).first()
        pages = pages.descendant_of(home) if home is not None else pages.none()
    rows = []
    for page in pages:
        url = page.get_full_url(request) or ""
        rows.append(
            {
                "id": page.pk,
                "title": page.title,
                "url": url,
                "document_number": page.document_number,
                "issuing_office": page.issuing_office,
                "issue_date": page.issue_date,
                "pdf_url": f"{url}pdf/" if url else "",
                "cases": page.public_cases,
            }
        )
    return rows


@router.get("{case_id}", response=PublicCase, summary="案例详情（仅公开字段）")
def case_detail(request, case_id: int):
    case = get_object_or_404(
        Case.objects.published().select_related("jurisdiction").prefetch_related("bulletin_links__page"), pk=case_id
    )
    return _public_case(case)
