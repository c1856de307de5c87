"""The portal in a real browser: search and filter, open a case, file a complaint and follow it, rate a service.

Each page visited is screenshotted to test-artifacts/e2e/<test>/, checked with axe-core (no serious or
critical violations) and rendered at 375 px without horizontal scrolling.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.portal.conftest import PDF

pytestmark = pytest.mark.slow


def test_home_search_and_filter(page, checks, demo_site):
    page.goto(demo_site["url"] + "/")
    assert page.locator("h1").inner_text().startswith("景德镇市昌江区")
    expect(page.get_by_text("12345 政务服务便民热线")).to_be_visible()
    checks.all("home")

    page.get_by_role("searchbox").fill("分公司")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url(re.compile(r"/portal/search/\?"))
    results = page.locator("ol.results > li")
    assert results.count() >= 2  # the case and its bulletin
    expect(page.locator("ol.results em").first).to_have_text("分公司")  # highlighted match
    checks.all("search")

    page.locator('a[data-facet="type"]', has_text="典型案例").click()
    page.wait_for_url(re.compile(r"type=case"))
    assert page.locator("ol.results > li").count() == 1
    expect(page.locator("ol.results .badge").first).to_have_text("典型案例")
    checks.all("search-filtered")

    page.goto(demo_site["url"] + "/portal/search/?q=完全不存在的词语组合&j=360202")
    expect(page.get_by_text("没有找到")).to_be_visible()
    checks.all("search-empty")

    # The installation index (the default site's root) lists the jurisdictions and leads to their homes.
    page.goto(_installation_index_url(demo_site["url"]))
    expect(page.locator("h1")).to_have_text("市场准入负面清单工作平台")
    jurisdictions = page.locator("ul.plain > li > a")
    assert jurisdictions.all_inner_texts() == ["景德镇市昌江区", "侯马市"]
    checks.all("installation-index")
    with page.expect_navigation():
        jurisdictions.first.click()
    assert page.locator("h1").inner_text().startswith("景德镇市昌江区")


def _installation_index_url(live_url: str) -> str:
    """Serve the installation's site (the portal index) on the live server under its other local name."""
    from urllib.parse import urlsplit

    from wagtail.models import Site

    from zhunru.models import PortalIndexPage

    address = urlsplit(live_url)
    hostname = "127.0.0.1" if address.hostname != "127.0.0.1" else "localhost"
    site = Site.objects.get(root_page=PortalIndexPage.objects.get())
    site.hostname, site.port = hostname, address.port
    site.save()  # save(), not update(): clears Wagtail's cached site root paths
    return f"http://{hostname}:{address.port}/"


def test_open_a_case_from_search(page, checks, demo_site):
    page.goto(demo_site["url"] + "/portal/search/?q=分公司&type=case&j=360202")
    page.locator("ol.results > li a").first.click()
    page.wait_for_load_state()
    assert "昌发改〔2026〕1号" in page.content()
    expect(page.get_by_text(demo_site["case"].title).first).to_be_visible()
    checks.all("bulletin")
    pdf = page.request.get(demo_site["bulletin"].get_url() + "pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    page.get_by_role("link", name="典型案例通报").first.click()
    page.wait_for_load_state()
    checks.all("bulletin-index")
    page.get_by_role("link", name="政策文件").first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("政策文件")
    checks.all("policy-index")
    page.locator("ul.plain a").first.click()
    page.wait_for_load_state()
    checks.all("policy")


def test_file_a_complaint_with_attachment_and_check_status(page, checks, demo_site):
    from zhunru.models import Attachment
    from zhunru.portal.models import Complaint

    page.goto(demo_site["url"] + "/")
    page.get_by_role("link", name="在线反映问题").click()
    page.wait_for_url(re.compile(r"/portal/360202/complaint/"))
    checks.all("complaint-form")

    # An incomplete form first: Chinese errors, nothing typed lost.
    page.get_by_label("涉及单位").fill("某街道办事处")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("请描述您反映的问题。")).to_be_visible()
    expect(page.get_by_label("涉及单位")).to_have_value("某街道办事处")
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
    # Reloading the receipt page does not file it again, and shows the status lookup: the receipt is shown once.
    page.reload()
    assert Complaint.objects.exclude(receipt_code__startswith="DEMX").count() == 1
    page.wait_for_url(re.compile(r"/portal/complaint/status/\?receipt=shown"))
    expect(page.get_by_text("回执页面只显示一次")).to_be_visible()

    page.get_by_label("回执码").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".status .badge")).to_have_text("已收到")
    checks.all("complaint-status")

    # A coordinator accepts it as a lead, then records the result: the citizen sees each state.
    complaint.accept(by=None)
    page.get_by_label("回执码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".status .badge")).to_have_text("已受理")  # the public progress of its new lead (received)
    expect(page.locator(".receipt-code")).to_have_text(code)
    checks.all("complaint-status-accepted")

    complaint.mark_handled("已责令该街道办事处删除招标公告中的注册地要求并重新发布公告。", by=None)
    page.get_by_label("回执码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".status .badge")).to_have_text("已办结")
    expect(page.get_by_text("删除招标公告中的注册地要求")).to_be_visible()
    assert "13912345678" not in page.content()
    checks.all("complaint-status-handled")

    # Another complaint (the demo one) is not accepted: the reason is shown.
    Complaint.objects.get(receipt_code="DEMX2345CJQR").reject("所反映问题已由市场监管部门另案处理。", by=None)
    page.get_by_label("回执码").fill("DEMX-2345-CJQR")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".status .badge")).to_have_text("不予受理")
    expect(page.get_by_text("另案处理")).to_be_visible()
    checks.all("complaint-status-not-accepted")


