from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ZhunruCatalogConfig(AppConfig):
    name = "zhunru.catalog"
    label = "zhunru_catalog"
    verbose_name = gettext_lazy("准入 · 负面清单与政务服务事项")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru import roles
        from zhunru.auditing import register_app_models
        from zhunru.catalog import (
            checks,  # noqa: F401 (checks register themselves)
            signal_handlers,
        )

        signal_handlers.connect()
        # CatalogRevision is a cache validator moved by every catalog change, not a record worth auditing.
        register_app_models(self, exclude=["CatalogRevision"])
        crud = ("view", "add", "change", "delete")
        everything = [f"zhunru_catalog.{a}_{m}" for m in ("listedition", "listitem", "listmeasure", "serviceitem",
                                                        "servicedocumentversion", "screeningrule") for a in crud]
        roles.grant(roles.COORDINATOR, [*everything, "zhunru_catalog.view_servicerating",
                                        "zhunru_catalog.view_ratingfollowup", "zhunru_catalog.change_ratingfollowup"])
        readable = ["zhunru_catalog.view_listedition", "zhunru_catalog.view_listitem"]
        # A department's editors keep its own service items, guides and model texts (scoped by department).
        department_side = [*readable, "zhunru_catalog.view_serviceitem", "zhunru_catalog.add_serviceitem",
                           "zhunru_catalog.change_serviceitem", "zhunru_catalog.view_servicedocumentversion",
                           "zhunru_catalog.add_servicedocumentversion", "zhunru_catalog.view_ratingfollowup",
                           "zhunru_catalog.change_ratingfollowup"]
        roles.grant(roles.EDITOR, department_side)
        # Editors keep the hidden-barrier rule set up to date (issue 6, item 6); they disable, never delete.
        roles.grant(roles.EDITOR, [f"zhunru_catalog.{a}_screeningrule" for a in ("view", "add", "change")])
        roles.grant(roles.DEPARTMENT_OFFICER, department_side)
        roles.grant(roles.LEGAL_REVIEWER, [*readable, "zhunru_catalog.view_screeningrule"])
        roles.grant(roles.AUDITOR, [*readable, "zhunru_catalog.view_serviceitem", "zhunru_catalog.view_ratingfollowup"])
