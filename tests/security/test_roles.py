"""Per-jurisdiction roles (issue 19): page and collection permissions of one jurisdiction's role groups."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from wagtail.images import get_image_model
from wagtail.models import GroupCollectionPermission, GroupPagePermission
from wagtail.permissions import policy_registry

from zhunru import roles
from zhunru.models import JurisdictionGroup, JurisdictionHomePage

CHANGJIANG, HOUMA = "360202", "141081"


@pytest.fixture
def houma_editor(demo, make_user):
    lead = demo[HOUMA].lead_department
    return make_user("houma-page-editor", groups=[roles.EDITOR], departments=[lead])


def _home(jurisdiction):
    return JurisdictionHomePage.objects.get(jurisdiction=jurisdiction)


@pytest.mark.django_db
def test_provisioning_creates_named_groups_and_is_idempotent(demo):
    houma = demo[HOUMA]
    links = JurisdictionGroup.objects.filter(jurisdiction=houma)
    assert {link.role for link in links} == set(roles.ROLES)
    assert Group.objects.filter(name=f"{houma.name}·{roles.EDITOR}").exists()
    before = (links.count(), GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count(),
              Group.objects.count())
    result = roles.provision_jurisdiction(houma)
    after = (links.count(), GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count(),
             Group.objects.count())
    assert after == before
    assert result["collection"].name == houma.name
    # Global role groups hold no page permission on a jurisdiction's home page.
    assert not GroupPagePermission.objects.filter(page=_home(houma), group__name__in=roles.ROLES).exists()


@pytest.mark.django_db
def test_user_joins_the_groups_of_their_departments_jurisdiction_only(demo, houma_editor):
    names = set(houma_editor.groups.values_list("name", flat=True))
    assert f"{demo[HOUMA].name}·{roles.EDITOR}" in names
    assert f"{demo[CHANGJIANG].name}·{roles.EDITOR}" not in names
    assert f"{demo[HOUMA].name}·{roles.COORDINATOR}" not in names


@pytest.mark.django_db
def test_houma_editor_edits_own_pages_not_changjiang(client, demo, houma_editor):
    client.force_login(houma_editor)
    own, foreign = _home(demo[HOUMA]), _home(demo[CHANGJIANG])
    assert client.get(f"/admin/pages/{own.pk}/edit/").status_code == 200
    response = client.get(f"/admin/pages/{foreign.pk}/edit/")
    assert response.status_code in (302, 403, 404)
    response = client.post(f"/admin/pages/{foreign.pk}/edit/", {"title": "篡改"})
    assert response.status_code in (302, 403, 404)
    foreign.refresh_from_db()
    assert foreign.title != "篡改"
    # The explorer starts at the editor's own home and does not list the other jurisdiction's pages.
    listing = client.get("/admin/pages/", follow=True)
    assert listing.status_code == 200
    text = listing.content.decode()
    assert f"/admin/pages/{own.pk}/" in text
    assert f"/admin/pages/{foreign.pk}/" not in text
    assert client.get(f"/admin/pages/{foreign.pk}/").status_code in (302, 403, 404)


@pytest.mark.django_db
def test_editor_media_permissions_are_their_jurisdictions_collection(demo, houma_editor):
    houma_collection = roles.jurisdiction_collection(demo[HOUMA])
    changjiang_collection = roles.jurisdiction_collection(demo[CHANGJIANG])
    image_policy = policy_registry.get_by_type(get_image_model())
    allowed = set(image_policy.collections_user_has_permission_for(houma_editor, "add"))
    assert allowed == {houma_collection}
    assert changjiang_collection not in allowed


@pytest.mark.django_db
def test_data_migration_gives_existing_users_their_jurisdiction_groups(demo, make_user):
    migration = importlib.import_module("zhunru.migrations.0005_jurisdiction_groups")
    user = make_user("legacy-editor", groups=[roles.EDITOR], departments=[demo[CHANGJIANG].lead_department])
    group = roles.jurisdiction_group(demo[CHANGJIANG], roles.EDITOR)
    user.groups.remove(group)
    migration.add_jurisdiction_memberships(global_apps, None)
    assert user.groups.filter(pk=group.pk).exists()
    assert not user.groups.filter(name=f"{demo[HOUMA].name}·{roles.EDITOR}").exists()


@pytest.mark.django_db
def test_groups_follow_membership_and_role_changes(demo, houma_editor):
    group = roles.jurisdiction_group(demo[HOUMA], roles.EDITOR)
    houma_editor.groups.remove(Group.objects.get(name=roles.EDITOR))
    assert not houma_editor.groups.filter(pk=group.pk).exists()
    houma_editor.groups.add(Group.objects.get(name=roles.EDITOR))
    assert houma_editor.groups.filter(pk=group.pk).exists()
    houma_editor.department_memberships.get().delete()
    assert not houma_editor.groups.filter(pk=group.pk).exists()
    houma_editor.delete()  # deleting a user with memberships leaves no dangling group rows
