"""Admin of the portal: complaint triage (coordinators only) and the complaint channels per jurisdiction."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from zhunru.admin_scoping import ScopedSnippetViewSet
from zhunru.compat import register_permission_policy
from zhunru.jurisdiction_settings import jurisdiction_limited_form
from zhunru.portal import admin_views, forms_pdf
from zhunru.portal.models import Complaint, Hotline
from zhunru.scoping import user_jurisdictions


class ComplaintPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


# Complaints come only from the portal and are never deleted: the admin reads and triages them.
register_permission_policy(Complaint, ComplaintPermissionPolicy(Complaint))


class ComplaintViewSet(ScopedSnippetViewSet):
    model = Complaint
    icon = "mail"
    menu_label = gettext_lazy("问题反映")
    list_display = ["__str__", "jurisdiction", "organization", "status", "submitted_at"]
    list_filter = ["status", "jurisdiction"]
    search_fields = ["receipt_code", "organization"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return Complaint.objects.visible_to(request.user).select_related("jurisdiction")


class HotlineViewSet(ScopedSnippetViewSet):
    model = Hotline
    icon = "mobile-alt"
    menu_label = gettext_lazy("投诉渠道（热线）")
    list_display = ["name", "number", "jurisdiction", "service_hours", "is_active"]
    list_filter = ["jurisdiction", "is_active"]

    def get_queryset(self, request):
        qs = Hotline.objects.select_related("jurisdiction")
        return qs if request.user.is_superuser else qs.filter(jurisdiction__in=user_jurisdictions(request.user))

    def get_form_class(self, for_update=False):
        return jurisdiction_limited_form(super().get_form_class(for_update=for_update))


class PortalGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("公众门户")
    menu_icon = "mail"
    menu_order = 250
    items = (ComplaintViewSet, HotlineViewSet)


register_snippet(PortalGroup)


@hooks.register("register_admin_urls")
def complaint_triage_urls():
    return [
        path("portal/complaints/<int:pk>/triage/", admin_views.triage, name="zhunru_complaint_triage"),
        path("portal/complaints/<int:pk>/receipt.pdf", forms_pdf.complaint_receipt_view,
             name="zhunru_complaint_receipt_pdf"),
    ]


@hooks.register("register_snippet_listing_buttons")
def complaint_listing_buttons(snippet, user, next_url=None):
    from zhunru.scoping import is_coordinator

    if not isinstance(snippet, Complaint):
        return []
    if not is_coordinator(user):  # the auditor reads the complaint, never triages it
        label = _("查看")
    else:
        label = _("分办") if snippet.status == Complaint.Status.RECEIVED else _("查看与办结")
    return [ListingButton(label, reverse("zhunru_complaint_triage", args=[snippet.pk]), priority=5)]
