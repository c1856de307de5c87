"""The negative list browser, list item and service item pages: public content only, filters with counts.

What is public: the active edition (the default), earlier editions as history when chosen, never an
edition that was imported but not activated; published service items only (suspended ones with their
status); published guide and model-text versions only.
"""

import datetime

import pytest
from django.urls import reverse

from tests.portal.conftest import visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(portal, catalog_demo):
    """The catalog demo: 2022年版 (history) and 2025年版 (active), two service items per jurisdiction (the
    shared ``catalog_demo`` rows, built once for consecutive tests)."""
    return catalog_demo


def list_url(code="360202", **params):
    from urllib.parse import urlencode

    return reverse("zhunru_portal:catalog", args=[code]) + ("?" + urlencode(params) if params else "")


def service(name="药品经营许可证核发", code="360202"):
    from zhunru.catalog.models import ServiceItem

    return ServiceItem.objects.get(name=name, department__jurisdiction__division_code=code)


def market_regulation(code="360202"):
    from zhunru.models import Department

    return Department.objects.filter(jurisdiction__division_code=code,
                                     kind=Department.Kind.MARKET_REGULATION).order_by("pk").first()


# --- the list ----------------------------------------------------------------------------------

def test_list_shows_the_active_edition_by_default_with_counts(client, catalog):
    html = client.get(list_url()).content.decode()
    assert "市场准入负面清单（2025年版）" in html
    assert "100002" in html and "禁止违规开展互联网相关经营活动" in html  # only in 2025年版
    assert "食盐定点生产许可" not in html  # only in 2022年版
    assert "共 6 项：禁止准入类 2 项，许可准入类 4 项" in html
    assert "禁止准入类（2）" in html and "许可准入类（4）" in html
    assert "药监局（1）" in html and "工业和信息化部（1）" in html
    assert f"{market_regulation().name}（2）" in html  # the local department handles two items
    assert "本地政务服务事项 1 项" in html
    assert 'aria-current="page"' in html and "负面清单" in html  # the nav section


def test_an_earlier_edition_is_public_history_when_chosen(client, catalog):
    old = catalog["2022年版"]
    html = client.get(list_url(edition=old.pk)).content.decode()
    assert "市场准入负面清单（2022年版）" in html and "历史版本" in html
    assert "食盐定点生产许可" in html and "禁止违规开展互联网相关经营活动" not in html
    assert "共 3 项" in html
    # The select offers both editions, the active one as the default.
    default = client.get(list_url()).content.decode()
    assert "2025年版（现行）" in default and "2022年版（历史版本）" in default


def test_an_edition_not_yet_activated_is_not_public(client, catalog):
    from zhunru.catalog.models import ListEdition, ListItem

    draft = ListEdition.objects.create(name="2026年版", effective_date=datetime.date(2026, 6, 1))
    item = ListItem.objects.create(edition=draft, number=1, kind="permitted", code="200099",
                                   name="草稿中的新增许可事项", departments="某部")
    assert "2026年版" not in client.get(list_url()).content.decode()
    assert client.get(list_url(edition=draft.pk)).status_code == 404
    assert client.get(reverse("zhunru_portal:list_item", args=["360202", item.pk])).status_code == 404
    assert client.get(item.get_absolute_url()).status_code == 404
    assert client.get(list_url(edition="not-a-number")).status_code == 404


def test_filters_by_kind_competent_and_local_department_and_text(client, catalog):
    html = client.get(list_url(kind="prohibited")).content.decode()
    assert "100001" in html and "100002" in html and "200001" not in html
    assert "共 2 项" in html and "清除筛选" in html

    html = client.get(list_url(dept="药监局")).content.decode()
    assert "药品生产经营许可" in html and "食品生产经营许可" not in html and "共 1 项" in html
    # Counts of the other filters follow the chosen one.
    assert "许可准入类（1）" in html and "禁止准入类（0）" in html

    html = client.get(list_url(local=market_regulation().pk)).content.decode()
    assert "药品生产经营许可" in html and "食品生产经营许可" in html and "共 2 项" in html
    assert "民用爆炸物品生产许可" not in html

    html = client.get(list_url(q="食品")).content.decode()
    assert "食品生产经营许可" in html and "共 1 项" in html
    html = client.get(list_url(q="200003")).content.decode()
    assert "民用爆炸物品生产许可" in html and "共 1 项" in html

    html = client.get(list_url(kind="prohibited", dept="药监局")).content.decode()
    assert "没有符合条件的清单事项" in html and "药监局（0）" in html


def test_the_neutral_list_has_no_local_filter(client, catalog):
    response = client.get(reverse("zhunru_portal:catalog_all"))
    html = response.content.decode()
    assert response.status_code == 200 and "共 6 项" in html
    assert "本地办理部门" not in html and 'name="local"' not in html


def test_unknown_jurisdiction_is_404(client, catalog):
    assert client.get(list_url("999999")).status_code == 404


# --- list items --------------------------------------------------------------------------------

def test_item_page_has_measures_and_the_jurisdictions_service_items(client, catalog):
    from zhunru.catalog.models import ListItem

    item = ListItem.objects.public().get(code="200001")
    html = client.get(reverse("zhunru_portal:list_item", args=["360202", item.pk])).content.decode()
    assert "药品生产经营许可" in html and "200001" in html and "许可准入类" in html
    assert "未获得许可，不得从事药品网络销售" in html and "全国性措施" in html
    assert "《中华人民共和国行政许可法》" in html  # legal basis
    local = service(code="360202")
    assert local.get_absolute_url() in html and market_regulation().name in html
    guide = local.documents.get(kind="guide", published=True)
    assert guide.get_download_url() in html and "下载办事指南" in html and "下载示范文本" in html
    assert service(code="141081").get_absolute_url() not in html  # Houma's is not Changjiang's


