"""End-to-end fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Never downloads a browser: Chromium comes from the system (``.ci/system-packages``) and axe-core from
npm into ``var/node``. Missing locally → the tests skip; missing in CI (``CI=true``) → they fail.
"""

import os
import uuid
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = Path(os.environ.get("ZHUNRU_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _missing(what: str):
    if IN_CI:
        pytest.fail(f"{what} is required in CI (see .ci/system-packages)")
    pytest.skip(f"{what} is not installed here (run .ci/system-packages)")


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module, closed with it (its event loop must not outlive the e2e tests)."""
    if not CHROMIUM.exists():
        _missing(f"Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package")
    # Playwright's sync API keeps an event loop in this thread; the tests' ORM calls stay synchronous.
    # Allowed only while the browser runs (Django's deploy check refuses the variable otherwise).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def pytest_itemcollected(item):
    """Under xdist (``--dist loadgroup``) every browser test runs on one worker, one Chromium at a time
    (marked as collected: xdist reads the groups before the reordering below)."""
    item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the end-to-end tests last: their live server needs transactional tests, whose flush empties
    what migrations put in the database (Wagtail's root page, seeded synonyms) for any test after them.
    Under xdist see pytest_itemcollected."""
    here = Path(__file__).resolve().parent
    e2e = [item for item in items if here in Path(str(item.path)).resolve().parents]
    if e2e:
        ids = {id(item) for item in e2e}
        items[:] = [item for item in items if id(item) not in ids] + e2e


@pytest.fixture
def demo_site(transactional_db, live_server, settings):
    """The demo jurisdictions, a published bulletin with a case, hotlines, and a built search index."""
    import datetime

    from zhunru import demo as core_demo
    from zhunru.cases.models import BulletinCase, BulletinIndexPage, BulletinPage, Case, Category
    from zhunru.portal import demo as portal_demo
    from zhunru.search.indexing import rebuild

    settings.ZHUNRU_PORTAL = {"THROTTLE_NAMESPACE": uuid.uuid4().hex}
    _restore_wagtail_root()
    jurisdictions = {j.division_code: j for j in core_demo.load()}
    portal_demo.load()
    changjiang = jurisdictions["360202"]
    home = changjiang.home_page
    # Serve Changjiang's site on the live server's address, so its absolute URLs (search hits) resolve.
    from urllib.parse import urlsplit

    from wagtail.models import Site

    address = urlsplit(live_server.url)
    Site.objects.filter(pk=changjiang.site_id).update(hostname=address.hostname, port=address.port)
    case = Case.objects.create(
        jurisdiction=changjiang, reporting_department=changjiang.lead_department,
        title="某镇要求外地企业在本地设立分公司方可参与投标", organization="昌江区某镇人民政府", region="景德镇市昌江区",
        category=Category.DISCRIMINATORY, summary="某镇招标公告要求投标人须在本区设立分公司，排斥外地企业。",
        handling_result="已责令删除相关条款并重新发布公告。",
    )
    case.register()
    index = BulletinIndexPage.objects.child_of(home).first()
    if index is None:
        index = BulletinIndexPage(title="典型案例通报", slug="bulletins")
        home.add_child(instance=index)
        index.save_revision().publish()
    bulletin = BulletinPage(
        title="关于2026年第一批市场准入典型违规案例的通报", slug="e2e-2026-1",
        document_number="昌发改〔2026〕1号", issuing_office="昌江区发展和改革委员会",
        issue_date=datetime.date(2026, 3, 1), intro="<p>现将典型案例通报如下。</p>",
    )
    bulletin.bulletin_cases = [BulletinCase(case=case, commentary="排除了外地企业的公平竞争。")]
    index.add_child(instance=bulletin)
    bulletin.save_revision().publish()
    rebuild()
    yield {"url": live_server.url, "changjiang": changjiang, "home": home, "bulletin": bulletin, "case": case}


def _restore_wagtail_root() -> None:
    """A transactional test's flush empties the tables Wagtail's migrations filled: put back the tree's root."""
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(language_code="zh-hans")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", content_type_id=_page_ct()))


def _page_ct() -> int:
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    return ContentType.objects.get_for_model(Page).pk


class Checks:
    """What every page visited must pass: a screenshot kept, axe-core clean, no sideways scroll at 375 px."""

    def __init__(self, page, test_name: str):
        self.page = page
        self.dir = ARTIFACTS / test_name
        self.dir.mkdir(parents=True, exist_ok=True)

    def screenshot(self, name: str) -> Path:
        path = self.dir / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self) -> list[dict]:
        if not AXE.exists():
            _missing(f"axe-core at {AXE}")
        # Evaluated through the DevTools protocol, which the page's Content Security Policy does not govern
        # (an injected <script> element would be refused like any inline script).
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        return [v for v in violations if v["impact"] in ("serious", "critical")]

    def narrow(self) -> tuple[int, int]:
        """Render at 375 px wide; return (scrollWidth, innerWidth) of the page."""
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": 375, "height": 800})
        widths = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        self.page.set_viewport_size(size)
        return tuple(widths)

    def all(self, name: str) -> None:
        self.screenshot(name)
        serious = self.axe()
        assert not serious, f"{name}: axe-core serious/critical violations: {serious}"
        scroll, inner = self.narrow()
        self.page.set_viewport_size({"width": 375, "height": 800})
        self.screenshot(f"{name}-375")
        self.page.set_viewport_size({"width": 1280, "height": 900})
        assert scroll <= inner, f"{name}: horizontal scroll at 375 px ({scroll} > {inner})"


@pytest.fixture
def checks(page, request):
    return Checks(page, request.node.name)
