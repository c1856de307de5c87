"""准入 · 案例"""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ZhunruCasesConfig(AppConfig):
    name = "zhunru.cases"
    label = "zhunru_cases"
    verbose_name = gettext_lazy("准入 · 案例")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru import roles
        from zhunru.auditing import register_app_models
        from zhunru.cases import signal_handlers

        register_app_models(self)
        signal_handlers.connect()
        from wagtail.signals import task_submitted

        from zhunru.cases.workflow import notify_legal_reviewers

        task_submitted.connect(notify_legal_reviewers, dispatch_uid="zhunru_cases_legal_review_notice")

        register = ["zhunru_cases.register_case", "zhunru_cases.export_catalogue"]
        crud = [f"zhunru_cases.{verb}_{model}" for verb in ("add", "change", "view")
                for model in ("case", "inspectioncampaign", "ledgerentry")]
        roles.grant(roles.COORDINATOR, [*register, *crud, "zhunru_cases.view_integrityreport",
                                        "zhunru_cases.view_registersettings", "zhunru_cases.change_registersettings",
                                        "zhunru_cases.add_registersettings"])
        roles.grant(roles.AUDITOR, ["zhunru_cases.view_case", "zhunru_cases.view_integrityreport",
                                    "zhunru_cases.view_ledgerentry", "zhunru_cases.export_catalogue",
                                    "zhunru_cases.view_inspectioncampaign", "zhunru_cases.view_registersettings"])
        roles.grant(roles.DEPARTMENT_OFFICER, ["zhunru_cases.add_case", "zhunru_cases.change_case",
                                               "zhunru_cases.view_case", "zhunru_cases.view_inspectioncampaign",
                                               "zhunru_cases.add_ledgerentry", "zhunru_cases.change_ledgerentry",
                                               "zhunru_cases.view_ledgerentry"])
        roles.grant(roles.EDITOR, ["zhunru_cases.view_case"])
        roles.grant(roles.LEGAL_REVIEWER, ["zhunru_cases.view_case"])
