"""Imported cases (``import_cases``; issue 21, item 3): public documents of their own, found from every
jurisdiction's portal search, NDRC ones marked 国家发展改革委典型案例 with their source and date; cases
not yet published never are."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from zhunru.search import indexing

pytestmark = pytest.mark.django_db

NATIONAL = {
    "title": "某市要求外地医疗器械企业在本地设立自有仓库",
    "region": "某市",
    "organization": "某市市场监督管理局",
    "category": "歧视性政策",
    "subcategory": "外地企业",
    "summary": "在医疗器械经营备案中要求外地企业在本市设立自有仓库，不认可委托第三方物流储存。",
    "result": "已修改办事指南，认可委托储存。",
    "published_on": "2024-06-25",
    "bulletin": "国家发展改革委关于违背市场准入负面清单典型案例的通报（第五批）",
}
LOCAL = {**NATIONAL, "title": "某区在殡葬服务中指定殡葬用品供应商", "organization": "某区民政局",
         "summary": "殡仪馆要求家属只能购买馆内殡葬用品。", "bulletin": "测发改〔2025〕9号",
         "published_on": "2025-06-30"}


@pytest.fixture
def imported(tmp_path, jurisdiction, search_settings):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([NATIONAL, LOCAL], ensure_ascii=False), encoding="utf-8")
    call_command("import_cases", str(path), jurisdiction=jurisdiction.name)
    indexing.rebuild()


def hits(client, q, **params):
    return client.get("/api/v1/search/", {"q": q, **params}).json()["hits"]


def test_a_national_case_is_found_and_marked_with_its_source_and_date(client, imported):
    found = hits(client, "外地医疗器械企业要在本地设自有仓库")
    assert found[0]["title"] == NATIONAL["title"]
    assert found[0]["type"] == "case" and found[0]["type_label"] == "国家发展改革委典型案例"
    assert found[0]["date"] == "2024-06-25"
    document = indexing_document(found[0]["id"])
    assert document["summary"].startswith("来源：国家发展改革委关于违背市场准入负面清单典型案例的通报（第五批）；通报日期：2024年6月25日。")


def indexing_document(doc_id):
    from zhunru.search.documents import public_document

    key, pk = doc_id.split(":")
    return public_document(key, pk)


def test_a_locally_imported_case_keeps_the_case_label_and_says_its_source(client, imported):
    found = hits(client, "殡葬用品")
    assert found[0]["title"] == LOCAL["title"] and found[0]["type_label"] == "典型案例"
    assert indexing_document(found[0]["id"])["summary"].startswith("来源：测发改〔2025〕9号；通报日期：2025年6月30日。")


@pytest.mark.parametrize("j", ["360299", "360202", ""])
def test_every_jurisdiction_s_portal_search_shows_it(client, imported, j):
    html = client.get(reverse("zhunru_portal:search"), {"q": "医疗器械 仓库", **({"j": j} if j else {})}).content.decode()
    assert NATIONAL["title"] in html and "国家发展改革委典型案例" in html


def test_a_case_not_published_is_never_found(client, imported, jurisdiction):
    from zhunru.cases.models import Case

    case = Case.objects.create(jurisdiction=jurisdiction, reporting_department=jurisdiction.departments.first(),
                               title="某县内部核查中的加油站距离限制线索", region="某县", organization="某县商务局",
                               summary="尚在核查，未通报。", handling_result="")
    indexing.rebuild()
    assert hits(client, "加油站距离限制") == []
    case.register()  # registered, in no live bulletin, not imported: still internal
    indexing.rebuild()
    assert hits(client, "加油站距离限制") == []
