"""Negative list browser, list item and service item pages, and 好差评 of a service item.

Each page exists per jurisdiction portal (``/portal/<code>/list/…``, with that jurisdiction's local
service items) and, for the list itself, jurisdiction-neutral (``/portal/list/…``, the national list
with the service items of every jurisdiction): the list is the same everywhere, so a list item's
canonical URL (``ListItem.get_absolute_url``, used by search hits) is the neutral one.
What is public is decided in :mod:`zhunru.portal.catalog`.
"""

from collections import Counter, defaultdict
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zhunru.models import Department
from zhunru.portal import conf, throttling
from zhunru.portal.catalog import (
    active_edition,
    catalog_available,
    catalog_model,
    document_versions,
    public_editions,
    split_departments,
)
from zhunru.portal.forms import RatingForm
from zhunru.portal.views import _jurisdiction, _too_many

PER_PAGE = 50
SESSION_RATING = "zhunru_portal_rating"


def _require_catalog():
    if not catalog_available():
        raise Http404(_("负面清单栏目尚未开通。"))


def _place(code: str | None):
    """(jurisdiction, its portal home) for a per-jurisdiction page; (None, None) on the neutral pages."""
    if code is None:
        return None, None
    return _jurisdiction(code)


def _list_url(jurisdiction, **params) -> str:
    base = (reverse("zhunru_portal:catalog", args=[jurisdiction.division_code]) if jurisdiction
            else reverse("zhunru_portal:catalog_all"))
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return base + ("?" + query if query else "")


def _item_url(jurisdiction, item) -> str:
    if jurisdiction is None:
        return reverse("zhunru_portal:list_item_any", args=[item.pk])
    return reverse("zhunru_portal:list_item", args=[jurisdiction.division_code, item.pk])


# --- the list ----------------------------------------------------------------------------------

