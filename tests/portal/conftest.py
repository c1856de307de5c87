"""Portal fixtures: the demo jurisdictions (sites, homes, policies), hotlines, a coordinator."""

import datetime
import uuid

import pytest

from tests.conftest import shared_rows
from zhunru import roles

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONTACT = {"contact_name": "保密联系人甲", "contact_phone": "13912345678", "contact_email": "secret-person@example.cn"}


@pytest.fixture(autouse=True)
def _own_throttle(settings):
    """Each test counts its own requests (never cache.clear(): with Redis that would flush shared data)."""
    settings.ZHUNRU_PORTAL = {"THROTTLE_NAMESPACE": uuid.uuid4().hex}


@pytest.fixture
def portal(demo):
    """Both seed jurisdictions with their homes and policies, and the portal's demo channels (the shared
    ``demo`` rows, built once for consecutive tests)."""
    from wagtail.models import Site

    Site.clear_site_root_paths_cache()  # a previous test's sites were rolled back, not deleted
    return demo


@pytest.fixture
def changjiang(portal):
    return portal["360202"]


@pytest.fixture
def changjiang_home(changjiang):
    return changjiang.home_page


@pytest.fixture
def portal_coordinator(make_user, changjiang):
    return make_user("portal-coordinator", groups=[roles.COORDINATOR], departments=[changjiang.lead_department])


@pytest.fixture
def complaint_data():
    def make(**overrides):
        data = {
            "submission_token": str(uuid.uuid4()),
            "description": "某街道在招标公告中要求投标企业必须在本区注册分公司，外地企业无法参与。",
            "organization": "某街道办事处",
            "document_or_practice": "某项目招标公告",
            "consent": "on",
            **CONTACT,
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def published_bulletin(changjiang_home, portal_bulletin):
    """A live bulletin with one registered case under the Changjiang home (the shared ``portal_bulletin``
    rows, built once for consecutive tests)."""
    return portal_bulletin


@shared_rows("portal_bulletin", base="demo")
def portal_bulletin():
    """On top of ``demo``: a live bulletin with one registered case under the Changjiang home."""
    from zhunru.cases.models import BulletinCase, BulletinIndexPage, BulletinPage, Case, Category
    from zhunru.models import Jurisdiction

    jurisdiction = Jurisdiction.objects.get(division_code="360202")
    changjiang_home = jurisdiction.home_page
    case = Case.objects.create(
        jurisdiction=jurisdiction, reporting_department=jurisdiction.lead_department,
        title="某镇要求外地企业在本地设立分支机构方可参与投标", organization="某镇人民政府", region="昌江区",
        category=Category.DISCRIMINATORY, summary="招标公告要求投标人须在本区设立分公司。",
        handling_result="已责令删除相关条款。",
    )
    case.register()
    index = BulletinIndexPage.objects.child_of(changjiang_home).first()
    if index is None:
        index = BulletinIndexPage(title="典型案例通报", slug="bulletins")
        changjiang_home.add_child(instance=index)
        index.save_revision().publish()
    page = BulletinPage(
        title="关于2026年第一批市场准入典型违规案例的通报", slug="portal-test-2026-1",
        document_number="昌发改〔2026〕1号", issuing_office="昌江区发展和改革委员会",
        issue_date=datetime.date(2026, 3, 1), intro="<p>现将典型案例通报如下。</p>",
    )
    page.bulletin_cases = [BulletinCase(case=case, commentary="排除了外地企业的公平竞争。")]
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def visit(client, page, suffix: str = ""):
    """GET a page on its own site (each jurisdiction has its own host name)."""
    from urllib.parse import urlsplit

    _site_id, root_url, path = page.get_url_parts()
    host = urlsplit(root_url).netloc
    return client.get(path + suffix, HTTP_HOST=host)
