"""Forms whose foreign keys use Wagtail's chooser (issue 19): a foreign id posted into one is refused as an
invalid choice, and the re-rendered form must not name the foreign object (the chooser widget looks up
whatever id it is given), nor keep the foreign id in the form; the attempt is audited."""

import pytest

from tests.conftest import create_user, sign_in
from tests.security.test_page_scoping import CHANGJIANG, HOUMA, page_scoping_world  # noqa: F401 (fixture)


@pytest.mark.django_db
def test_a_foreign_id_posted_into_a_chooser_is_refused_and_not_named(client, demo):
    from zhunru import roles
    from zhunru.audit.models import AuditEvent
    from zhunru.models import Department
    from zhunru.portal.models import Hotline

    houma, changjiang = demo["141081"], demo["360202"]
    foreign = Department.objects.filter(jurisdiction=changjiang).order_by("pk").first()
    foreign.name = "某外辖区独有部门名称"
    foreign.save(update_fields=["name"])
    coordinator = create_user("chooser-echo", groups=[roles.COORDINATOR], departments=[houma.lead_department])
    sign_in(client, coordinator)
    before = Hotline.objects.count()
    response = client.post("/admin/snippets/zhunru_portal/hotline/add/", {
        "jurisdiction": str(houma.pk), "name": "侯马市投诉电话", "number": "0357-1234567",
        "department": str(foreign.pk), "sort_order": "100", "is_active": "on",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert Hotline.objects.count() == before
    assert "某外辖区独有部门名称" not in body and changjiang.name not in body
    assert str(foreign) not in body and f"/department/edit/{foreign.pk}/" not in body
    assert "选择一个有效的选项" in body  # the refusal is the form's, in Chinese
    event = AuditEvent.objects.get(action="security.foreign_access", object_id=str(foreign.pk))
    assert (event.actor_id, event.object_type) == (coordinator.pk, "zhunru_cms.department")
    assert AuditEvent.objects.filter(action="security.foreign_access", object_id=str(foreign.pk)).exists()


@pytest.mark.django_db
def test_a_policy_page_offers_and_accepts_only_the_editors_departments(client, page_scoping_world):  # noqa: F811
    """A page's department chooser (a policy's 发布部门): an editor of 侯马市 saving 昌江区's department into a
    侯马市 policy is refused without its name, audited, and the page keeps its department; their own saves."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    from zhunru.audit.models import AuditEvent
    from zhunru.models import Department

    world = page_scoping_world
    houma, changjiang = world[HOUMA], world[CHANGJIANG]
    page, editor = houma["page"], houma["editor"]
    foreign = Department.objects.filter(jurisdiction=changjiang["jurisdiction"]).order_by("pk").first()
    own = houma["jurisdiction"].lead_department
    sign_in(client, editor)

    def save(department):
        return client.post(f"/admin/pages/{page.pk}/edit/", nested_form_data({
            "title": page.title, "slug": page.slug, "kind": "policy", "issuer": page.issuer,
            "department": str(department.pk), "body": rich_text("<p>草稿</p>"), "comments": inline_formset([]),
        }))

    response = save(foreign)
    body = response.content.decode()
    assert response.status_code == 200
    assert str(foreign) not in body and f"/department/edit/{foreign.pk}/" not in body
    page.refresh_from_db()
    assert page.department_id is None
    assert AuditEvent.objects.filter(action="security.foreign_access", actor=editor, object_id=str(foreign.pk),
                                     object_type="zhunru_cms.department").exists()

    response = save(own)
    assert response.status_code == 302, response.content.decode()[:500]
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().department_id == own.pk
