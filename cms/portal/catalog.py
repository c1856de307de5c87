"""Reading the negative list and service items (cms.catalog) for the portal, once that app has them."""

from django.apps import apps


def catalog_model(name: str):
    try:
        return apps.get_model("zhunru_catalog", name)
    except LookupError:
        return None


def catalog_available() -> bool:
    """True when cms.catalog provides the list and service items with their public querysets."""
    item, service = catalog_model("ListItem"), catalog_model("ServiceItem")
    return bool(
        item is not None
        and service is not None
        and hasattr(item.objects, "public")
        and hasattr(service.objects, "public")
    )
