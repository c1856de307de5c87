"""Walk every registered URL as an officer of department A and look for anything of department B.

The walk reads the URLconf at run time, so URLs that any app adds later are covered too.
"""

import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver

from cms import roles
from cms.uploads import store_attachment

PDF_B = b"%PDF-1.4\n% department B secret evidence\ntrailer<<>>\n%%EOF\n"
MARKERS = ["乙局机密线索", "乙局台账机密问题", "乙局机密证据", "乙局机密案例", "乙局未发布服务事项", "乙局差评机密答复"]
SKIP_NAMES = re.compile(r"logout|password|serve|preview|error_test|wagtailadmin_javascript_catalog")


def _possibilities():
    """(format string, params) for every URL pattern the resolver can reverse."""
    seen = set()
    stack = [("", get_resolver())]
    while stack:
        prefix, resolver = stack.pop()
        for key, entries in resolver.reverse_dict.lists():
            for possibilities, _pattern, _defaults, _converters in entries:
                for fmt, params in possibilities:
                    name = key if isinstance(key, str) else getattr(key, "__name__", "")
                    fmt = prefix + fmt  # namespaced includes (snippets, API) are relative to their prefix
                    if (fmt, tuple(params)) not in seen and not SKIP_NAMES.search(name + fmt):
                        seen.add((fmt, tuple(params)))
                        yield name, fmt, params
        for ns_prefix, ns_resolver in resolver.namespace_dict.values():
            stack.append((prefix + ns_prefix, ns_resolver))
        del prefix


@pytest.fixture
def department_b_world(jurisdiction, make_department, make_user):
    """Department B's lead, evidence, case and ledger entry; an officer of department A."""
    from cms.cases.models import Case, Category
    from cms.cases.models.inspection import LedgerEntry
    from cms.leads.models import Lead

    dept_a = make_department("甲局")
    dept_b = make_department("乙局")
    boss = make_user("boss", superuser=True)
    officer_a = make_user("officer_a", groups=[roles.DEPARTMENT_OFFICER, roles.EDITOR], departments=[dept_a])

    lead = Lead.objects.create_lead(jurisdiction=jurisdiction, source=Lead.Source.COMPLAINT, title="乙局机密线索")
    lead.transfer(to=dept_b, by=boss)
    attachment = store_attachment(
        SimpleUploadedFile("乙局机密证据.pdf", PDF_B), lead, department=dept_b, user=boss, purpose="核查印证材料"
    )
    case = Case.objects.create(
        title="乙局机密案例", jurisdiction=jurisdiction, reporting_department=dept_b, organization="某单位",
        region="测试区", category=Category.DISCRIMINATORY, subcategory="non_local", summary="摘要",
    )
    entry = LedgerEntry.objects.create(
        department=dept_b, responsible_unit=dept_b, problem="乙局台账机密问题", basis="依据",
    )
    from cms.catalog.models import ServiceItem
    from cms.catalog.ratings import submit_rating

    service = ServiceItem.objects.create(department=dept_b, name="乙局未发布服务事项", published=False)
    follow_up = submit_rating(service, 1, "hall").follow_up
    follow_up.answer = "乙局差评机密答复"
    follow_up.save()
    ids = sorted({lead.pk, case.pk, entry.pk, attachment.pk, dept_b.pk, service.pk, follow_up.pk}
                 | set(lead.stages.values_list("pk", flat=True)))
    return {"officer_a": officer_a, "ids": ids, "uuid": str(attachment.uuid)}


def _values(param: str, world) -> list[str]:
    if "uuid" in param:
        return [world["uuid"]]
    if param in ("app_label",):
        return ["zhunru_leads", "zhunru_cases", "zhunru_cms"]
    if param in ("model_name",):
        return ["lead", "case", "ledgerentry", "attachment", "serviceitem", "ratingfollowup"]
    return [str(i) for i in world["ids"]]


def _walk(client, world):
    """GET every URL with B's ids filled in; return how many were requested and where B's data showed."""
    client.raise_request_exception = False
    found = []
    requested = 0
    for _name, fmt, params in _possibilities():
        choices = [_values(p, world) for p in params]
        for combo in itertools.islice(itertools.product(*choices), 40):
            url = "/" + fmt % dict(zip(params, combo, strict=True))
            response = client.get(url)
            requested += 1
            if response.status_code != 200:
                continue
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if body == PDF_B:
                found.append((url, "B 的附件"))
                continue
            text = body.decode("utf-8", "replace")
            found.extend((url, marker) for marker in MARKERS if marker in text)
    return requested, found


@pytest.mark.django_db
def test_officer_of_a_sees_nothing_of_b_anywhere(client, department_b_world):
    client.force_login(department_b_world["officer_a"])
    requested, leaks = _walk(client, department_b_world)
    assert requested > 100, "the walk found too few URLs"
    assert not leaks, f"部门 A 的经办人看到了部门 B 的数据：{leaks[:20]}"


@pytest.mark.django_db
def test_the_walk_does_find_b_for_someone_allowed_to_see_it(client, department_b_world):
    """The same walk as a superuser finds B's lead, case, ledger entry and file: the check can fail."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="boss"))
    _requested, found = _walk(client, department_b_world)
    kinds = {marker for _url, marker in found}
    assert {"乙局机密线索", "乙局机密案例", "乙局台账机密问题", "B 的附件", "乙局未发布服务事项", "乙局差评机密答复"} <= kinds
