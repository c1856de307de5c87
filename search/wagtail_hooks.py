"""Wagtail admin: synonyms as a snippet, and the indexing backlog under 设置."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from zhunru.admin_scoping import ScopedSnippetViewSet
from zhunru.search.models import Synonym
from zhunru.search.views import backlog_view, can_view_backlog


class SynonymViewSet(ScopedSnippetViewSet):
    model = Synonym
    icon = "search"
    menu_label = gettext_lazy("检索同义词")
    menu_name = "zhunru-synonyms"
    add_to_settings_menu = True
    list_display = ["terms", "note", "enabled", "updated_at"]
    list_filter = ["enabled"]


register_snippet(SynonymViewSet)


@hooks.register("register_admin_urls")
def register_backlog_url():
    return [path("search-backlog/", backlog_view, name="zhunru_search_backlog")]


class BacklogMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_backlog(request.user)


@hooks.register("register_settings_menu_item")
def register_backlog_menu_item():
    return BacklogMenuItem(_("检索索引积压"), reverse("zhunru_search_backlog"), icon_name="search", order=900)
