"""Admin of the negative list and service items (snippets, department-scoped service items)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.catalog.models import ListEdition, ListItem, RatingFollowUp, ScreeningRule, ServiceItem
from cms.scoping import visible_departments


class EditionViewSet(SnippetViewSet):
    model = ListEdition
    list_display = ["name", "is_active", "activated_at"]


class ItemViewSet(SnippetViewSet):
    model = ListItem
    list_display = ["code", "name", "kind", "edition"]
    list_filter = ["edition", "kind"]
    search_fields = ["code", "name"]


class ServiceItemViewSet(SnippetViewSet):
    model = ServiceItem
    list_display = ["name", "department", "status", "published", "needs_review"]
    list_filter = ["status", "published", "needs_review"]

    def get_queryset(self, request):
        return ServiceItem.objects.filter(department__in=visible_departments(request.user))


class FollowUpViewSet(SnippetViewSet):
    model = RatingFollowUp
    list_display = ["rating", "department", "answered_at"]

    def get_queryset(self, request):
        return RatingFollowUp.objects.filter(department__in=visible_departments(request.user))


class RuleViewSet(SnippetViewSet):
    model = ScreeningRule
    list_display = ["phrase", "category", "enabled"]


class CatalogGroup(SnippetViewSetGroup):
    menu_label = "负面清单与政务服务"
    menu_icon = "list-ul"
    items = (EditionViewSet, ItemViewSet, ServiceItemViewSet, FollowUpViewSet, RuleViewSet)


register_snippet(CatalogGroup)
