"""Entries mirrored from django-auditlog and Wagtail's log carry the department of the object they are about."""

import pytest

from zhunru import roles
from zhunru.audit.models import AuditEvent


def events(obj, action):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)


@pytest.fixture
def departments(make_department):
    return make_department("甲局"), make_department("乙局")


@pytest.mark.django_db
def test_own_department_field_on_create_update_and_delete(departments, make_user):
    from zhunru.cases.models.inspection import LedgerEntry
    from zhunru.models import DepartmentMembership

    a, b = departments
    entry = LedgerEntry.objects.create(department=b, responsible_unit=b, problem="台账问题", basis="依据")
    entry.problem = "台账问题（已更正）"
    entry.save()
    assert events(entry, "model.create").get().department_id == b.pk
    assert events(entry, "model.update").get().department_id == b.pk

    membership = DepartmentMembership.objects.create(user=make_user("member"), department=a)
    pk = membership.pk
    membership.delete()  # gone from the database: the department comes from the instance being logged
    deleted = AuditEvent.objects.get(object_type="zhunru_cms.departmentmembership", object_id=str(pk),
                                     action="model.delete")
    assert deleted.department_id == a.pk


@pytest.mark.django_db
def test_lead_uses_its_competent_unit_and_children_their_lead(jurisdiction, departments, make_user):
    from zhunru.leads.models import Extension, Lead

    a, b = departments
    boss = make_user("boss", superuser=True)
    lead = Lead.objects.create_lead(jurisdiction=jurisdiction, source=Lead.Source.COMPLAINT, title="某线索")
    assert events(lead, "model.create").get().department_id == jurisdiction.lead_department.pk
    lead.transfer(to=b, by=boss)
    assert events(lead, "model.update").last().department_id == b.pk  # as the lead's own entries
    assert AuditEvent.objects.filter(object_type="zhunru_leads.lead", object_id=str(lead.pk),
                                     action__startswith="lead.").last().department_id == b.pk

    stage = lead.stages.order_by("-pk").first()
    extension = Extension.objects.create(lead=lead, stage=stage, days=3, reason="需补充材料", requested_by=boss)
    assert events(extension, "model.create").get().department_id == b.pk  # no own department: the lead's


@pytest.mark.django_db
def test_department_itself_and_objects_without_one(jurisdiction, departments):
    a, _b = departments
    a.short_name = "甲"
    a.save()
    assert events(a, "model.update").get().department_id == a.pk
    jurisdiction.higher_office = "另一上级机关"
    jurisdiction.save()
    assert events(jurisdiction, "model.update").get().department_id is None


@pytest.mark.django_db
def test_wagtail_log_entries_of_department_pages(make_user):
    from zhunru import demo
    from zhunru.models import PolicyPage

    jurisdiction = demo.load()[0]
    a = jurisdiction.lead_department
    home = jurisdiction.home_page
    page = PolicyPage(title="甲局的政策", slug="jia-policy", issuer="甲局", department=a, body="<p>正文</p>")
    home.add_child(instance=page)
    page.save_revision(user=make_user("editor", superuser=True), log_action=True).publish()
    logged = AuditEvent.objects.filter(object_id=str(page.pk), action__startswith="wagtail.")
    assert logged.exists() and {e.department_id for e in logged} == {a.pk}


@pytest.mark.django_db
def test_timeline_department_filter_covers_mirrored_entries(client, departments, make_user):
    from zhunru.cases.models.inspection import LedgerEntry

    a, b = departments
    LedgerEntry.objects.create(department=a, responsible_unit=a, problem="甲局台账问题", basis="依据")
    LedgerEntry.objects.create(department=b, responsible_unit=b, problem="乙局台账问题", basis="依据")
    client.force_login(make_user("auditor", groups=[roles.AUDITOR], departments=[a]))  # the jurisdiction's auditor
    response = client.get("/admin/audit_events/", {"department": a.pk, "action": "model.create"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲局台账问题" in html and "乙局台账问题" not in html
