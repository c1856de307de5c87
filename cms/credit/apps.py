from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ZhunruCreditConfig(AppConfig):
    name = "zhunru.credit"
    label = "zhunru_credit"
    verbose_name = gettext_lazy("准入 · 信用")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru import roles
        from zhunru.auditing import register_app_models

        register_app_models(self)
        models = ["marketsubject", "creditcommitment", "dishonestyrecord", "outboundrecord", "creditplatform",
                  "commitmentrule", "feedchange", "feedquarantine", "listmembership", "creditclasschange",
                  "publicdecision", "repairapplication"]
        roles.grant(roles.COORDINATOR, [f"zhunru_credit.{a}_{m}" for m in models for a in ("view", "change", "add")])
        roles.grant(roles.DEPARTMENT_OFFICER, [
            "zhunru_credit.view_marketsubject", "zhunru_credit.add_marketsubject",
            "zhunru_credit.view_creditcommitment", "zhunru_credit.add_creditcommitment",
            "zhunru_credit.change_creditcommitment", "zhunru_credit.view_dishonestyrecord",
            "zhunru_credit.view_breachprocedure", "zhunru_credit.view_publicdecision",
            "zhunru_credit.add_publicdecision", "zhunru_credit.change_publicdecision",
            "zhunru_credit.view_repairapplication", "zhunru_credit.change_repairapplication",
        ])
        roles.grant(roles.COORDINATOR, ["zhunru_credit.view_breachprocedure", "zhunru_credit.view_creditsettings",
                                        "zhunru_credit.change_creditsettings"])
        roles.grant(roles.LEGAL_REVIEWER, ["zhunru_credit.view_breachprocedure"])
        # The auditor reads the credit records of their jurisdiction (visible_to) and changes nothing.
        roles.grant(roles.AUDITOR, [f"zhunru_credit.view_{m}" for m in [*models, "breachprocedure"]])
