import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from zhunru.audit.models import AuditEvent
from zhunru.catalog.diff import diff_editions
from zhunru.catalog.models import ServiceItem


def test_diff(editions):
    old, new = editions
    d = diff_editions(old, new)
    assert [e.new.code for e in d.added] == ["200004"]
    assert [e.old.code for e in d.removed] == ["200003"]
    changed = {e.old.code: e for e in d.changed}
    assert set(changed) == {"200001", "200002"}
    assert changed["200001"].reasons == ["准入措施描述变化"]
    assert changed["200002"].recoded and changed["200002"].new.code == "200102"
    assert [e.old.code for e in d.unchanged] == ["100001"]
    assert len(list(d.rows())) == 4


def test_activation_flags_and_suspends(editions, make_department):
    old, new = editions
    old.activate()
    dept = make_department("市场监管局")
    removed = ServiceItem.objects.create(department=dept, name="食盐生产许可", published=True)
    removed.list_items.add(old.items.get(code="200003"))
    changed = ServiceItem.objects.create(department=dept, name="药品经营许可", published=True)
    changed.list_items.add(old.items.get(code="200001"))
    same = ServiceItem.objects.create(department=dept, name="金融", published=True)
    # 100001 is 禁止准入类: refused at the model level (inside the link's transaction, hence the savepoint)
    with pytest.raises(ValidationError, match="单外无单"), transaction.atomic():
        same.list_items.add(old.items.get(code="100001"))
    # A link made before 单外无单 was enforced (written past the guard) is found by the edition change.
    ServiceItem.list_items.through.objects.create(serviceitem=same, listitem=old.items.get(code="100001"))
    flagged = new.activate()
    assert set(flagged) == {removed.pk, changed.pk, same.pk}
    removed.refresh_from_db()
    changed.refresh_from_db()
    same.refresh_from_db()
    assert (
        removed.status == ServiceItem.SUSPENDED and removed.needs_review and "已删除" in removed.review_reason
    )
    assert (
        changed.status == ServiceItem.ACCEPTING
        and changed.needs_review
        and "准入措施描述变化" in changed.review_reason
    )
    assert same.needs_review and same.status == ServiceItem.SUSPENDED and "禁止准入类" in same.review_reason
    assert not same.list_items.filter(edition=new).exists()
    old.refresh_from_db()
    assert not old.is_active and new.is_active
    assert AuditEvent.objects.filter(action="catalog.service_item_flagged").count() == 3
    assert AuditEvent.objects.filter(action="catalog.edition_activated").exists()

    # The editors decide: a suspended item stays suspended with its reason; a changed one resumes, reason settled.
    with pytest.raises(ValueError, match="复核意见"):
        removed.review("keep_suspended", "  ")
    with pytest.raises(ValueError, match="复核结论"):
        removed.review("delete", "意见")
    removed.review("keep_suspended", "依据已删除，停止受理")
    changed.review("confirm", "措施调整不影响本事项")
    removed.refresh_from_db()
    changed.refresh_from_db()
    assert removed.status == ServiceItem.SUSPENDED and not removed.needs_review and "已删除" in removed.review_reason
    assert changed.status == ServiceItem.ACCEPTING and not changed.needs_review and changed.review_reason == ""
    decisions = AuditEvent.objects.filter(action="catalog.service_item_reviewed").order_by("pk")
    assert [e.note for e in decisions] == ["依据已删除，停止受理", "措施调整不影响本事项"]


def _edition(name, items):
    from zhunru.catalog.models import ListEdition, ListItem, ListMeasure

    edition = ListEdition.objects.create(name=name)
    for number, (code, kind, item_name, departments, measure) in enumerate(items, 1):
        item = ListItem.objects.create(
            edition=edition, number=number, code=code, kind=kind, name=item_name, departments=departments
        )
        ListMeasure.objects.create(item=item, position=1, text=measure)
    return edition


def test_diff_reports_kind_and_department_changes(db, make_department):
    old = _edition("2022年版", [
        ("200010", "permitted", "互联网新闻信息服务许可", "网信办", "未获得许可，不得从事互联网新闻信息服务"),
        ("200011", "permitted", "医疗器械经营许可", "药监局", "未获得许可，不得从事第三类医疗器械经营"),
        ("200012", "permitted", "拍卖业务许可", "商务部", "未获得许可，不得从事拍卖业务"),
    ])
    new = _edition("2025年版", [
        ("200010", "prohibited", "互联网新闻信息服务许可", "网信办", "未获得许可，不得从事互联网新闻信息服务"),
        ("200011", "permitted", "医疗器械经营许可", "药监局、卫生健康委", "未获得许可，不得从事第三类医疗器械经营"),
        ("200012", "permitted", "拍卖业务许可", "商务部", "未获得许可，不得从事拍卖业务"),
    ])

    d = diff_editions(old, new)

    changed = {e.old.code: e.reasons for e in d.changed}
    assert changed == {"200010": ["类别变化"], "200011": ["主管部门变化"]}
    assert [e.old.code for e in d.unchanged] == ["200012"] and not d.added and not d.removed
    assert sorted(r[4] for r in d.rows()) == ["主管部门变化", "类别变化"]

    # Activation flags the service items tied to either, with the reason.
    old.activate()
    dept = make_department("市场监管局")
    services = {}
    for code in ("200010", "200011"):
        services[code] = ServiceItem.objects.create(department=dept, name=f"事项{code}", published=True)
        services[code].list_items.add(old.items.get(code=code))
    new.activate()
    service = ServiceItem.objects.get(pk=services["200011"].pk)
    assert service.needs_review and service.status == ServiceItem.ACCEPTING and "主管部门变化" in service.review_reason
    assert service.list_items.filter(edition=new, code="200011").exists()
    # 200010 became 禁止准入类: 单外无单 suspends the service item and does not carry it over (issue 24 item 5)
    service = ServiceItem.objects.get(pk=services["200010"].pk)
    assert service.needs_review and service.status == ServiceItem.SUSPENDED and "单外无单" in service.review_reason
    assert not service.list_items.filter(edition=new).exists()


def test_recoded_item_that_changes_kind(db, tmp_path):
    from zhunru.catalog.importers import import_edition
    from zhunru.catalog.models import ListEdition

    from .conftest import OLD, write_csv

    moved = [OLD[0], OLD[1], ["3", "烟草专卖许可", "100102", "未获得许可，不得从事烟草专卖品批发", "烟草局", ""], OLD[3]]
    import_edition(write_csv(tmp_path / "old.csv", OLD), "2022年版")
    import_edition(write_csv(tmp_path / "new.csv", moved), "2025年版")

    d = diff_editions(ListEdition.objects.get(name="2022年版"), ListEdition.objects.get(name="2025年版"))

    [entry] = d.changed
    assert entry.recoded and (entry.old.code, entry.new.code) == ("200002", "100102")
    assert entry.new.kind == "prohibited" and entry.reasons == ["事项编码由200002改为100102", "类别变化"]
