"""Fixtures of the lead tracker: departments, the people in them, a lead at each step."""

import datetime

import pytest
from django.utils import timezone

from zhunru import roles


@pytest.fixture
def depts(jurisdiction, make_department):
    from zhunru.models import Department

    return {
        "lead": jurisdiction.lead_department,
        "market": make_department("测试区市场监督管理局", kind=Department.Kind.MARKET_REGULATION),
        "housing": make_department("测试区住房和城乡建设局"),
        "justice": make_department("测试区司法局", kind=Department.Kind.JUSTICE),
        "gov": make_department("测试区人民政府办公室", kind=Department.Kind.GOVERNMENT),
    }


@pytest.fixture
def higher_office(jurisdiction):
    """测试市, the higher-level jurisdiction of 测试区 (its parent): its development and reform commission
    approves 测试区's extension requests."""
    from zhunru.models import Department, Jurisdiction

    parent = Jurisdiction.objects.create(name="测试市", short_name="测市", level=Jurisdiction.Level.CITY,
                                         division_code="369900", office_name="测试市发展和改革委员会")
    office = Department.objects.create(jurisdiction=parent, name="测试市发展和改革委员会", short_name="市发改委",
                                       kind=Department.Kind.DEVELOPMENT_REFORM, is_lead=True)
    jurisdiction.parent = parent
    jurisdiction.save(update_fields=["parent"])
    return office


@pytest.fixture
def people(make_user, depts, higher_office):
    return {
        "coordinator": make_user("coord", groups=[roles.COORDINATOR], departments=[depts["lead"]]),
        "market": make_user("market", groups=[roles.DEPARTMENT_OFFICER], departments=[depts["market"]]),
        "housing": make_user("housing", groups=[roles.DEPARTMENT_OFFICER], departments=[depts["housing"]]),
        "justice": make_user("justice", groups=[roles.DEPARTMENT_OFFICER], departments=[depts["justice"]]),
        "approver": make_user("approver", groups=[roles.EXTENSION_APPROVER], departments=[higher_office]),
        "gov": make_user("gov", departments=[depts["gov"]]),
    }


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def make_lead(jurisdiction):
    from zhunru.leads.models import Lead

    def make(received_at=None, **kwargs):
        kwargs.setdefault("title", "某镇招标文件设置本地企业限制")
        kwargs.setdefault("source", Lead.Source.COMPLAINT)
        return Lead.objects.create_lead(jurisdiction=jurisdiction, received_at=received_at or timezone.now(), **kwargs)

    return make
