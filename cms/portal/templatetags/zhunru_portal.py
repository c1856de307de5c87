"""Template tags of the portal: the jurisdiction a page belongs to, its sections, channels, bulletins."""

from django import template
from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from zhunru.models import JurisdictionHomePage, PolicyIndexPage, PolicyPage

register = template.Library()


def home_for(page) -> JurisdictionHomePage | None:
    """The jurisdiction home a page sits under (or is)."""
    if page is None:
        return None
    specific = getattr(page, "specific_deferred", page)
    if isinstance(specific, JurisdictionHomePage):
        return specific
    if not hasattr(page, "path"):
        return None
    return JurisdictionHomePage.objects.ancestor_of(page).select_related("jurisdiction").first()


def _model(label: str, name: str):
    try:
        return apps.get_model(label, name)
    except LookupError:
        return None


def sections(home: JurisdictionHomePage | None, request=None) -> list[tuple[str, str, str]]:
    """(key, label, url) of the portal's sections for a jurisdiction; the installation's when None."""
    links = []
    if home is not None:
        links.append(("home", _("首页"), home.get_url(request)))
        policy_index = PolicyIndexPage.objects.live().child_of(home).first()
        if policy_index is not None:
            links.append(("policies", _("政策文件"), policy_index.get_url(request)))
        bulletin_index_model = _model("zhunru_cases", "BulletinIndexPage")
        if bulletin_index_model is not None:
            bulletin_index = bulletin_index_model.objects.live().child_of(home).first()
            if bulletin_index is not None:
                links.append(("bulletins", _("典型案例通报"), bulletin_index.get_url(request)))
        code = home.jurisdiction.division_code
        if _catalog_ready():
            links.append(("catalog", _("负面清单"), reverse("zhunru_portal:catalog", args=[code])))
        links.append(("search", _("检索"), reverse("zhunru_portal:search") + f"?j={code}"))
        links.append(("complaint", _("问题反映"), reverse("zhunru_portal:complaint", args=[code])))
    else:
        if _catalog_ready():
            links.append(("catalog", _("负面清单"), reverse("zhunru_portal:catalog_all")))
        links.append(("search", _("检索"), reverse("zhunru_portal:search")))
    links.append(("status", _("进度查询"), reverse("zhunru_portal:complaint_status")))
    return links


def _catalog_ready() -> bool:
    from zhunru.portal.catalog import catalog_available

    return catalog_available()


def _portal_index_url(context) -> str:
    """The portal index page (under the plugin's prefix in a host site), else the site's root."""
    from zhunru.models import PortalIndexPage

    index = PortalIndexPage.objects.live().first()
    return (index.get_url(context.get("request")) if index is not None else None) or "/"


@register.inclusion_tag("zhunru_portal/includes/nav.html", takes_context=True)
def portal_nav(context):
    home = context.get("portal_home")
    if home is None:
        home = home_for(context.get("page"))
    return {
        "home": home,
        "home_url": home.get_url(context.get("request")) if home is not None else _portal_index_url(context),
        "links": sections(home, context.get("request")),
        "active": context.get("portal_section") or _section_of(context.get("page")),
        "request": context.get("request"),
    }


def _section_of(page) -> str:
    if page is None:
        return ""
    name = type(page).__name__
    if name == "JurisdictionHomePage":
        return "home"
    if name in ("PolicyIndexPage", "PolicyPage"):
        return "policies"
    if name in ("BulletinIndexPage", "BulletinPage"):
        return "bulletins"
    return ""


@register.simple_tag
def portal_home_for(page):
    return home_for(page)


@register.simple_tag
def hotlines_for(jurisdiction):
    return list(jurisdiction.hotlines.filter(is_active=True).select_related("department"))


@register.simple_tag
def latest_bulletins(home, count=5):
    model = _model("zhunru_cases", "BulletinPage")
    if model is None or home is None:
        return []
    return list(model.objects.live().descendant_of(home).order_by("-issue_date", "-pk")[:count])


@register.simple_tag
def latest_policies(home, count=5):
    if home is None:
        return []
    return list(PolicyPage.objects.live().descendant_of(home).order_by("-issue_date", "-pk")[:count])


@register.filter
def receipt(code: str) -> str:
    from zhunru.portal.models import format_receipt_code

    return format_receipt_code(code or "")