def test_browse_the_list_download_a_guide_and_rate_a_service_item(page, checks, demo_site):
    import io

    from zhunru.catalog import demo as catalog_demo
    from zhunru.catalog.models import ListItem, RatingFollowUp, ServiceItem, ServiceRating
    from zhunru.search.indexing import rebuild

    catalog_demo.load(io.StringIO())
    rebuild()
    service = ServiceItem.objects.get(name="药品经营许可证核发", department__jurisdiction__division_code="360202")

    # The list, from the portal's navigation: the active edition, filters with counts.
    page.goto(demo_site["url"] + "/")
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="负面清单").click()
    page.wait_for_url(re.compile(r"/portal/360202/list/$"))
    expect(page.locator("h1")).to_have_text("市场准入负面清单（2025年版）")
    assert page.locator("#list-count").inner_text().startswith("共 6 项")
    checks.all("catalog")

    page.get_by_label("事项类别").select_option("permitted")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"kind=permitted"))
    assert page.locator("#list-count").inner_text().startswith("共 4 项")
    expect(page.get_by_label("事项类别").locator("option:checked")).to_have_text("许可准入类（4）")
    checks.all("catalog-filtered")

    page.get_by_label("清单版本").select_option(label="2022年版（历史版本）")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"edition=\d+"))
    expect(page.get_by_text("食盐定点生产许可")).to_be_visible()
    expect(page.get_by_text("您正在查看历史版本")).to_be_visible()
    checks.all("catalog-history")

    # An item with its measures and the local service items.
    page.get_by_role("link", name="清除筛选").click()
    page.get_by_label("清单版本").select_option(label="2025年版（现行）")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="药品生产经营许可").click()
    page.wait_for_url(re.compile(r"/portal/360202/list/items/\d+/$"))
    expect(page.get_by_text("未获得许可，不得从事药品网络销售")).to_be_visible()
    expect(page.get_by_role("heading", name="景德镇市昌江区办理的政务服务事项")).to_be_visible()
    checks.all("list-item")

    # The service item: what to bring, how long, the guide to download.
    page.get_by_role("link", name="药品经营许可证核发", exact=True).click()
    page.wait_for_url(re.compile(rf"/portal/360202/services/{service.pk}/$"))
    expect(page.locator("h1")).to_have_text("药品经营许可证核发")
    expect(page.get_by_text("15个工作日", exact=True)).to_be_visible()
    expect(page.get_by_text("受理中").first).to_be_visible()
    checks.all("service-item")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^下载办事指南\s*（第1版）$")).click()
    download = download_info.value
    assert download.suggested_filename == "药品经营许可证核发办事指南.pdf"
    with open(download.path(), "rb") as handle:
        guide = handle.read()
    assert guide.startswith(b"%PDF-")
    # The model text (示范文本), its own file.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^下载示范文本\s*（第1版）$")).click()
    download = download_info.value
    assert download.suggested_filename == "药品经营许可证核发示范文本.pdf"
    with open(download.path(), "rb") as handle:
        model_text = handle.read()
    assert model_text.startswith(b"%PDF-") and model_text != guide

    # 好差评: an incomplete form first, then an unsatisfied rating that opens a follow-up.
    page.get_by_role("link", name="评价本事项").click()
    page.wait_for_url(re.compile(rf"/portal/360202/services/{service.pk}/rate/$"))
    checks.all("rating-form")
    page.get_by_label("评价内容（可选）").fill("材料清单与窗口要求不一致，跑了两次。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("请选择评价等级。")).to_be_visible()
    expect(page.get_by_label("评价内容（可选）")).to_have_value("材料清单与窗口要求不一致，跑了两次。")
    checks.all("rating-errors")

    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("办件回执码（可选）").fill("YP-2026-000123")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url(re.compile(r"/rate/thanks/$"))
    expect(page.locator("h1")).to_have_text("感谢您的评价")
    assert page.locator("#follow-up").inner_text().startswith(f"您的评价为不满意，已转{service.department.name}核实整改")
    checks.all("rating-thanks")

    rating = ServiceRating.objects.get()
    assert (rating.service_item, rating.level, rating.channel, rating.receipt_code) == (
        service, 2, "portal", "YP-2026-000123")
    assert RatingFollowUp.objects.get(rating=rating).department == service.department
    page.reload()  # reloading the thank-you page rates nothing again
    assert ServiceRating.objects.count() == 1

    # Search finds the list item and the service item, in Chinese, inside the portal.
    page.goto(demo_site["url"] + "/portal/search/?q=药品&j=360202")
    expect(page.locator('a[data-facet="type"]', has_text="政务服务事项")).to_be_visible()
    expect(page.locator('a[data-facet="type"]', has_text="清单事项")).to_be_visible()
    checks.all("search-catalog")

    # The national pages (canonical URLs of list items): every jurisdiction's service items.
    page.locator("ol.results a", has_text="药品生产经营许可").first.click()
    page.wait_for_url(re.compile(r"/portal/360202/list/items/\d+/$"))
    item_url = ListItem.objects.public().get(code="200001").get_absolute_url()
    page.goto(demo_site["url"] + item_url)
    expect(page.get_by_role("heading", name="侯马市")).to_be_visible()
    checks.all("list-item-national")
    page.get_by_role("link", name="市场准入负面清单（2025年版）").click()
    page.wait_for_url(re.compile(r"/portal/list/$"))
    checks.all("catalog-national")
