"""Factories of the case register tests."""

import pytest

from cms import roles


@pytest.fixture
def lead_department(jurisdiction):
    return jurisdiction.lead_department


@pytest.fixture
def officer_department(make_department):
    return make_department("测试区市场监督管理局", short_name="区市场监管局")


@pytest.fixture
def coordinator(make_user, lead_department):
    return make_user("coordinator", groups=[roles.COORDINATOR], departments=[lead_department])


@pytest.fixture
def make_case(jurisdiction, officer_department):
    from cms.cases.models import Case, Category

    def make(title: str = "某镇要求外地企业在本地设立分支机构方可参与投标", **kwargs):
        defaults = {
            "jurisdiction": jurisdiction,
            "reporting_department": officer_department,
            "organization": "测试区某镇人民政府",
            "region": "测试区",
            "category": Category.DISCRIMINATORY,
            "subcategory": "non_local",
            "summary": "招标公告要求投标人须在本区设立分公司。",
            "violated_clause": "《市场准入负面清单（2025年版）》说明第二条",
            "handling_result": "已责令删除相关条款并重新发布公告。",
            "source_person": "张某（投诉人）",
            "source_contact": "13800000000",
            "internal_notes": "内部：投诉人要求保密。",
        }
        defaults.update(kwargs)
        return Case.objects.create(title=title, **defaults)

    return make
