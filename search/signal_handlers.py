"""Content changes → outbox rows (``zhunru.search.indexing.record``), in the same transaction as the change.

Connected in ``ZhunruSearchConfig.ready()`` for every registered source whose model exists, and for
the models sources depend on (``documents.DEPENDENCIES``: a list edition's activation, a measure, a
guide version). This is the only path into the public search index: Wagtail's own search
(modelsearch, database backend) keeps indexing pages for the admin's title search, which the public
search never reads.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from wagtail.signals import page_published, page_unpublished

from zhunru.search import documents, synonyms
from zhunru.search.indexing import record
from zhunru.search.models import IndexTask, Synonym


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


def _on_dependency_change(sender, instance, raw=False, **kwargs):
    """A change to an object that other sources' documents depend on: re-index those (applying re-reads)."""
    if raw:
        return
    dependency = documents.dependency_for_model(type(instance))
    if dependency is None:
        return
    for key, pk in dict.fromkeys(dependency.affected(instance)):
        record(key, pk, IndexTask.Action.INDEX)


def _on_m2m_change(sender, instance, action, model, pk_set, reverse, **kwargs):
    """Adding or removing related objects (a service item's list items) changes the source object's document."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    source = documents.source_for_model(type(instance))
    if source is not None:
        record(source.key, instance.pk, IndexTask.Action.INDEX)
    other = documents.source_for_model(model)
    if other is not None and pk_set:
        for pk in pk_set:
            record(other.key, pk, IndexTask.Action.INDEX)


def connect() -> None:
    for source in documents.available_sources():
        model = source.model_class()
        uid = f"zhunru_search:{source.key}"
        post_save.connect(_on_save, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=uid + ":delete")
        page_published.connect(_on_page_change, sender=model, dispatch_uid=uid + ":published")
        page_unpublished.connect(_on_page_change, sender=model, dispatch_uid=uid + ":unpublished")
        for field in model._meta.local_many_to_many:
            through = getattr(field.remote_field, "through", None)
            if isinstance(through, type):
                m2m_changed.connect(_on_m2m_change, sender=through, dispatch_uid=f"{uid}:m2m:{field.name}")
    for dependency in documents.available_dependencies():
        model = dependency.model_class()
        uid = f"zhunru_search:dependency:{dependency.model.lower()}"
        post_save.connect(_on_dependency_change, sender=model, dispatch_uid=uid + ":save")
        # Before the delete: what depends on the object is still linked to it (cascades drop the links).
        pre_delete.connect(_on_dependency_change, sender=model, dispatch_uid=uid + ":delete")
    post_save.connect(synonyms.invalidate, sender=Synonym, dispatch_uid="zhunru_search:synonyms:save")
    post_delete.connect(synonyms.invalidate, sender=Synonym, dispatch_uid="zhunru_search:synonyms:delete")
