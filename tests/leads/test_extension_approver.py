"""The extension approver belongs to the higher-level office (issue 19 item 4, section 十二(三)/(四)): they decide
the requests of the jurisdictions under theirs and no other; a foreign approver reaches nothing (404, audited as
越权访问尝试) and changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zhunru import roles
from zhunru.leads.handoffs import extension_approvers
from zhunru.leads.models import Extension, Lead
from zhunru.leads.todo import todo_sections
from zhunru.models import Department, Jurisdiction

PENDING = "待审批的延期申请"


def _office(name: str, code: str, **kwargs) -> Department:
    j = Jurisdiction.objects.create(name=name, short_name=name[:2], level=Jurisdiction.Level.CITY, division_code=code,
                                    office_name=f"{name}发展和改革委员会", **kwargs)
    return Department.objects.create(jurisdiction=j, name=f"{name}发展和改革委员会", is_lead=True,
                                     kind=Department.Kind.DEVELOPMENT_REFORM)


@pytest.fixture
def pending(make_lead, depts, people):
    lead = make_lead(title="某镇招标限制外地企业")
    lead.transfer(to=depts["market"], by=people["coordinator"])
    lead.request_extension(by=people["market"], days=3, reason="需要调取档案")
    return lead


@pytest.fixture
def foreign_approver(make_user):
    """The approver of another city's office, which is not 测试区's parent."""
    return make_user("foreign-approver", groups=[roles.EXTENSION_APPROVER], departments=[_office("他市", "369800")])


def test_the_higher_office_decides_its_lower_jurisdictions_requests(pending, people, jurisdiction, make_lead):
    approver = people["approver"]
    assert extension_approvers(jurisdiction.pk) == [approver]  # told of the request
    assert Lead.objects.visible_to(approver).filter(pk=pending.pk).exists()
    assert not Lead.objects.visible_to(approver).filter(pk=make_lead().pk).exists()  # no request: not theirs
    assert todo_sections(approver)[0]["title"] == PENDING
    assert {"approve_extension", "reject_extension"} <= pending.allowed_actions(approver)
    pending.approve_extension(by=approver, note="同意")
    assert pending.extensions.get().status == Extension.Status.APPROVED


def test_an_approver_of_the_leads_own_jurisdiction_may_not_decide(pending, make_user, depts, jurisdiction):
    own = make_user("own-approver", groups=[roles.EXTENSION_APPROVER], departments=[depts["lead"]])
    assert not pending.allowed_actions(own) & {"approve_extension", "reject_extension"}
    with pytest.raises(PermissionDenied):
        pending.approve_extension(by=own)
    assert own not in extension_approvers(jurisdiction.pk)
    assert pending.extensions.get().status == Extension.Status.PENDING


def test_an_office_two_levels_up_decides_too(pending, make_user, higher_office):
    province = _office("测试省", "369000")
    city = higher_office.jurisdiction
    city.parent = province.jurisdiction
    city.save(update_fields=["parent"])
    approver = make_user("province-approver", groups=[roles.EXTENSION_APPROVER], departments=[province])
    pending.reject_extension(by=approver, note="理由不充分")
    assert pending.extensions.get().status == Extension.Status.REJECTED


def test_a_foreign_approver_gets_404_audited_and_changes_nothing(client, pending, foreign_approver, jurisdiction):
    from zhunru.audit.models import AuditEvent

    assert not pending.allowed_actions(foreign_approver)
    with pytest.raises(PermissionDenied):
        pending.approve_extension(by=foreign_approver)
    assert foreign_approver not in extension_approvers(jurisdiction.pk)
    assert todo_sections(foreign_approver) == []
    client.force_login(foreign_approver)
    for method, url in (("get", reverse("zhunru_lead_timeline", args=[pending.pk])),
                        ("post", reverse("zhunru_lead_action", args=[pending.pk, "approve_extension"])),
                        ("post", reverse("zhunru_lead_action", args=[pending.pk, "reject_extension"]))):
        response = getattr(client, method)(url, {"note": "越权审批"})
        assert response.status_code == 404, url
        assert pending.title not in response.content.decode()
        assert AuditEvent.objects.filter(action="security.foreign_access", actor=foreign_approver,
                                         object_id=str(pending.pk)).exists()
    listing = client.get(reverse("wagtailsnippets_zhunru_leads_extension:list")).content.decode()
    assert pending.number not in listing
    assert pending.extensions.get().status == Extension.Status.PENDING
