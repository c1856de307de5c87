"""Ledger entries change status only through their transitions; the admin form shows it read-only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.cases.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(officer_department):
    return LedgerEntry.objects.create(
        department=officer_department, responsible_unit=officer_department, problem="某文件要求本地注册",
        basis="《市场准入负面清单（2025年版）》", deadline=datetime.date(2026, 4, 30))


@pytest.fixture
def officer(make_user, officer_department):
    return make_user("ledger-officer", groups=[roles.DEPARTMENT_OFFICER], departments=[officer_department])


def test_transitions_check_who_and_what(entry, officer, coordinator, make_user, make_department):
    outsider = make_user("outsider", groups=[roles.DEPARTMENT_OFFICER], departments=[make_department("别的局")])
    with pytest.raises(PermissionDenied):
        entry.start_rectifying(by=outsider)
    entry.start_rectifying(by=officer)
    with pytest.raises(ValidationError, match="请填写整改结果"):
        entry.report_rectified(by=officer, result="  ")
    entry.report_rectified(by=officer, result="已删除本地注册条款")
    with pytest.raises(PermissionDenied):
        entry.close(by=officer)  # 销号 is the coordinator's
    entry.close(by=coordinator)
    entry.refresh_from_db()
    assert entry.status == LedgerEntry.Status.CLOSED and entry.result == "已删除本地注册条款"
    actions = set(AuditEvent.objects.filter(object_id=str(entry.pk)).values_list("action", flat=True))
    assert {"ledger.rectifying", "ledger.rectified", "ledger.closed"} <= actions


def test_the_edit_form_cannot_change_status_result_or_deadline(client, entry, coordinator):
    client.force_login(coordinator)
    url = f"/admin/snippets/zhunru_cases/ledgerentry/edit/{entry.pk}/"
    html = client.get(url).content.decode()
    assert 'name="status"' not in html and 'name="result"' not in html
    response = client.post(url, {
        "department": entry.department_id, "responsible_unit": entry.responsible_unit_id, "problem": "改过的问题描述",
        "basis": entry.basis, "measure": "", "deadline": "2027-01-01", "time_limit_days": "", "time_limit_unit": "calendar",
        "status": "closed", "result": "伪造的结果",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.problem == "改过的问题描述"  # the form works
    assert entry.status == LedgerEntry.Status.OPEN and entry.result == ""
    assert entry.deadline == datetime.date(2026, 4, 30)


def test_admin_steps_through_the_transitions(client, entry, officer, coordinator):
    client.force_login(officer)
    listing = client.get("/admin/snippets/zhunru_cases/ledgerentry/").content.decode()
    assert f"/admin/cases/ledger/{entry.pk}/status/start/" in listing
    assert client.post(f"/admin/cases/ledger/{entry.pk}/status/start/").status_code == 302
    assert client.post(f"/admin/cases/ledger/{entry.pk}/status/rectified/", {"result": "已修订"}).status_code == 302
    client.post(f"/admin/cases/ledger/{entry.pk}/status/close/")  # refused (Wagtail redirects with a message)
    entry.refresh_from_db()
    assert entry.status == LedgerEntry.Status.RECTIFIED and entry.result == "已修订"
    client.force_login(coordinator)
    assert client.post(f"/admin/cases/ledger/{entry.pk}/status/close/").status_code == 302
    entry.refresh_from_db()
    assert entry.status == LedgerEntry.Status.CLOSED
    assert client.post(f"/admin/cases/ledger/{entry.pk}/status/nonsense/").status_code in (302, 403)


def test_the_listing_offers_only_the_steps_the_user_may_take(entry, officer, coordinator):
    from django.urls import reverse

    from zhunru.cases.wagtail_hooks import ledger_listing_buttons

    def offered(user) -> set[str]:
        return {b.url for b in ledger_listing_buttons(entry, user)}

    start = reverse("zhunru_ledger_action", args=[entry.pk, "start"])
    assert start in offered(officer) and start in offered(coordinator)
    entry.start_rectifying(by=officer)
    entry.report_rectified(by=officer, result="已删除本地注册条款")
    close = reverse("zhunru_ledger_action", args=[entry.pk, "close"])
    assert close not in offered(officer)  # 销号 is the coordinator's: not offered to the officer
    assert close in offered(coordinator)
