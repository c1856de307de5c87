import pytest

from cms.audit.models import AuditEvent
from cms.catalog.diff import diff_editions
from cms.catalog.models import ServiceItem


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
    same.list_items.add(old.items.get(code="100001"))
    flagged = new.activate()
    assert set(flagged) == {removed.pk, changed.pk}
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
    assert not same.needs_review
    assert same.list_items.filter(edition=new).exists()
    old.refresh_from_db()
    assert not old.is_active and new.is_active
    assert AuditEvent.objects.filter(action="catalog.service_item_flagged").count() == 2
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
