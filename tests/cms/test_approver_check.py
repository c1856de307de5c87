"""The system check zhunru_cms.W004 (issue 19 item 4): an extension approver who is a member of their own
jurisdiction only (no jurisdiction under it) approves nothing, since the higher-level office approves; upgraded
installations learn about it from ``migrate`` and ``check --database default``."""

import pytest
from django.core import checks

from tests.conftest import create_department, create_user
from zhunru import roles
from zhunru.models import Department, DepartmentMembership, Jurisdiction

pytestmark = pytest.mark.django_db


def _w004():
    return [m for m in checks.run_checks(databases=["default"]) if m.id == "zhunru_cms.W004"]


def test_an_approver_of_their_own_office_is_warned_about_until_moved_up(jurisdiction):
    approver = create_user("own-office-approver", groups=[roles.EXTENSION_APPROVER],
                           departments=[jurisdiction.lead_department])
    [warning] = _w004()
    assert "own-office-approver（测试区）" in warning.msg and "上级" in warning.hint
    assert not [m for m in checks.run_checks() if m.id == "zhunru_cms.W004"]  # a database check only

    # The higher office as add_jurisdiction would make it; the approver moves to its lead department.
    city = Jurisdiction.objects.create(name="测试市", short_name="测市", level=Jurisdiction.Level.CITY,
                                       division_code="360200")
    jurisdiction.parent = city
    jurisdiction.save()
    assert _w004(), "still a member of the lower jurisdiction only"
    city_office = create_department(city, "测试市发展和改革委员会", kind=Department.Kind.DEVELOPMENT_REFORM, is_lead=True)
    DepartmentMembership.objects.filter(user=approver).delete()
    DepartmentMembership.objects.create(user=approver, department=city_office)
    assert not _w004()


def test_superusers_and_other_roles_are_not_named(jurisdiction):
    create_user("coordinator-only", groups=[roles.COORDINATOR], departments=[jurisdiction.lead_department])
    create_user("boss-approver", groups=[roles.EXTENSION_APPROVER], superuser=True)
    assert not _w004()
