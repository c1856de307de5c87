"""Admin for the core reference data: jurisdictions, departments, memberships."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from zhunru import jurisdiction_settings, page_scoping
from zhunru.admin_scoping import ScopedSnippetViewSet
from zhunru.models import Department, DepartmentMembership, Jurisdiction
from zhunru.scoping import scope_choices


class JurisdictionViewSet(ScopedSnippetViewSet):
    model = Jurisdiction
    icon = "site"
    menu_label = gettext_lazy("辖区")
    list_display = ["name", "level", "division_code", "higher_office", "site"]
    search_fields = ["name", "division_code"]

    def get_queryset(self, request):
        """The user's own jurisdictions (listing, chooser, every view of one)."""
        return scope_choices(Jurisdiction.objects.all(), request.user)


class DepartmentViewSet(ScopedSnippetViewSet):
    model = Department
    icon = "group"
    menu_label = gettext_lazy("部门")
    list_display = ["name", "jurisdiction", "kind", "is_lead"]
    list_filter = ["jurisdiction", "kind", "is_lead"]
    search_fields = ["name", "short_name"]

    def get_queryset(self, request):
        return Department.objects.visible_to(request.user).select_related("jurisdiction")


class MembershipViewSet(ScopedSnippetViewSet):
    model = DepartmentMembership
    icon = "user"
    menu_label = gettext_lazy("部门成员")
    list_display = ["user", "department", "title"]
    list_filter = ["department__jurisdiction", "department"]

    def get_queryset(self, request):
        return DepartmentMembership.objects.visible_to(request.user).select_related("user", "department")


class ReferenceDataGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("基础数据")
    menu_icon = "cog"
    menu_order = 900
    items = (JurisdictionViewSet, DepartmentViewSet, MembershipViewSet)


register_snippet(ReferenceDataGroup)


@hooks.register("register_admin_urls")
def jurisdiction_settings_urls():
    return [
        path("zhunru/jurisdiction-settings/", jurisdiction_settings.index, name="zhunru_jurisdiction_settings_index"),
        path("zhunru/jurisdiction-settings/<int:pk>/", jurisdiction_settings.edit, name="zhunru_jurisdiction_settings"),
    ]


class _SettingsMenuItem(MenuItem):
    def is_shown(self, request):
        return jurisdiction_settings.settings_jurisdictions(request.user).exists()


@hooks.register("register_admin_menu_item")
def jurisdiction_settings_menu_item():
    return _SettingsMenuItem(_("辖区设置"), reverse("zhunru_jurisdiction_settings_index"), icon_name="cogs", order=890)


# Pages per jurisdiction (zhunru.page_scoping): the admin page API, chooser and explorer.
hooks.register("construct_admin_api", page_scoping.scope_admin_api)
hooks.register("construct_admin_api", page_scoping.scope_media_admin_api, order=100)  # after Wagtail's endpoints
hooks.register("construct_page_chooser_queryset", page_scoping.scope_page_chooser)
hooks.register("construct_explorer_page_queryset", page_scoping.scope_explorer)
hooks.register("before_move_page", page_scoping.refuse_foreign_move)
hooks.register("filter_form_submissions_for_user", page_scoping.scope_form_pages)
