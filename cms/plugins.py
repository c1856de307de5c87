"""Discovery of per-app modules (api routers, urls, demo loaders) across Zhunru's apps."""

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps


def zhunru_app_modules(submodule: str) -> Iterator[ModuleType]:
    """Yield ``<app>.<submodule>`` for each installed Zhunru app that has one, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if not config.label.startswith("zhunru_"):
            continue
        name = f"{config.name}.{submodule}"
        if find_spec(name) is not None:
            yield import_module(name)
