"""Factories of the case register tests."""

import pytest

from zhunru import roles


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
    from zhunru.cases.models import Case, Category

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


@pytest.fixture
def editor(make_user):
    return make_user("editor", groups=[roles.EDITOR])


@pytest.fixture
def legal_reviewer(make_user):
    return make_user("legal", groups=[roles.LEGAL_REVIEWER])


@pytest.fixture
def home_page(jurisdiction):
    """The jurisdiction's portal home as the default site's root, with the roles' page permissions."""
    from wagtail.models import Page, Site

    from zhunru.models import JurisdictionHomePage

    roles.sync_roles()
    root = Page.get_first_root_node()
    home = JurisdictionHomePage(title="测试区", slug="ceshi", jurisdiction=jurisdiction)
    root.add_child(instance=home)
    Site.objects.update(is_default_site=False)
    Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True, site_name="测试区")
    roles.page_permissions_for_editors(home)
    return home


@pytest.fixture
def bulletin_index(home_page):
    from zhunru.cases.models import BulletinIndexPage

    index = BulletinIndexPage(title="典型案例通报", slug="bulletins")
    home_page.add_child(instance=index)
    return index


@pytest.fixture
def make_bulletin(bulletin_index, make_case):
    """A draft bulletin presenting registered cases."""
    import datetime

    from zhunru.cases.models import BulletinCase, BulletinPage

    def make(cases=None, *, user=None, slug="2026-1"):
        if cases is None:
            case = make_case()
            case.register()
            cases = [case]
        page = BulletinPage(
            title="关于2026年第一批市场准入典型违规案例的通报",
            slug=slug,
            live=False,
            document_number="测发改〔2026〕1号",
            issuing_office="测试区发展和改革委员会",
            issue_date=datetime.date(2026, 3, 1),
            intro="<p>现将典型案例通报如下。</p>",
        )
        page.bulletin_cases = [BulletinCase(case=c, commentary="该做法排除了外地企业的公平竞争。") for c in cases]
        bulletin_index.add_child(instance=page)
        page.save_revision(user=user)
        return page

    return make
