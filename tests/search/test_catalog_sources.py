"""List items (active edition only) and published service items in the search index, kept in step by the outbox."""

import datetime
import io

import pytest

from zhunru.search import indexing
from zhunru.search.models import IndexTask
from zhunru.search.query import search

pytestmark = pytest.mark.django_db


def apply_all():
    applied, failed = indexing.apply_due()
    assert failed == 0
    return applied


@pytest.fixture
def catalog(search_settings, jurisdiction, make_department):
    """The catalog demo (2022年版, 2025年版 active, two service items) with every outbox task applied."""
    from zhunru.catalog import demo
    from zhunru.catalog.models import ListEdition
    from zhunru.models import Department

    make_department("测试区市场监督管理局", kind=Department.Kind.MARKET_REGULATION)
    # The demo gives service items to jurisdictions with a portal (a Site) only.
    from wagtail.models import Page, Site

    jurisdiction.site = Site.objects.create(hostname="ceshi.localhost", root_page=Page.get_first_root_node())
    jurisdiction.save(update_fields=["site"])
    demo.load(io.StringIO())
    apply_all()
    return {e.name: e for e in ListEdition.objects.all()}


def ids(result) -> set[str]:
    return {hit.id for hit in result.hits}


def test_items_of_the_active_edition_are_found_by_two_characters_and_by_code(catalog):
    item = catalog["2025年版"].items.get(code="200003")
    result = search("爆炸")
    assert ids(result) == {f"list_item:{item.pk}"}
    hit = result.hits[0]
    assert hit.title == "200003 民用爆炸物品生产许可"
    assert (hit.type, hit.type_label, hit.category) == ("list_item", "清单事项", "许可准入类")
    assert hit.url == item.get_absolute_url() == f"/portal/list/items/{item.pk}/"
    assert hit.date and hit.date.startswith("2025-04-24") and hit.department == "工业和信息化部"
    assert search("200003").hits[0].id == f"list_item:{item.pk}"
    assert search("网络销售").hits[0].id == f"list_item:{catalog['2025年版'].items.get(code='200001').pk}"


def test_items_of_other_editions_are_not_found(catalog):
    assert search("食盐").total == 0  # 食盐定点生产许可 is only in 2022年版
    assert search("200002").total == 0
    old = catalog["2022年版"].items.get(code="200001")
    assert f"list_item:{old.pk}" not in ids(search("200001", per_page=50))


def test_published_service_items_are_found_with_their_guides(catalog):
    from zhunru.catalog.models import ServiceItem

    service = ServiceItem.objects.get(name="食品经营许可")
    result = search("食品经营许可", type="service_item")
    assert ids(result) == {f"service_item:{service.pk}"}
    hit = result.hits[0]
    assert hit.type_label == "政务服务事项" and hit.url == service.get_absolute_url()
    assert hit.department == "测试区市场监督管理局" and hit.region == "测试区"
    assert f"service_item:{service.pk}" in ids(search("200004"))  # the code of its list item
    assert search("现场核查", type="service_item").total == 1  # its process

    from zhunru.catalog.documents import add_version

    add_version(service, "guide", effective_date=datetime.date(2025, 6, 1), body="实行告知承诺和容缺受理。",
                publish=False)
    apply_all()
    assert search("容缺受理").total == 0  # a draft guide is not public
    draft = service.documents.get(version=2, kind="guide")
    draft.published = True
    draft.save()
    apply_all()
    assert ids(search("容缺受理")) == {f"service_item:{service.pk}"}


def test_unpublished_service_items_are_not_found(catalog):
    from zhunru.catalog.models import ServiceItem

    service = ServiceItem.objects.get(name="食品经营许可")
    service.published = False
    service.save()
    apply_all()
    assert search("食品经营许可", type="service_item").total == 0
    service.published = True
    service.save()
    apply_all()
    assert search("食品经营许可", type="service_item").total == 1
    service.delete()
    apply_all()
    assert search("食品经营许可", type="service_item").total == 0


def test_changing_a_measure_reindexes_its_item(catalog):
    item = catalog["2025年版"].items.get(code="200005")
    measure = item.measures.get()
    measure.text = "未获得许可，不得从事道路旅客运输经营和客运站经营"
    measure.save()
    assert IndexTask.objects.pending().filter(source="list_item", object_pk=str(item.pk)).exists()
    apply_all()
    assert ids(search("客运站")) == {f"list_item:{item.pk}"}


def test_activating_an_edition_swaps_the_indexed_items(catalog):
    old, new = catalog["2022年版"], catalog["2025年版"]
    old.activate()
    # The outbox has a task for every item of both editions, written by the activation itself.
    pending = set(IndexTask.objects.pending().filter(source="list_item").values_list("object_pk", flat=True))
    everything = {str(pk) for pk in old.items.values_list("pk", flat=True)} | {
        str(pk) for pk in new.items.values_list("pk", flat=True)}
    assert everything <= pending
    apply_all()
    assert ids(search("食盐")) == {f"list_item:{old.items.get(code='200002').pk}"}
    assert search("互联网").total == 0 and search("爆炸").total == 0
    assert search("200001", type="list_item").hits[0].id == f"list_item:{old.items.get(code='200001').pk}"
    assert search("200001", type="list_item").total == 1

    new.activate()
    apply_all()
    assert search("食盐").total == 0 and search("互联网").total == 1


def test_reconcile_finds_nothing_to_repair_after_the_outbox(catalog):
    from zhunru.search.documents import count_documents

    stats = indexing.reconcile()
    assert (stats["missing"], stats["stale"], stats["orphans"]) == (0, 0, 0)
    assert stats["documents"] == count_documents() == 6 + 2  # the active edition's items, the service items


def test_deleting_the_active_edition_removes_its_items(catalog):
    assert search("爆炸").total == 1
    catalog["2025年版"].delete()
    apply_all()
    assert search("爆炸").total == 0 and search("200001").total == 0
