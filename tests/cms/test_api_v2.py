"""Wagtail API v2 (/api/v2/pages/) serves live, public pages only, and only their live revision."""

import json

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, PageViewRestriction, Site

from zhunru.models import PolicyPage


def text(response) -> str:
    """The JSON body as readable text (the renderer escapes non-ASCII characters)."""
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.fixture
def root(db) -> Page:
    """The root page of the site answering the test client's host."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        home = Page.get_first_root_node().add_child(instance=Page(title="首页", slug="api-v2-home"))
        site = Site.objects.create(hostname="testserver", root_page=home, is_default_site=True)
    return site.root_page


def policy(parent: Page, slug: str, *, title: str, body: str, publish: bool = True) -> PolicyPage:
    page = parent.add_child(
        instance=PolicyPage(title=title, slug=slug, issuer="测试区人民政府", body=f"<p>{body}</p>", live=publish)
    )
    revision = page.save_revision()
    if publish:
        revision.publish()
    return page


def listed(client, **params) -> dict:
    response = client.get("/api/v2/pages/", {"limit": 100, **params})
    assert response.status_code == 200
    return {item["id"]: item for item in response.json()["items"]}


def detail(client, page: Page):
    return client.get(f"/api/v2/pages/{page.pk}/", {"fields": "*"})


def find(client, root: Page, page: Page):
    """Look a page up by its path on the site, as a headless front end does."""
    return client.get("/api/v2/pages/find/", {"html_path": "/" + page.url_path[len(root.url_path) :]})


def test_draft_pages_are_not_served(client, root):
    public = policy(root, "public", title="已发布的政策", body="公开正文")
    draft = policy(root, "draft", title="从未发布的政策", body="草稿正文", publish=False)
    withdrawn = policy(root, "withdrawn", title="已撤下的政策", body="撤下正文")
    withdrawn.unpublish()

    ids = listed(client)
    assert public.pk in ids and draft.pk not in ids and withdrawn.pk not in ids
    assert set(listed(client, type="zhunru_cms.PolicyPage")) == {public.pk}
    for page in (draft, withdrawn):
        assert detail(client, page).status_code == 404
        assert find(client, root, page).status_code == 404
    assert find(client, root, public).status_code == 302
    assert "草稿正文" not in text(client.get("/api/v2/pages/", {"fields": "*", "type": "zhunru_cms.PolicyPage"}))


def test_unpublished_changes_are_not_served(client, root):
    page = policy(root, "changed", title="现行标题", body="现行正文")
    draft = PolicyPage.objects.get(pk=page.pk)
    draft.title = "草稿标题"
    draft.summary = "草稿摘要"
    draft.body = "<p>草稿正文</p>"
    draft.save_revision()
    assert PolicyPage.objects.get(pk=page.pk).has_unpublished_changes

    served = detail(client, page)
    assert served.status_code == 200
    body = served.json()
    assert body["title"] == "现行标题" and "现行正文" in body["body"] and body["summary"] == ""
    listing = client.get("/api/v2/pages/", {"fields": "*", "type": "zhunru_cms.PolicyPage"})
    for response in (served, listing):
        assert "草稿" not in text(response)


@pytest.mark.parametrize("restriction", ["login", "password", "groups"])
def test_view_restricted_pages_and_their_children_are_not_served(client, root, restriction):
    section = root.add_child(instance=Page(title="内部栏目", slug="private-section"))
    private = policy(section, "private", title="内部政策", body="内部正文")
    child = policy(private, "private-child", title="内部政策的附件页", body="附件正文")
    public = policy(root, "public", title="公开政策", body="公开正文")
    view_restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=restriction, password="secret-123" if restriction == "password" else ""
    )
    if restriction == "groups":
        view_restriction.groups.add(Group.objects.create(name="内部人员"))

    ids = listed(client)
    assert public.pk in ids and section.pk in ids
    assert private.pk not in ids and child.pk not in ids
    for page in (private, child):
        assert detail(client, page).status_code == 404
        assert find(client, root, page).status_code == 404
    assert find(client, root, public).status_code == 302
    assert listed(client, child_of=section.pk) == {}
    assert set(listed(client, descendant_of=section.pk)) == set()
    everything = client.get("/api/v2/pages/", {"fields": "*", "limit": 100})
    assert "内部正文" not in text(everything) and "附件正文" not in text(everything)
