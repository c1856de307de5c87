"""django-auditlog registration shared by every Zhunru app."""

from collections.abc import Iterable

from django.apps import AppConfig


def register_app_models(app_config: AppConfig, exclude: Iterable[str] = ()) -> None:
    """Register every concrete model of an app with django-auditlog (create/update/delete, actor, IP)."""
    from auditlog.registry import auditlog

    skipped = set(exclude)
    for model in app_config.get_models():
        if model._meta.abstract or model._meta.proxy or model.__name__ in skipped:
            continue
        if not auditlog.contains(model):
            auditlog.register(model)
