"""The portal in a real browser: search and filter, open a case, file a complaint and follow it, rate a service.

Each page visited is screenshotted to test-artifacts/e2e/<test>/, checked with axe-core (no serious or
critical violations) and rendered at 375 px without horizontal scrolling.
"""

import re

import pytest

from tests.portal.conftest import PDF

pytestmark = pytest.mark.slow


def test_home_search_and_filter(page, checks, demo_site):
    page.goto(demo_site["url"] + "/")
    assert page.locator("h1").inner_text().startswith("景德镇市昌江区")
    assert page.get_by_text("12345 政务服务便民热线").is_visible()
    checks.all("home")

    page.get_by_role("searchbox").fill("分公司")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url(re.compile(r"/portal/search/\?"))
    results = page.locator("ol.results > li")
    assert results.count() >= 2  # the case and its bulletin
    assert page.locator("ol.results em").first.inner_text() == "分公司"  # highlighted match
    checks.all("search")

    page.locator('a[data-facet="type"]', has_text="典型案例").click()
    page.wait_for_url(re.compile(r"type=case"))
    assert page.locator("ol.results > li").count() == 1
    assert page.locator("ol.results .badge").first.inner_text() == "典型案例"
    checks.all("search-filtered")

    page.goto(demo_site["url"] + "/portal/search/?q=完全不存在的词语组合&j=360202")
    assert page.get_by_text("没有找到").is_visible()
    checks.all("search-empty")


def test_open_a_case_from_search(page, checks, demo_site):
    page.goto(demo_site["url"] + "/portal/search/?q=分公司&type=case&j=360202")
    page.locator("ol.results > li a").first.click()
    page.wait_for_load_state()
    assert "昌发改〔2026〕1号" in page.content()
    assert page.get_by_text(demo_site["case"].title).first.is_visible()
    checks.all("bulletin")
    pdf = page.request.get(demo_site["bulletin"].get_url() + "pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    page.get_by_role("link", name="典型案例通报").first.click()
    page.wait_for_load_state()
    checks.all("bulletin-index")
    page.get_by_role("link", name="政策文件").first.click()
    page.locator("ul.plain a").first.click()
    page.wait_for_load_state()
    checks.all("policy")


def test_file_a_complaint_with_attachment_and_check_status(page, checks, demo_site):
    from cms.models import Attachment
    from cms.portal.models import Complaint

    page.goto(demo_site["url"] + "/")
    page.get_by_role("link", name="在线反映问题").click()
    page.wait_for_url(re.compile(r"/portal/360202/complaint/"))
    checks.all("complaint-form")

    # An incomplete form first: Chinese errors, nothing typed lost.
    page.get_by_label("涉及单位").fill("某街道办事处")
    page.get_by_role("button", name="提交").click()
    assert page.get_by_text("请描述您反映的问题。").is_visible()
    assert page.get_by_label("涉及单位").input_value() == "某街道办事处"
    checks.all("complaint-errors")

    page.get_by_label("反映的问题").fill("某街道在招标公告中要求投标企业必须在本区注册分公司，外地企业无法参与。")
    page.get_by_label("涉及的文件或做法").fill("某项目招标公告")
    page.get_by_label("附件（可选）").set_input_files(
        {"name": "招标公告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("联系电话（可选）").fill("13912345678")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/portal/complaint/receipt/"))
    code = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert "13912345678" not in page.content()
    checks.all("complaint-receipt")

    complaint = Complaint.objects.get(receipt_code=code.replace("-", ""))
    assert Attachment.objects.filter(object_id=str(complaint.pk)).get().original_name == "招标公告.pdf"
    # Reloading the receipt page does not file it again.
    page.reload()
    assert Complaint.objects.exclude(receipt_code__startswith="DEMX").count() == 1

    page.get_by_role("link", name="查询办理进度").first.click()
    page.get_by_label("回执码").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="查询").click()
    assert page.locator(".status .badge").inner_text() == "已收到"
    checks.all("complaint-status")

    complaint.reject("所反映问题已由市场监管部门另案处理。", by=None)
    page.get_by_label("回执码").fill(code)
    page.get_by_role("button", name="查询").click()
    assert page.locator(".status .badge").inner_text() == "不予受理"
    assert page.get_by_text("另案处理").is_visible()


def test_rate_a_service_item(page, checks, demo_site):
    from cms.portal.catalog import catalog_available

    if not catalog_available():
        pytest.skip("waiting for cms.catalog (ListItem/ServiceItem with .public() and submit_rating)")
