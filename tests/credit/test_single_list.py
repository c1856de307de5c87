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


def test_the_model_refuses_a_prohibited_or_non_current_item_on_every_path(db, make_department):
    """Not only the admin form: any code that links a service item (imports, the API, the demo, the shell)
    meets the same guard, from either side of the relation, with the reason in Chinese."""
    import pytest
    from django.core.exceptions import ValidationError
    from django.db import transaction

    old = _edition("2022年版", [("200020", "permitted", "旅行社业务经营许可")])
    new = _edition("2025年版", [("100020", "prohibited", "禁止违规开展互联网金融活动"),
                                ("200020", "permitted", "旅行社业务经营许可")])
    service = ServiceItem.objects.create(department=make_department("文旅局"), name="旅行社设立许可")
    # The refusal is raised inside the link's transaction: a caller that goes on afterwards holds a savepoint.
    with pytest.raises(ValidationError, match="尚无现行的负面清单版本"), transaction.atomic():
        service.list_items.add(new.items.get(code="200020"))
    new.activate()
    with pytest.raises(ValidationError, match="禁止准入类事项「100020 禁止违规开展互联网金融活动」"), transaction.atomic():
        service.list_items.add(new.items.get(code="100020"))
    with pytest.raises(ValidationError, match="禁止准入类事项"), transaction.atomic():
        new.items.get(code="100020").service_items.add(service)
    with pytest.raises(ValidationError, match="属于2022年版，不是现行版本2025年版中的事项"), transaction.atomic():
        service.list_items.set([old.items.get(code="200020")])
    assert not service.list_items.exists()
    service.list_items.add(new.items.get(code="200020"))
    assert list(service.list_items.values_list("code", flat=True)) == ["200020"]


def test_a_flagged_item_resumes_only_under_a_current_permitted_item(db, make_department, jurisdiction, make_subject):
    """No application outside the list: a suspended item takes no 告知承诺, and it resumes only under a
    current 许可准入类 item."""
    import datetime

    import pytest
    from django.core.exceptions import ValidationError

    from zhunru.credit.models import CreditCommitment

    def grant(service):
        return CreditCommitment.grant(subject=make_subject(), jurisdiction=jurisdiction, permit_name=service.name,
                                      promise="三十日内补交材料", due_date=datetime.date(2027, 1, 4),
                                      service_item=service)

    old = _edition("2022年版", [("200030", "permitted", "典当业务经营许可")])
    new = _edition("2025年版", [("200031", "permitted", "融资租赁业务许可")])
    old.activate()
    service = ServiceItem.objects.create(department=make_department("商务局"), name="典当行设立审批", published=True)
    service.list_items.add(old.items.get(code="200030"))
    assert new.activate() == [service.pk]  # its basis was removed: suspended and flagged
    service.refresh_from_db()
    assert service.status == ServiceItem.SUSPENDED and service.needs_review
    with pytest.raises(ValidationError, match="已停止受理"):
        grant(service)
    with pytest.raises(ValueError, match="没有列在现行负面清单版本的许可准入类事项下"):
        service.review("resume", "继续受理")
    service.review("keep_suspended", "依据已删除")  # keeping it suspended is always possible
    service.list_items.add(new.items.get(code="200031"))
    service.review("resume", "改依融资租赁业务许可")
    service.refresh_from_db()
    assert service.status == ServiceItem.ACCEPTING
    assert grant(service).service_item == service
