"""Keep ``CatalogRevision`` moving with every change to what the public catalog API serves; guard 单外无单 on
every link of a service item to a list item."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from zhunru.catalog.models import (
    CatalogRevision,
    ListEdition,
    ListItem,
    ListMeasure,
    ServiceDocumentVersion,
    ServiceItem,
)

# Models whose rows (or names, for departments and jurisdictions) appear in /api/v1/catalog/ reads.
SERVED = (ListEdition, ListItem, ListMeasure, ServiceItem, ServiceDocumentVersion)
NAMED = ("zhunru_cms.Department", "zhunru_cms.Jurisdiction")


def catalog_changed(sender=None, raw: bool = False, action: str = "post_save", **kwargs) -> None:
    if not action.startswith("post_"):  # m2m_changed also sends pre_add, pre_remove, pre_clear
        return
    if raw:  # fixtures and restores load rows as they were; the restore itself moves nothing served
        return
    CatalogRevision.bump()
    transaction.on_commit(CatalogRevision.bump)


def connect() -> None:
    for model in (*SERVED, *NAMED):
        post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-revision-save-{model}")
        post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-revision-delete-{model}")
    m2m_changed.connect(catalog_changed, sender=ServiceItem.list_items.through,
                        dispatch_uid="catalog-revision-service-list-items")
    from zhunru.catalog.single_list import guard_links  # 单外无单, wherever a link is made

    m2m_changed.connect(guard_links, sender=ServiceItem.list_items.through, dispatch_uid="catalog-single-list")
