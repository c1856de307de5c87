"""Pages per jurisdiction in the admin: Wagtail's page API, page chooser and explorer offer a user only their
jurisdictions' portal subtrees (and the pages above them, to navigate down), never another office's pages.

Wagtail scopes page *permissions* per subtree (``roles.provision_jurisdiction`` gives each jurisdiction's groups
its home page), but its admin API (``/admin/api/main/pages/``, which the explorer and the page chooser read)
and its chooser list pages by tree position: these hooks narrow them to ``visible_pages(user)``.
"""

from django.db.models import Q
from wagtail.admin.api.views import PagesAdminAPIViewSet

from zhunru.scoping import user_jurisdictions


def _home_paths(user) -> list[str]:
    from zhunru.models import JurisdictionHomePage

    return list(JurisdictionHomePage.objects.filter(jurisdiction__in=user_jurisdictions(user))
                .values_list("path", flat=True))


def visible_pages(user, pages):
    """``pages`` narrowed to the user's jurisdictions' home pages, everything below them and the pages above them
    (the tree root, the portal index: navigation only). Superusers: every page; a user of no jurisdiction: none."""
    if user is None or not user.is_authenticated:
        return pages.none()
    if user.is_superuser:
        return pages
    paths = _home_paths(user)
    if not paths:
        return pages.none()
    steplen = pages.model.steplen
    above = {path[:i] for path in paths for i in range(steplen, len(path), steplen)}
    below = Q()
    for path in paths:
        below |= Q(path__startswith=path)
    return pages.filter(below | Q(path__in=above))


class JurisdictionPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    """Wagtail's admin page API (listing, detail, ``find``, actions) over ``visible_pages``: another
    jurisdiction's page id answers 404."""

    def get_base_queryset(self):
        return visible_pages(self.request.user, super().get_base_queryset())


def scope_admin_api(router) -> None:
    """``construct_admin_api`` hook: replace the admin API's page endpoint."""
    router.register_endpoint("pages", JurisdictionPagesAdminAPIViewSet)


def scope_page_chooser(pages, request):
    """``construct_page_chooser_queryset`` hook: the chooser browses and searches the user's jurisdictions only."""
    return visible_pages(request.user, pages)


def scope_explorer(parent_page, pages, request):
    """``construct_explorer_page_queryset`` hook: the explorer lists the user's jurisdictions' pages only."""
    return visible_pages(request.user, pages)
