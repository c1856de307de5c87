"""单外无单 (issue 24 item 5): no service item under a 禁止准入类 list item; an edition that makes an item
禁止准入类 suspends and flags the service items under it."""

from django.urls import reverse

from zhunru.catalog.models import ListEdition, ListItem, ListMeasure, ServiceItem


def _edition(name, items, active=False):
    edition = ListEdition.objects.create(name=name, is_active=active)
    for number, (code, kind, item_name) in enumerate(items, 1):
        item = ListItem.objects.create(edition=edition, number=number, code=code, kind=kind, name=item_name,
                                       departments="市场监管总局")
        ListMeasure.objects.create(item=item, position=1, text=f"未获得许可，不得从事{item_name}")
    return edition


def test_admin_refuses_a_service_item_under_a_prohibited_item(client, make_user, make_department):
    edition = _edition("2025年版", [("100001", "prohibited", "禁止违规开展金融相关经营活动"),
                                    ("200001", "permitted", "药品生产经营许可")], active=True)
    dept = make_department("市场监管局")
    client.force_login(make_user("su-single", superuser=True))
    url = reverse("wagtailsnippets_zhunru_catalog_serviceitem:add")
    form = {"department": dept.pk, "name": "金融业务审批", "status": "accepting", "published": "on",
            "list_items": [edition.items.get(code="100001").pk]}
    resp = client.post(url, form)
    text = resp.content.decode()
    assert resp.status_code == 200 and "禁止准入类事项「100001 禁止违规开展金融相关经营活动」" in text and "单外无单" in text
    assert not ServiceItem.objects.exists()
    resp = client.post(url, {**form, "name": "药品经营许可", "list_items": [edition.items.get(code="200001").pk]})
    assert resp.status_code == 302 and ServiceItem.objects.get().name == "药品经营许可"


def test_edition_change_to_prohibited_suspends_and_flags(db, make_department):
    old = _edition("2022年版", [("200010", "permitted", "互联网新闻信息服务许可"),
                                ("200011", "permitted", "拍卖业务许可")])
    new = _edition("2025年版", [("200010", "prohibited", "互联网新闻信息服务许可"),
                                ("200011", "permitted", "拍卖业务许可")])
    old.activate()
    dept = make_department("网信办")
    news = ServiceItem.objects.create(department=dept, name="新闻信息服务许可", published=True)
    news.list_items.add(old.items.get(code="200010"))
    auction = ServiceItem.objects.create(department=dept, name="拍卖经营许可", published=True)
    auction.list_items.add(old.items.get(code="200011"))
    assert new.activate() == [news.pk]
    news.refresh_from_db()
    auction.refresh_from_db()
    assert news.status == ServiceItem.SUSPENDED and news.needs_review and "禁止准入类" in news.review_reason
    assert not news.list_items.filter(edition=new).exists()
    assert auction.status == ServiceItem.ACCEPTING and not auction.needs_review
