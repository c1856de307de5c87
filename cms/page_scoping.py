"""Pages per jurisdiction in the admin: Wagtail's page API, page chooser and explorer offer a user only their
jurisdictions' portal subtrees (and the pages above them, to navigate down), never another office's pages.

Wagtail scopes page *permissions* per subtree (``roles.provision_jurisdiction`` gives each jurisdiction's groups
its home page), but its admin API (``/admin/api/main/pages/``, which the explorer and the page chooser read)
and its chooser list pages by tree position: these hooks narrow them to ``visible_pages(user)``.
"""

from django.db.models import Q
from django.utils.translation import gettext
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.api.v2.views import PagesAPIViewSet

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
    """``construct_page_chooser_queryset`` hook: the chooser browses and searches the user's jurisdictions only;
    browsing from another jurisdiction's page (its title and path would show) answers 404, audited."""
    from django.http import Http404
    from wagtail.models import Page

    from zhunru.scoping import record_foreign_attempt

    match = getattr(request, "resolver_match", None)
    parent_id = (match.kwargs if match is not None else {}).get("parent_page_id")
    if parent_id is not None and not visible_pages(request.user, Page.objects.filter(pk=parent_id)).exists():
        if Page.objects.filter(pk=parent_id).exists():
            record_foreign_attempt(request, Page, parent_id)
        raise Http404(gettext("页面不存在或您无权访问。"))
    return visible_pages(request.user, pages)


def refuse_foreign_move(request, page_to_move, destination):
    """``before_move_page`` hook: Wagtail's move confirmation shows both pages' titles before any permission
    check; a page or destination outside the user's jurisdictions answers 404, audited."""
    from django.http import Http404
    from wagtail.models import Page

    from zhunru.scoping import record_foreign_attempt

    for page in (page_to_move, destination):
        if not visible_pages(request.user, Page.objects.filter(pk=page.pk)).exists():
            record_foreign_attempt(request, Page, page.pk)
            raise Http404(gettext("页面不存在或您无权访问。"))


def scope_form_pages(user, editable_forms):
    """``filter_form_submissions_for_user`` hook: form pages (and their submissions) of the user's
    jurisdictions only."""
    return visible_pages(user, editable_forms)


def _media_policy(model):
    try:
        from wagtail.permissions import policy_registry  # Wagtail 8
    except ImportError:  # Wagtail 7
        from wagtail.images import get_image_model

        if issubclass(model, get_image_model()):
            from wagtail.images.permissions import permission_policy
        else:
            from wagtail.documents.permissions import permission_policy
        return permission_policy
    return policy_registry.get_by_type(model)


def visible_media(user, queryset):
    """Images or documents in the collections where the user may choose or change them (their jurisdiction's
    collection, ``roles.COLLECTION_PERMISSIONS``); everything for superusers."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    allowed = _media_policy(queryset.model).instances_user_has_any_permission_for(user, ["choose", "change"])
    return queryset.filter(pk__in=allowed.values("pk"))


class _VisibleMediaMixin:
    def get_queryset(self):
        return visible_media(self.request.user, super().get_queryset())


def scope_media_admin_api(router) -> None:
    """``construct_admin_api`` hook (after Wagtail's own): the admin API's images and documents endpoints list
    only the media of the user's collections; another jurisdiction's id answers 404."""
    for name in ("images", "documents"):
        endpoint = router._endpoints.get(name)
        if endpoint is not None and not issubclass(endpoint, _VisibleMediaMixin):
            router.register_endpoint(name, type(f"Visible{endpoint.__name__}", (_VisibleMediaMixin, endpoint),
                                                {"__module__": __name__}))


def scope_explorer(parent_page, pages, request):
    """``construct_explorer_page_queryset`` hook: the explorer lists the user's jurisdictions' pages only."""
    return visible_pages(request.user, pages)


# --- The public page, image and document API (Wagtail API v2) -----------------------------------------------


def _requested_other_site(request, site) -> bool:
    """Whether ``?site=host[:port]`` names a Site other than ``site``, the one answering the request's host."""
    asked = request.GET.get("site")
    if not asked:
        return False
    hostname, _, port = asked.partition(":")
    if site is None or hostname != site.hostname:
        return True
    return bool(port) and port != str(site.port)


class SitePagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's public page API on the request's own Site only. Wagtail lists the pages under the Site that
    answers the host, but ``?site=<another host>`` lists another Site's pages through this one: refused (400)."""

    def get_base_queryset(self):
        from wagtail.api.v2.utils import BadRequestError
        from wagtail.models import Site

        if _requested_other_site(self.request, Site.find_for_request(self.request)):
            raise BadRequestError(gettext("只能查询本站点的页面：site 参数须为本站点的主机名。"))
        return super().get_base_queryset()


def site_jurisdiction_ids(request) -> set[int]:
    """The jurisdictions whose portal home is the request's Site's root page or under it (the installation's
    index site serves every jurisdiction below it; a jurisdiction's own host only that jurisdiction)."""
    from wagtail.models import Site

    from zhunru.models import JurisdictionHomePage

    site = Site.find_for_request(request)
    if site is None:
        return set()
    homes = JurisdictionHomePage.objects.filter(path__startswith=site.root_page.path)
    return set(homes.values_list("jurisdiction_id", flat=True))


def site_media(request, queryset):
    """Images or documents outside the collections of jurisdictions the request's Site does not serve."""
    from wagtail.models import Collection

    from zhunru.models import Jurisdiction

    others = Jurisdiction.objects.exclude(pk__in=site_jurisdiction_ids(request)).values_list("name", flat=True)
    root = Collection.get_first_root_node()
    if root is None:
        return queryset
    for collection in root.get_children().filter(name__in=list(others)):
        queryset = queryset.exclude(collection__path__startswith=collection.path)
    return queryset


class _SiteMediaMixin:
    def get_queryset(self):
        return site_media(self.request, super().get_queryset())


def site_media_viewset(endpoint):
    """``endpoint`` (Wagtail's images or documents API view set) listing and serving only the media of the
    request's Site: another jurisdiction's id answers 404."""
    return type(f"Site{endpoint.__name__}", (_SiteMediaMixin, endpoint), {"__module__": __name__})
