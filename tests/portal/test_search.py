"""The portal's search page over the search layer: highlights, badges, facet counts, filters, pages, empty state."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.conftest import shared_rows

pytestmark = pytest.mark.django_db

URL = reverse("zhunru_portal:search")


@pytest.fixture
def indexed(published_bulletin):
    from zhunru.search.indexing import rebuild

    rebuild()
    return published_bulletin


def test_results_have_highlights_badges_and_facet_counts(client, indexed):
    html = client.get(URL, {"q": "分公司", "j": "360202"}).content.decode()
    assert "<em>分公司</em>" in html
    assert '<span class="badge">典型案例</span>' in html and '<span class="badge">案例通报</span>' in html
    assert 'data-facet="type"' in html and "(1)" in html
    assert "2026" in html  # year facet and dates
    assert "景德镇市昌江区" in html  # the jurisdiction's header stays
    assert 'data-facet="region"' in html


def test_filter_by_type_and_clear(client, indexed):
    html = client.get(URL, {"q": "分公司", "j": "360202", "type": "case"}).content.decode()
    assert '<span class="badge">典型案例</span>' in html and '<span class="badge">案例通报</span>' not in html
    assert 'aria-current="true"' in html and "清除筛选" in html


def test_pagination(client, indexed, settings):
    settings.ZHUNRU_PORTAL = {**settings.ZHUNRU_PORTAL, "SEARCH_PER_PAGE": 1}
    first = client.get(URL, {"q": "分公司", "j": "360202"}).content.decode()
    assert "第 1/2 页" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(URL, {"q": "分公司", "j": "360202", "page": "2"}).content.decode()
    assert "第 2/2 页" in second and 'rel="prev"' in second


def test_empty_state_offers_suggestions(client, indexed):
    html = client.get(URL, {"q": "完全不存在的词语组合", "j": "360202"}).content.decode()
    assert "没有找到与“完全不存在的词语组合”相关的公开内容" in html
    assert "隐性壁垒" in html and reverse("zhunru_portal:complaint", args=["360202"]) in html


def test_bad_input_is_explained_in_chinese(client, portal):
    response = client.get(URL, {"q": "长" * 101})  # too long: searched by its first 100 characters, said so
    assert response.status_code == 200 and "检索词过长，已按前 100 字检索" in response.content.decode()
    assert client.get(URL, {"q": "准入", "year": "abc"}).status_code == 400


def test_case_hits_land_on_the_cases_anchor_in_its_bulletin(client, indexed):
    from tests.portal.conftest import visit
    from zhunru.cases.models import Case
    from zhunru.search.query import search

    case = Case.objects.get(title="某镇要求外地企业在本地设立分支机构方可参与投标")
    [hit] = search("分支机构", type="case").hits
    assert hit.url == f"{indexed.get_url()}#case-{case.pk}"
    html = visit(client, indexed).content.decode()
    assert f'<section class="case" id="case-{case.pk}">' in html


# --- category, year and department filters: each narrows the results, and the counts follow ---------------

DEV_REFORM = "昌江区发展和改革委员会"
MARKET = "昌江区市场监督管理局"
# (title, kind, issue date, issuing department): with the bulletin and its case, seven documents match "分公司".
FILTER_POLICIES = [
    ("关于清理要求外地企业设立分公司做法的通知", "notice", "2024-04-10", MARKET),
    ("关于不得强制要求设立分公司的政策解读", "interpretation", "2025-02-20", MARKET),
    ("招标投标中不得以设立分公司为条件的规定", "policy", "2025-06-01", MARKET),
    ("外地企业免设分公司参与政府采购的通知", "notice", "2025-11-05", DEV_REFORM),
    ("分公司登记便利化政策解读", "interpretation", "2026-01-15", DEV_REFORM),
]


@pytest.fixture
def filterable(published_bulletin, portal_filterable):
    """Five policies of three kinds, three years and two departments, plus the bulletin and its case (rows
    shared by consecutive tests; the index, outside the database's transactions, built for each test)."""
    from zhunru.search.indexing import rebuild

    rebuild()
    return published_bulletin


@shared_rows("portal_filterable", base="portal_bulletin")
def portal_filterable():
    """On top of ``portal_bulletin``: the five policies of FILTER_POLICIES under the Changjiang home."""
    import datetime

    from zhunru.models import Department, Jurisdiction, PolicyIndexPage, PolicyPage

    changjiang_home = Jurisdiction.objects.get(division_code="360202").home_page
    index = PolicyIndexPage.objects.child_of(changjiang_home).get()
    for n, (title, kind, issued, department) in enumerate(FILTER_POLICIES, 1):
        dept = Department.objects.get(jurisdiction=changjiang_home.jurisdiction, name=department)
        page = PolicyPage(
            title=title, slug=f"filter-{n}", kind=kind, issuer=dept.name, department=dept,
            document_number=f"昌文〔{issued[:4]}〕{n}号", issue_date=datetime.date.fromisoformat(issued),
            summary=f"{title}。", body=f"<p>不得要求经营主体在本区设立分公司作为准入条件（第{n}件）。</p>",
        )
        index.add_child(instance=page)
        page.save_revision().publish()


FACET = re.compile(
    r'<a href="(?P<url>[^"]*)"(?P<selected> aria-current="true")? data-facet="(?P<facet>\w+)">(?:✓ )?'
    r'(?P<label>[^<]+)</a> <span class="meta">\((?P<count>\d+)\)</span>'
)


def _page(client, **params) -> dict:
    """The search page as data: total, result titles, facets {name: {label: count}}, selected and links."""
    response = client.get(URL, {"q": "分公司", "j": "360202", **params})
    assert response.status_code == 200
    html = response.content.decode()
    facets, selected, links = {}, {}, {}
    for m in FACET.finditer(html):
        label = unescape(m["label"])
        facets.setdefault(m["facet"], {})[label] = int(m["count"])
        links[(m["facet"], label)] = parse_qs(urlsplit(unescape(m["url"])).query)
        if m["selected"]:
            selected[m["facet"]] = label
    results = html.partition('<ol class="plain results">')[2].partition("</ol>")[0]
    titles = [unescape(t) for t in re.findall(r'</span><a href="[^"]*">([^<]+)</a>', results)]
    total = int(re.search(r"共 (\d+) 条结果", html)[1])
    return {"total": total, "titles": titles, "facets": facets, "selected": selected, "links": links}


def test_facet_counts_before_filtering(client, filterable):
    page = _page(client)
    assert page["total"] == 7 and len(page["titles"]) == 7
    facets = page["facets"]
    assert facets["type"] == {"政策文件": 5, "典型案例": 1, "案例通报": 1}
    assert facets["category"] == {"通知公告": 2, "政策解读": 2, "政策文件": 1, "歧视性政策": 1, "典型案例通报": 1}
    assert facets["year"] == {"2026": 3, "2025": 3, "2024": 1}
    assert list(facets["year"]) == ["2026", "2025", "2024"]  # newest year first
    assert facets["department"] == {MARKET: 3, DEV_REFORM: 3, "某镇人民政府": 1}
    assert not page["selected"]
    # Each option's link adds its filter to the query and keeps the rest.
    assert page["links"][("category", "政策解读")] == {"q": ["分公司"], "j": ["360202"], "category": ["政策解读"]}


def test_category_filter_narrows_results_and_counts(client, filterable):
    page = _page(client, category="政策解读")
    assert page["total"] == 2
    assert sorted(page["titles"]) == sorted(["关于不得强制要求设立分公司的政策解读", "分公司登记便利化政策解读"])
    assert page["facets"]["category"] == {"政策解读": 2} and page["selected"] == {"category": "政策解读"}
    assert page["facets"]["type"] == {"政策文件": 2}
    assert page["facets"]["year"] == {"2026": 1, "2025": 1}
    assert page["facets"]["department"] == {MARKET: 1, DEV_REFORM: 1}
    # The selected option's link removes the filter again.
    assert "category" not in page["links"][("category", "政策解读")]

    case_page = _page(client, category="歧视性政策")
    assert case_page["titles"] == ["某镇要求外地企业在本地设立分支机构方可参与投标"]
    assert case_page["facets"]["type"] == {"典型案例": 1}


def test_year_filter_narrows_results_and_counts(client, filterable):
    page = _page(client, year="2025")
    assert page["total"] == 3
    assert sorted(page["titles"]) == sorted(t for t, _k, issued, _d in FILTER_POLICIES if issued.startswith("2025"))
    assert page["facets"]["year"] == {"2025": 3} and page["selected"] == {"year": "2025"}
    assert page["facets"]["category"] == {"政策解读": 1, "政策文件": 1, "通知公告": 1}
    assert page["facets"]["department"] == {MARKET: 2, DEV_REFORM: 1}

    # 2026: a policy, the bulletin (issued 2026-03-01) and its case, across types.
    recent = _page(client, year="2026")
    assert recent["total"] == 3 and recent["facets"]["type"] == {"政策文件": 1, "典型案例": 1, "案例通报": 1}
    assert _page(client, year="2019")["total"] == 0


def test_department_filter_narrows_results_and_counts(client, filterable):
    page = _page(client, department=DEV_REFORM)
    assert page["total"] == 3
    assert sorted(page["titles"]) == sorted([
        "外地企业免设分公司参与政府采购的通知", "分公司登记便利化政策解读", "关于2026年第一批市场准入典型违规案例的通报"])
    assert page["facets"]["department"] == {DEV_REFORM: 3} and page["selected"] == {"department": DEV_REFORM}
    assert page["facets"]["type"] == {"政策文件": 2, "案例通报": 1}
    assert page["facets"]["year"] == {"2026": 2, "2025": 1}
    assert page["facets"]["category"] == {"通知公告": 1, "政策解读": 1, "典型案例通报": 1}


def test_filters_combine(client, filterable):
    page = _page(client, department=MARKET, year="2025", category="政策文件")
    assert page["titles"] == ["招标投标中不得以设立分公司为条件的规定"]
    assert page["selected"] == {"category": "政策文件", "year": "2025", "department": MARKET}
    # Dropping one filter (its selected option's link) keeps the other two.
    assert page["links"][("year", "2025")] == {
        "q": ["分公司"], "j": ["360202"], "category": ["政策文件"], "department": [MARKET]}
    assert _page(client, department=DEV_REFORM, year="2024")["total"] == 0
