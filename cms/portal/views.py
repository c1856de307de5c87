"""Portal views: complaint form, receipt and status, search. Pages of Wagtail types render themselves."""

import logging
import re
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zhunru.audit.recording import record
from zhunru.models import Jurisdiction, JurisdictionHomePage
from zhunru.portal import conf, throttling
from zhunru.portal import notifications as complaint_notices
from zhunru.portal.forms import CONSENT_TEXT, ComplaintForm, StatusLookupForm
from zhunru.portal.models import Complaint
from zhunru.throttling import Verdict
from zhunru.uploads import store_attachment

log = logging.getLogger(__name__)

SESSION_RECEIPT = "zhunru_portal_receipt"


def _jurisdiction(code: str) -> tuple[Jurisdiction, JurisdictionHomePage | None]:
    jurisdiction = get_object_or_404(Jurisdiction, division_code=code)
    home = JurisdictionHomePage.objects.live().filter(jurisdiction=jurisdiction).first()
    return jurisdiction, home


def _too_many(request, template: str, context: dict, verdict: Verdict) -> TemplateResponse:
    """429 with ``Retry-After`` and the wait in words on the page."""
    wait = verdict.retry_after
    context = {**context, "throttled": True,
               "retry_after_text": _("{wait} 秒").format(wait=wait) if wait < 60 else _("{value} 分钟").format(value=-(-wait // 60))}
    response = TemplateResponse(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


# What a resent submission token must repeat to count as the same complaint (attachments aside).
RESUBMISSION_FIELDS = ("description", "organization", "document_or_practice", "contact_name", "contact_phone",
                       "contact_email")


class SubmissionConflict(Exception):
    """A submission token already used for a complaint with other content (answered with 409)."""

    message = gettext_lazy("该提交标识已用于另一份内容不同的问题反映，未重复受理。如需反映新的问题，请刷新页面后重新填写提交。")


def earlier_submission(form: ComplaintForm, jurisdiction: Jurisdiction) -> Complaint | None:
    """The complaint already filed with this form's submission token, if any: the same content is the
    same complaint (a resend is idempotent); other content raises SubmissionConflict."""
    data = form.cleaned_data
    existing = Complaint.objects.filter(submission_token=data["submission_token"]).first()
    if existing is None:
        return None
    same = existing.jurisdiction_id == jurisdiction.pk and all(
        (getattr(existing, name) or "").strip() == (data.get(name) or "").strip() for name in RESUBMISSION_FIELDS
    )
    if not same:
        raise SubmissionConflict(SubmissionConflict.message)
    return existing


def file_complaint(form: ComplaintForm, jurisdiction: Jurisdiction, request) -> tuple[Complaint, bool]:
    """Save a valid complaint and its attachments once per submission token; (complaint, created).
    Raises SubmissionConflict when the token was used for other content."""
    data = form.cleaned_data
    token = data["submission_token"]
    existing = earlier_submission(form, jurisdiction)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                jurisdiction=jurisdiction,
                submission_token=token,
                description=data["description"],
                organization=data["organization"].strip(),
                document_or_practice=data["document_or_practice"].strip(),
                contact_name=data["contact_name"].strip(),
                contact_phone=data["contact_phone"].strip(),
                contact_email=data["contact_email"].strip(),
                consent=True,
            )
            for upload in data["attachments"]:
                store_attachment(
                    upload, complaint, department=None, purpose=_("问题反映附件"),
                    max_bytes=conf.get("ATTACHMENT_MAX_BYTES"),
                )
            # The audit event names the complaint by receipt code only: never the contact details.
            record("complaint.received", obj=complaint, request=request,
                   changes={"attachments": len(data["attachments"])})
            complaint_notices.complaint_filed(complaint)
    except IntegrityError:
        # The same form submitted twice at once: the other request saved it.
        existing = earlier_submission(form, jurisdiction)
        if existing is None:
            raise
        return existing, False
    return complaint, True


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_form(request, code: str):
    jurisdiction, home = _jurisdiction(code)
    context = {
        "jurisdiction": jurisdiction,
        "portal_home": home,
        "portal_section": "complaint",
        "consent_text": CONSENT_TEXT,
        "hotlines": list(jurisdiction.hotlines.filter(is_active=True)),
    }
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                already = earlier_submission(form, jurisdiction)
                verdict = throttling.allow("complaint", request, conf.get("COMPLAINT_RATE")) if already is None else None
                if verdict is not None and not verdict:
                    return _too_many(request, "zhunru_portal/complaint_form.html", context, verdict)
                complaint = already or file_complaint(form, jurisdiction, request)[0]
            except SubmissionConflict as conflict:
                form.add_error(None, str(conflict))
                return TemplateResponse(request, "zhunru_portal/complaint_form.html", context, status=409)
            except ValidationError as error:  # a file that changed between check and store
                form.add_error("attachments", error)
            else:
                request.session[SESSION_RECEIPT] = complaint.receipt_code
                return redirect("zhunru_portal:complaint_receipt")
    else:
        context["form"] = ComplaintForm()
    # A form that did not pass is shown again with its errors, answered 400 as the JSON API answers it.
    return TemplateResponse(request, "zhunru_portal/complaint_form.html", context,
                            status=400 if context["form"].errors else 200)


@never_cache
def complaint_receipt(request):
    """Shown once after filing, with what was filed but never the contact details (the code comes from the
    session, never from the URL).

    The code leaves the session as the page is built: a reload, the back button or the next person at a
    shared computer gets the status lookup by receipt code instead, which shows the status only."""
    code = request.session.pop(SESSION_RECEIPT, None)
    complaint = Complaint.objects.select_related("jurisdiction").filter(receipt_code=code).first() if code else None
    if complaint is None:
        return redirect(reverse("zhunru_portal:complaint_status") + "?receipt=shown")
    home = JurisdictionHomePage.objects.live().filter(jurisdiction=complaint.jurisdiction).first()
    return TemplateResponse(request, "zhunru_portal/complaint_receipt.html", {
        "complaint": complaint.public_status(),
        "submitted": {
            "organization": complaint.organization,
            "document_or_practice": complaint.document_or_practice,
            "description": complaint.description,
        },
        "portal_home": home,
        "portal_section": "complaint",
    })


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_status(request):
    """Look a complaint's status up by its receipt code (POST, so codes stay out of URLs and logs)."""
    context = {"portal_section": "status"}
    status = 200
    if request.method == "POST":
        form = StatusLookupForm(request.POST)
        context["form"] = form
        verdict = throttling.allow("status", request, conf.get("STATUS_LOOKUP_RATE"))
        if not verdict:
            return _too_many(request, "zhunru_portal/complaint_status.html", context, verdict)
        if form.is_valid():
            complaint = (Complaint.objects.select_related("jurisdiction")
                         .filter(receipt_code=form.cleaned_data["code"]).first())
            if complaint is None:
                form.add_error("code", _("未找到该回执码对应的问题反映，请核对后重新输入。"))
                status = 404  # as the JSON API answers an unknown code
            else:
                context["complaint"] = complaint.public_status()
                context["portal_home"] = (JurisdictionHomePage.objects.live()
                                          .filter(jurisdiction=complaint.jurisdiction).first())
    else:
        context["form"] = StatusLookupForm()
        context["receipt_shown"] = request.GET.get("receipt") == "shown"
    if status == 200 and context["form"].errors:
        status = 400  # the code as typed cannot be one (too long, wrong characters): shown again, answered 400
    return TemplateResponse(request, "zhunru_portal/complaint_status.html", context, status=status)


# --- search -------------------------------------------------------------------------------------

FILTERS = ("type", "category", "year", "department", "region")
DIVISION_CODE = re.compile(r"[0-9]{6}")
FACET_LABELS = {"type": gettext_lazy("类型"), "category": gettext_lazy("类别"), "year": gettext_lazy("年份"), "department": gettext_lazy("部门"), "region": gettext_lazy("地区")}
SUGGESTIONS = [gettext_lazy("隐性壁垒"), gettext_lazy("招标投标"), gettext_lazy("本地注册"), gettext_lazy("负面清单"), gettext_lazy("行政审批"), gettext_lazy("歧视性政策")]


def search_page(request):
    """One box over published content; filters with counts; pagination; an empty state with suggestions."""
    from zhunru.search.query import SearchQueryError, SearchUnavailable, search

    q = request.GET.get("q", "").strip()
    code = request.GET.get("j", "").strip()
    if code and not DIVISION_CODE.fullmatch(code):
        context = {"q": q, "j": "", "region": "", "portal_home": None, "portal_section": "search",
                   "chosen": {name: "" for name in FILTERS}, "suggestions": SUGGESTIONS,
                   "error": _("参数“j”应为 6 位行政区划代码，如 360202。")}
        return TemplateResponse(request, "zhunru_portal/search.html", context, status=400)
    # ``j`` keeps the visitor in a jurisdiction's portal (its header and links); it does not narrow the
    # results, since a case's region is free text ("某镇"): the 地区 filter does that, with counts.
    home = None
    region = ""
    if code:
        jurisdiction = Jurisdiction.objects.filter(division_code=code).first()
        if jurisdiction is not None:
            region = jurisdiction.name
            home = JurisdictionHomePage.objects.live().filter(jurisdiction=jurisdiction).first()
    chosen = {name: request.GET.get(name, "").strip() for name in FILTERS}
    try:
        page = max(1, int(request.GET.get("page", "1") or 1))
    except ValueError:
        page = 1
    context = {
        "q": q,
        "j": code,
        "region": region,
        "portal_home": home,
        "portal_section": "search",
        "chosen": chosen,
        "suggestions": SUGGESTIONS,
    }
    status = 200
    try:
        result = search(q, page=page, per_page=conf.get("SEARCH_PER_PAGE"),
                        **{k: v or None for k, v in chosen.items()})
    except SearchQueryError as error:
        context["error"] = str(error)
        status = 400
    except SearchUnavailable:
        log.warning("search unavailable for portal query")
        context["error"] = _("检索服务暂时不可用，请稍后再试。")
        status = 503
    else:
        base = {"q": q, "j": code, **chosen}
        context.update(_present(result, base, page, jurisdiction_code=code if region else ""))
    return TemplateResponse(request, "zhunru_portal/search.html", context, status=status)


def _query(params: dict) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _hit_url(hit, code: str) -> str:
    """A list item's hit links to the national page; inside a jurisdiction's portal, to that portal's copy."""
    if code and hit.type == "list_item" and hit.id.partition(":")[2].isdigit():
        return reverse("zhunru_portal:list_item", args=[code, int(hit.id.partition(":")[2])])
    return hit.url


def _type_labels() -> dict[str, str]:
    from zhunru.search.documents import SOURCES

    return {key: source.label for key, source in SOURCES.items()}


def _present(result, base: dict, page: int, jurisdiction_code: str = "") -> dict:
    hits = []
    for hit in result.hits:
        hits.append({
            "title": hit.title,
            "url": _hit_url(hit, jurisdiction_code),
            "type": hit.type,
            "type_label": hit.type_label,
            "date": hit.date,
            "department": hit.department,
            "region": hit.region,
            "category": hit.category,
            # Fragments come from zhunru.search.backends.base.highlight: text escaped, matches in <em>.
            "highlights": [mark_safe(f) for f in hit.highlights],  # noqa: S308
        })
    labels = {**_type_labels(), **{hit.type: hit.type_label for hit in result.hits}}
    facets = []
    for name in FILTERS:
        counts = result.facets.get(name) or {}
        if not counts and not base.get(name):
            continue
        options = []
        items = sorted(counts.items(), key=lambda kv: (-int(kv[0]) if name == "year" and str(kv[0]).isdigit() else 0,
                                                      -kv[1] if name != "year" else 0))
        for value, count in items[:12]:
            value = str(value)
            selected = base.get(name) == value
            params = {**base, name: "" if selected else value}
            options.append({
                "value": value,
                "label": labels.get(value, value) if name == "type" else value,
                "count": count,
                "selected": selected,
                "url": _query(params),
            })
        facets.append({"name": name, "label": FACET_LABELS[name], "options": options})
    pages = max(1, -(-result.total // result.per_page))
    return {
        "result": result,
        "hits": hits,
        "facets": facets,
        "pages": pages,
        "page": page,
        "prev_url": _query({**base, "page": page - 1}) if page > 1 else "",
        "next_url": _query({**base, "page": page + 1}) if page < pages else "",
        "clear_url": _query({"q": base["q"], "j": base["j"]}),
        "any_filter": any(base.get(n) for n in FILTERS),
    }


def jurisdiction_redirect(request, code: str):
    """``/portal/<code>/`` → that jurisdiction's home page."""
    _jurisdiction_obj, home = _jurisdiction(code)
    if home is None:
        raise Http404(_("该辖区暂无门户首页。"))
    return redirect(home.get_url(request))