def test_neutral_item_page_groups_every_jurisdictions_service_items(client, catalog):
    from zhunru.catalog.models import ListItem

    item = ListItem.objects.public().get(code="200001")
    assert item.get_absolute_url() == reverse("zhunru_portal:list_item_any", args=[item.pk])
    html = client.get(item.get_absolute_url()).content.decode()
    assert "各地办理的政务服务事项" in html
    assert "景德镇市昌江区" in html and "侯马市" in html
    assert service(code="360202").get_absolute_url() in html and service(code="141081").get_absolute_url() in html


def test_historical_item_links_to_the_current_one(client, catalog):
    old = catalog["2022年版"].items.get(code="200001")
    current = catalog["2025年版"].items.get(code="200001")
    html = client.get(reverse("zhunru_portal:list_item", args=["360202", old.pk])).content.decode()
    assert "本事项属于历史版本2022年版" in html
    assert reverse("zhunru_portal:list_item", args=["360202", current.pk]) in html
    gone = catalog["2022年版"].items.get(code="200002")
    html = client.get(reverse("zhunru_portal:list_item", args=["360202", gone.pk])).content.decode()
    assert "现行2025年版中已无编码为 200002 的事项" in html


def test_unpublished_service_items_are_not_listed_anywhere(client, catalog):
    from zhunru.catalog.models import ListItem

    local = service(code="360202")
    local.published = False
    local.save()
    item = ListItem.objects.public().get(code="200001")
    html = client.get(reverse("zhunru_portal:list_item", args=["360202", item.pk])).content.decode()
    assert local.name not in html and "暂未公布与本事项对应的政务服务事项" in html
    assert local.name not in client.get(item.get_absolute_url()).content.decode().split("侯马市")[0]
    assert f"{market_regulation().name}（1）" in client.get(list_url()).content.decode()


# --- service items -----------------------------------------------------------------------------

def test_service_item_page_shows_what_a_citizen_needs(client, catalog):
    local = service(name="食品经营许可")
    response = client.get(local.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("食品经营许可", market_regulation().name, "县级", "申请—受理—审查（含现场核查）—决定—发证",
                 "食品经营许可申请书", "具有与经营的食品品种", "10个工作日", "不收费", "网上办理、窗口办理",
                 "受理中", "200004", "食品生产经营许可"):
        assert text in html, text
    assert html.count("<li>营业执照</li>") == 1  # materials as a list
    for doc in local.documents.filter(published=True):
        assert doc.get_download_url() in html
    assert reverse("zhunru_portal:service_rating", args=["360202", local.pk]) in html


def test_guide_versions_current_history_upcoming_and_drafts(client, catalog):
    from zhunru.catalog.documents import add_version, pdf_upload

    local = service()
    today = datetime.date.today()
    v2 = add_version(local, "guide", effective_date=today - datetime.timedelta(days=1), change_note="调整申请材料",
                     body="第二版正文", upload=pdf_upload("g2.pdf", "第二版", "第二版正文"), publish=True)
    draft = add_version(local, "guide", effective_date=today, change_note="草稿修改说明", body="草稿",
                        upload=pdf_upload("g3.pdf", "草稿", "草稿"))
    html = client.get(local.get_absolute_url()).content.decode()
    assert "现行版本：第2版" in html and v2.get_download_url() in html and "调整申请材料" in html
    v1 = local.documents.get(kind="guide", version=1)
    assert "历史版本" in html and v1.get_download_url() in html and "首次发布" in html
    assert "草稿修改说明" not in html and draft.get_download_url() not in html
    assert client.get(draft.get_download_url()).status_code == 404

    draft.published = True
    draft.effective_date = today + datetime.timedelta(days=30)
    draft.save()
    html = client.get(local.get_absolute_url()).content.decode()
    assert "现行版本：第2版" in html and "第3版将于" in html and "草稿修改说明" in html
    response = client.get(v1.get_download_url())
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")


def test_unpublished_service_item_is_404_everywhere(client, catalog):
    local = service()
    url, rate = local.get_absolute_url(), reverse("zhunru_portal:service_rating", args=["360202", local.pk])
    local.published = False
    local.save()
    assert client.get(url).status_code == 404
    assert client.get(rate).status_code == 404
    assert client.post(rate, {"level": "5"}).status_code == 404


def test_service_item_under_another_jurisdiction_redirects_to_its_own(client, catalog):
    local = service(code="141081")
    response = client.get(reverse("zhunru_portal:service_item", args=["360202", local.pk]))
    assert response.status_code == 301 and response["Location"] == local.get_absolute_url()
    assert local.get_absolute_url().startswith("/portal/141081/services/")


def test_suspended_service_item_is_shown_with_its_status(client, catalog):
    local = service()
    local.status = local.SUSPENDED
    local.save()
    html = client.get(local.get_absolute_url()).content.decode()
    assert "停止受理" in html and "暂不接受新的申请" in html


def test_nav_links_the_list(client, catalog, changjiang_home):
    html = visit(client, changjiang_home).content.decode()
    assert f'href="{list_url()}"' in html and ">负面清单<" in html
    neutral = client.get(reverse("zhunru_portal:complaint_status")).content.decode()
    assert f'href="{reverse("zhunru_portal:catalog_all")}"' in neutral


def test_pages_declare_language_and_label_their_filters(client, catalog):
    html = client.get(list_url()).content.decode()
    assert '<html lang="zh-CN">' in html
    for name in ("edition", "kind", "dept", "local", "q"):
        assert f'<label for="f-{name}">' in html and f'id="f-{name}"' in html