def catalog_index(request, code: str | None = None):
    """The list by edition (the active one by default), filtered by kind, competent and local department."""
    jurisdiction, home = _place(code)
    _require_catalog()
    list_item_model = catalog_model("ListItem")
    editions = list(public_editions())
    context = {
        "jurisdiction": jurisdiction, "portal_home": home, "portal_section": "catalog",
        "editions": editions, "edition": None,
    }
    wanted = request.GET.get("edition", "").strip()
    if wanted:
        edition = next((e for e in editions if str(e.pk) == wanted), None)
        if edition is None:
            raise Http404(_("该版本不存在或尚未公开。"))
    else:
        edition = next((e for e in editions if e.is_active), None)
    if edition is None:
        return TemplateResponse(request, "zhunru_portal/catalog_index.html", context)

    chosen = {name: request.GET.get(name, "").strip() for name in ("kind", "dept", "local", "q")}
    if jurisdiction is None:
        chosen["local"] = ""  # local service items exist only in a jurisdiction's portal
    items = list(edition.items.order_by("number", "code").annotate(measure_count=Count("measures")))
    competent = {item.pk: split_departments(item.departments) for item in items}
    local_services: dict[int, list[int]] = defaultdict(list)
    local_departments: dict[int, set[int]] = defaultdict(set)
    department_names: dict[int, str] = {}
    if jurisdiction is not None:
        links = (catalog_model("ServiceItem").list_items.through.objects
                 .filter(listitem__edition=edition, serviceitem__published=True,
                         serviceitem__department__jurisdiction=jurisdiction)
                 .values_list("listitem_id", "serviceitem_id", "serviceitem__department_id",
                              "serviceitem__department__name"))
        for item_id, service_id, department_id, department_name in links:
            local_services[item_id].append(service_id)
            local_departments[item_id].add(department_id)
            department_names[department_id] = department_name

    def keep(item, skip: str = "") -> bool:
        if skip != "kind" and chosen["kind"] and item.kind != chosen["kind"]:
            return False
        if skip != "dept" and chosen["dept"] and chosen["dept"] not in competent[item.pk]:
            return False
        if skip != "local" and chosen["local"] and chosen["local"] not in {str(d) for d in local_departments[item.pk]}:
            return False
        if chosen["q"] and chosen["q"].lower() not in f"{item.code} {item.name}".lower():
            return False
        return True

    kind_counts = Counter(item.kind for item in items if keep(item, "kind"))
    dept_counts = Counter(name for item in items if keep(item, "dept") for name in competent[item.pk])
    local_counts = Counter(d for item in items if keep(item, "local") for d in local_departments[item.pk])
    filters = {
        "kind": [(value, label, kind_counts[value]) for value, label in list_item_model.KIND_CHOICES],
        "dept": sorted(((name, name, n) for name, n in dept_counts.items()), key=lambda o: (-o[2], o[0])),
        "local": sorted(((str(d), department_names[d], n) for d, n in local_counts.items()),
                        key=lambda o: (-o[2], o[1])),
    }
    # A chosen value with no match left still shows (with 0), so the visitor can see and undo it.
    for name in ("dept", "local"):
        if chosen[name] and all(value != chosen[name] for value, _label, _n in filters[name]):
            label = chosen[name]
            if name == "local":
                department = Department.objects.filter(pk=chosen[name] if chosen[name].isdigit() else None,
                                                       jurisdiction=jurisdiction).first()
                label = department.name if department else _("未知部门")
            filters[name].append((chosen[name], label, 0))

    shown = [item for item in items if keep(item)]
    paginator = Paginator(shown, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    params = {"edition": wanted, **chosen}
    rows = [{
        "item": item,
        "url": _item_url(jurisdiction, item),
        "departments": competent[item.pk],
        "local_count": len(local_services[item.pk]),
    } for item in page.object_list]
    totals = Counter(item.kind for item in shown)
    context.update({
        "edition": edition,
        "active": active_edition(),
        "chosen": chosen,
        "wanted_edition": wanted,
        "filters": filters,
        "kind_labels": dict(list_item_model.KIND_CHOICES),
        "rows": rows,
        "page": page,
        "total": len(shown),
        "totals": [(label, totals[value]) for value, label in list_item_model.KIND_CHOICES],
        "any_filter": any(chosen.values()),
        "clear_url": _list_url(jurisdiction, edition=wanted),
        "prev_url": _list_url(jurisdiction, **params, page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": _list_url(jurisdiction, **params, page=page.next_page_number()) if page.has_next() else "",
    })
    return TemplateResponse(request, "zhunru_portal/catalog_index.html", context)


def list_item(request, pk: int, code: str | None = None):
    """A list item with its measures and the local service items (with their current guide and model text)."""
    jurisdiction, home = _place(code)
    _require_catalog()
    item = get_object_or_404(
        catalog_model("ListItem").objects.select_related("edition").filter(edition__in=public_editions()), pk=pk
    )
    services = (item.service_items.public().select_related("department__jurisdiction")
                .order_by("department__jurisdiction__division_code", "department__sort_order", "name"))
    if jurisdiction is not None:
        services = services.filter(department__jurisdiction=jurisdiction)
    service_rows = [{"service": s, "documents": document_versions(s)} for s in services]
    groups: dict[str, list] = defaultdict(list)
    for row in service_rows:
        groups[row["service"].department.jurisdiction.name].append(row)
    current = None
    if not item.edition.is_active:
        current = catalog_model("ListItem").objects.public().filter(code=item.code).first()
    return TemplateResponse(request, "zhunru_portal/list_item.html", {
        "jurisdiction": jurisdiction, "portal_home": home, "portal_section": "catalog",
        "item": item,
        "measures": item.measures.all(),
        "departments": split_departments(item.departments),
        "service_rows": service_rows,
        "service_groups": list(groups.items()),  # in the order of division codes
        "current": current,
        "current_url": _item_url(jurisdiction, current) if current else "",
        "active": active_edition(),
        "list_url": _list_url(jurisdiction, edition="" if item.edition.is_active else item.edition.pk),
    })


# --- service items -----------------------------------------------------------------------------

def _public_service(code: str, pk: int):
    """(jurisdiction, home, service item) for a published service item of that jurisdiction, else 404."""
    jurisdiction, home = _jurisdiction(code)
    _require_catalog()
    service = get_object_or_404(
        catalog_model("ServiceItem").objects.public().select_related("department__jurisdiction"), pk=pk
    )
    return jurisdiction, home, service


def _rating_summary(service) -> dict:
    stats = service.ratings.aggregate(total=Count("id"), satisfied=Count("id", filter=Q(level__gte=3)))
    total = stats["total"] or 0
    return {"total": total, "satisfied_pct": round(100 * stats["satisfied"] / total) if total else None}


def service_item(request, code: str, pk: int):
    """A service item: authority, process, materials, conditions, time limit, fees, channel, status, documents."""
    jurisdiction, home, service = _public_service(code, pk)
    if service.department.jurisdiction_id != jurisdiction.pk:
        return redirect(service.get_absolute_url(), permanent=True)
    list_items = (service.list_items.filter(edition__in=public_editions()).select_related("edition")
                  .order_by("-edition__is_active", "-edition__effective_date", "code"))
    return TemplateResponse(request, "zhunru_portal/service_item.html", {
        "jurisdiction": jurisdiction, "portal_home": home, "portal_section": "catalog",
        "service": service,
        "suspended": service.status == service.SUSPENDED,
        "materials": [line.strip() for line in service.materials.splitlines() if line.strip()],
        "documents": document_versions(service),
        "list_items": [{"item": i, "url": _item_url(jurisdiction, i)} for i in list_items],
        "ratings": _rating_summary(service),
    })


@never_cache
@require_http_methods(["GET", "POST"])
def service_rating(request, code: str, pk: int):
    """好差评 from the portal: anonymous, one rating per form (its one-time token), throttled per address.

    A suspended (停止受理) item can still be rated: those who applied before the suspension rate how
    they were served. Unpublished items do not exist for the public (404).
    """
    from zhunru.catalog.ratings import IdempotencyKeyReused, RatingError, submit_rating

    jurisdiction, home, service = _public_service(code, pk)
    if service.department.jurisdiction_id != jurisdiction.pk:
        raise Http404
    context = {
        "jurisdiction": jurisdiction, "portal_home": home, "portal_section": "catalog",
        "service": service, "suspended": service.status == service.SUSPENDED,
    }
    if request.method == "POST":
        form = RatingForm(request.POST)
        context["form"] = form
        if form.is_valid():
            # A resubmission counts once and does not use up the client's allowance.
            repeated = catalog_model("ServiceRating").objects.filter(idempotency_key=form.idempotency_key).exists()
            verdict = None if repeated else throttling.allow("rating", request, conf.get("RATING_RATE"))
            if verdict is not None and not verdict:
                return _too_many(request, "zhunru_portal/service_rating.html", context, verdict)
            data = form.cleaned_data
            try:
                rating = submit_rating(
                    service, data["level"], "portal", comment=data["comment"],
                    receipt_code=data["receipt_code"], idempotency_key=form.idempotency_key,
                )
            except IdempotencyKeyReused:
                form.add_error("submission_token", _("表单已失效，请刷新页面后重新提交。"))
            except RatingError as error:
                form.add_error("level", str(error))
            else:
                request.session[SESSION_RATING] = rating.pk
                return redirect("zhunru_portal:service_rating_thanks", code=code, pk=rating.service_item_id)
    else:
        context["form"] = RatingForm()
    return TemplateResponse(request, "zhunru_portal/service_rating.html", context,
                            status=400 if context["form"].errors else 200)


@never_cache
def service_rating_thanks(request, code: str, pk: int):
    """Shown after rating (the rating comes from the session, never from the URL)."""
    jurisdiction, home, service = _public_service(code, pk)
    rating_id = request.session.get(SESSION_RATING)
    rating = (catalog_model("ServiceRating").objects.filter(pk=rating_id, service_item=service).first()
              if rating_id else None)
    if rating is None:
        return redirect(service.get_absolute_url())
    follow_up_model = catalog_model("RatingFollowUp")
    return TemplateResponse(request, "zhunru_portal/service_rating_thanks.html", {
        "jurisdiction": jurisdiction, "portal_home": home, "portal_section": "catalog",
        "service": service,
        "rating": rating,
        "follow_up": follow_up_model.objects.filter(rating=rating).select_related("department").first(),
    })
