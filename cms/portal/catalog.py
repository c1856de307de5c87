"""Reading the negative list and service items (zhunru.catalog) for the portal: what the public may see.

Public, as the portal and search understand it:

- list items of the **active edition** (``ListItem.objects.public()``), the default of the browser and
  the only ones indexed for search;
- items of **earlier editions** as public history, chosen explicitly in the browser: an edition that
  was active once (``activated_at`` set) or that took effect before the active one. An edition imported
  but not yet activated (a draft of the next list) is never shown;
- **published service items** (``ServiceItem.objects.public()``) only, suspended (停止受理) ones
  included with their status; guides and model texts only in published versions.
"""

import datetime
import re

from django.apps import apps
from django.db.models import Q


def catalog_model(name: str):
    try:
        return apps.get_model("zhunru_catalog", name)
    except LookupError:
        return None


def catalog_available() -> bool:
    """True when zhunru.catalog provides the list and service items with their public querysets."""
    item, service = catalog_model("ListItem"), catalog_model("ServiceItem")
    return bool(
        item is not None
        and service is not None
        and hasattr(item.objects, "public")
        and hasattr(service.objects, "public")
    )


def public_editions():
    """The active edition and the earlier ones kept as public history; newest first."""
    edition_model = catalog_model("ListEdition")
    active = edition_model.objects.filter(is_active=True).first()
    history = Q(is_active=True) | Q(activated_at__isnull=False)
    if active is not None and active.effective_date is not None:
        history |= Q(effective_date__lt=active.effective_date)
    return edition_model.objects.filter(history).order_by("-is_active", "-effective_date", "-name")


def active_edition():
    edition_model = catalog_model("ListEdition")
    return edition_model.objects.filter(is_active=True).first()


# The 主管部门 column lists several departments in one text: "人民银行、金融监管总局", "药监局；卫生健康委".
_DEPARTMENT_SEPARATORS = re.compile(r"[、，,；;／/\s]+")


def split_departments(text: str) -> list[str]:
    """The competent departments named in a list item's ``departments`` text, in order, without repeats."""
    names = []
    for name in _DEPARTMENT_SEPARATORS.split(text or ""):
        name = name.strip("　 （）()")
        if name and name not in names:
            names.append(name)
    return names


def document_versions(service_item, today: datetime.date | None = None) -> dict[str, dict]:
    """Per kind (办事指南, 示范文本): the current published version, the upcoming ones and the older ones.

    The current version is the newest published one in force (effective date reached); a published
    version with a later effective date is shown as upcoming; drafts are never shown.
    """
    version_model = catalog_model("ServiceDocumentVersion")
    today = today or datetime.date.today()
    published = list(
        service_item.documents.filter(published=True).select_related("attachment").order_by("kind", "-version")
    )
    result = {}
    for kind, label in version_model.KIND_CHOICES:
        versions = [v for v in published if v.kind == kind]
        current = next((v for v in versions if v.effective_date <= today), None)
        if current is None:
            upcoming, older = versions, []
        else:
            upcoming = [v for v in versions if v.version > current.version]
            older = [v for v in versions if v.version < current.version]
        result[kind] = {"label": label, "current": current, "upcoming": upcoming[::-1], "older": older}
    return result
