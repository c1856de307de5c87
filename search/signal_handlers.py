"""Content changes → outbox rows (``search.indexing.record``), in the same transaction as the change.

Connected in ``ZhunruSearchConfig.ready()`` for every registered source whose model exists. This is
the only path into the public search index: Wagtail's own search (modelsearch, database backend)
keeps indexing pages for the admin's title search, which the public search never reads.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from search import documents, synonyms
from search.indexing import record
from search.models import IndexTask, Synonym


def _on_save(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures loading
        return
    source = documents.source_for_model(type(instance))
    if source is not None:
        record(source.key, instance.pk, IndexTask.Action.INDEX)


def _on_delete(sender, instance, **kwargs):
    source = documents.source_for_model(type(instance))
    if source is not None:
        record(source.key, instance.pk, IndexTask.Action.DELETE)


def _on_page_change(sender, instance, **kwargs):
    source = documents.source_for_model(type(instance))
    if source is None:
        return
    record(source.key, instance.pk, IndexTask.Action.INDEX)
    if source.dependents is not None:
        for key, pk in source.dependents(instance):
            record(key, pk, IndexTask.Action.INDEX)


def connect() -> None:
    for source in documents.available_sources():
        model = source.model_class()
        uid = f"zhunru_search:{source.key}"
        post_save.connect(_on_save, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=uid + ":delete")
        page_published.connect(_on_page_change, sender=model, dispatch_uid=uid + ":published")
        page_unpublished.connect(_on_page_change, sender=model, dispatch_uid=uid + ":unpublished")
    post_save.connect(synonyms.invalidate, sender=Synonym, dispatch_uid="zhunru_search:synonyms:save")
    post_delete.connect(synonyms.invalidate, sender=Synonym, dispatch_uid="zhunru_search:synonyms:delete")
