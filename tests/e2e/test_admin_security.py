"""Admin and portal under the Content Security Policy, in Chromium: sign in, explore, edit, preview, list.

The browser reports every blocked script, style, image, frame or connection on its console; the test
fails on any such report or uncaught script error, and checks that the editor's scripts really ran.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

CSP_MARKERS = ("Content Security Policy", "Refused to", "X-Frame-Options")


@pytest.fixture
def admin_tab(browser, demo_site):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("csp-admin", "csp-admin@example.invalid", "pw-123456!")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    problems = []

    def on_console(msg):
        where = msg.location.get("url", "")
        if where.endswith("/favicon.ico"):  # the portal has no favicon; not a policy matter
            return
        if msg.type == "error" or any(marker in msg.text for marker in CSP_MARKERS):
            problems.append(f"{msg.type}: {msg.text} ({where})")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    yield tab, problems
    context.close()


def _sign_in(tab, base):
    response = tab.goto(base + "/admin/login/")
    tab.locator("#id_username").fill("csp-admin")
    tab.locator("#id_password").fill("pw-123456!")
    tab.locator("form.login-form button[type=submit]").click()
    tab.wait_for_url(re.compile(r"/admin/$"))
    tab.wait_for_load_state("networkidle")
    return response


def test_admin_editor_loads_without_csp_violations(admin_tab, demo_site):
    from zhunru.leads.models import Lead

    tab, problems = admin_tab
    base = demo_site["url"]
    response = _sign_in(tab, base)
    assert "'unsafe-inline'" in response.headers["content-security-policy"]

    home = demo_site["home"]
    tab.goto(f"{base}/admin/pages/{home.pk}/")
    tab.wait_for_load_state("networkidle")
    expect(tab.get_by_role("heading", name=re.compile(re.escape(home.title))).first).to_be_visible()

    bulletin = demo_site["bulletin"]
    tab.goto(f"{base}/admin/pages/{bulletin.pk}/edit/")
    tab.wait_for_load_state("networkidle")
    # The InlinePanel of cases is set up by one of Wagtail's inline scripts: adding a case adds a form.
    forms = tab.locator("#id_bulletin_cases-TOTAL_FORMS")
    before = int(forms.input_value())
    tab.locator("#id_bulletin_cases-ADD").click()
    tab.wait_for_function(f"document.querySelector('#id_bulletin_cases-TOTAL_FORMS').value == '{before + 1}'")
    # The preview panel frames the page from our own origin.
    tab.get_by_role("button", name=re.compile("预览")).first.click()
    frame = tab.frame_locator("iframe[title]").first
    frame.locator("body").wait_for()
    tab.wait_for_load_state("networkidle")

    for url in (reverse(Lead.snippet_viewset.get_url_name("list")), "/admin/audit_events/"):
        assert tab.goto(base + url).ok, url
        tab.wait_for_load_state("networkidle")
    assert not problems, problems


def test_the_check_sees_violations(admin_tab, demo_site, settings):
    """With the portal's strict policy on the admin too, the browser reports Wagtail's inline scripts."""
    settings.ZHUNRU_CSP_ADMIN_DIRECTIVES = {}
    tab, problems = admin_tab
    _sign_in(tab, demo_site["url"])
    tab.goto(f"{demo_site['url']}/admin/pages/{demo_site['bulletin'].pk}/edit/")
    tab.wait_for_load_state("networkidle")
    assert any("Content Security Policy" in problem for problem in problems), problems


def test_portal_pages_load_without_csp_violations(admin_tab, demo_site):
    """The portal's strict policy (nonce for its one <style>, no inline scripts) blocks nothing it uses."""
    tab, problems = admin_tab
    base = demo_site["url"]
    for url in ("/", "/portal/search/?q=分公司", demo_site["bulletin"].get_url(), "/portal/360202/complaint/"):
        response = tab.goto(url if url.startswith("http") else base + url)
        assert response.ok, url
        assert "'unsafe-inline'" not in response.headers["content-security-policy"].split("style-src-attr")[0]
        tab.wait_for_load_state("networkidle")
    # The stylesheet in <style nonce> applied: the header is the portal's red, not the browser's default.
    assert tab.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor") == "rgb(163, 21, 21)"
    assert not problems, problems


def test_two_factor_enrolment_and_login_in_the_browser(admin_tab, demo_site):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.security.test_two_factor import code

    tab, problems = admin_tab
    base = demo_site["url"]
    _sign_in(tab, base)
    tab.goto(base + "/admin/account/")
    tab.locator("#tab-label-actions").click()  # 更多操作
    tab.get_by_role("link", name="两步验证").click()
    tab.wait_for_url(re.compile(r"/admin/zhunru-2fa/$"))
    expect(tab.locator("svg.segno")).to_be_visible()
    tab.screenshot(path=str(_artifacts("two-factor") / "enrol.png"), full_page=True)
    device = TOTPDevice.objects.get(user__username="csp-admin", confirmed=False)
    tab.get_by_label("验证码").fill(code(device, ahead=0))
    tab.get_by_role("button", name="启用两步验证").click()
    tab.wait_for_load_state("networkidle")
    expect(tab.get_by_text("两步验证已启用。").first).to_be_visible()
    assert tab.locator("#zhunru-2fa-backup-codes li").count() == 10  # backup codes, shown this once
    tab.screenshot(path=str(_artifacts("two-factor") / "backup-codes.png"), full_page=True)

    tab.context.clear_cookies()
    tab.goto(base + "/admin/login/")
    tab.locator("#id_username").fill("csp-admin")
    tab.locator("#id_password").fill("pw-123456!")
    tab.locator("form.login-form button[type=submit]").click()
    tab.wait_for_url(re.compile(r"/admin/zhunru-2fa/verify/"))
    tab.wait_for_load_state("networkidle")
    assert tab.locator("form[novalidate]").count() == 1  # nothing the page fetched was answered with it
    tab.screenshot(path=str(_artifacts("two-factor") / "verify.png"), full_page=True)
    tab.get_by_label("验证码").fill(code(device))
    tab.get_by_role("button", name="验证").click()
    tab.wait_for_url(re.compile(r"/admin/$"))
    assert not problems, problems


def test_lockout_page_in_the_browser(admin_tab, demo_site):
    tab, problems = admin_tab
    for _ in range(5):
        tab.goto(demo_site["url"] + "/admin/login/")
        tab.locator("#id_username").fill("csp-admin")
        tab.locator("#id_password").fill("not-the-password")
        tab.locator("form.login-form button[type=submit]").click()
        tab.wait_for_load_state("networkidle")
    expect(tab.get_by_role("heading", name="登录已被临时锁定")).to_be_visible()
    tab.screenshot(path=str(_artifacts("lockout") / "lockout.png"), full_page=True)
    # The page itself answered 429; the browser logs that status, and nothing else.
    assert all("429" in problem for problem in problems), problems


def _artifacts(name: str):
    from tests.e2e.conftest import ARTIFACTS

    path = ARTIFACTS / name
    path.mkdir(parents=True, exist_ok=True)
    return path
