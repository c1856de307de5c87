"""Audit events record their jurisdiction: the object's where it has one, else the acting user's single one;
``AuditEvent.objects.visible_to(user)`` shows a user the events of their own jurisdictions only."""

import pytest

from zhunru.audit.models import AuditEvent
from zhunru.audit.recording import record


@pytest.fixture
def other(db):
    from zhunru.models import Department, Jurisdiction

    j = Jurisdiction.objects.create(name="另一区", short_name="另", level=Jurisdiction.Level.DISTRICT,
                                    division_code="360298")
    Department.objects.create(jurisdiction=j, name="另一区发展和改革委员会", is_lead=True)
    return j


def events(obj, action):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)


@pytest.mark.django_db
def test_object_jurisdiction_on_lead_department_and_child(jurisdiction, other, make_department, make_user):
    from zhunru.leads.models import Extension, Lead

    boss = make_user("boss", superuser=True)
    lead = Lead.objects.create_lead(jurisdiction=other, source=Lead.Source.COMPLAINT, title="某线索")
    assert events(lead, "model.create").get().jurisdiction_id == other.pk
    dept = make_department("甲局")
    assert events(dept, "model.create").get().jurisdiction_id == jurisdiction.pk
    stage = lead.stages.order_by("-pk").first()
    extension = Extension.objects.create(lead=lead, stage=stage, days=3, reason="需补充材料", requested_by=boss)
    assert events(extension, "model.create").get().jurisdiction_id == other.pk  # its lead's


@pytest.mark.django_db
def test_without_object_the_actors_single_jurisdiction(jurisdiction, other, make_department, make_user):
    officer = make_user("officer", departments=[make_department("甲局")])
    assert record("audit.export", actor=officer).jurisdiction_id == jurisdiction.pk
    from zhunru.models import Department

    both = make_user("both", departments=[make_department("乙局"), Department.objects.get(jurisdiction=other)])
    assert record("audit.export", actor=both).jurisdiction_id is None  # two: none guessed


@pytest.mark.django_db
def test_visible_to(jurisdiction, other, make_department, make_user):
    mine = record("test.event", obj=jurisdiction)
    theirs = record("test.event", obj=other)
    loose = record("test.event")
    officer = make_user("officer", departments=[make_department("甲局")])
    visible = set(AuditEvent.objects.visible_to(officer).filter(action="test.event").values_list("pk", flat=True))
    assert visible == {mine.pk}
    boss = make_user("boss", superuser=True)
    everything = set(AuditEvent.objects.visible_to(boss).filter(action="test.event").values_list("pk", flat=True))
    assert everything == {mine.pk, theirs.pk, loose.pk}
    from django.contrib.auth.models import AnonymousUser

    assert not AuditEvent.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.django_db
def test_page_under_a_jurisdiction_home(demo):
    from zhunru.audit.jurisdictions import jurisdiction_id_of
    from zhunru.models import JurisdictionHomePage

    home = JurisdictionHomePage.objects.first()
    child = home.get_children().first() or home
    assert jurisdiction_id_of(child.specific) == home.jurisdiction_id
