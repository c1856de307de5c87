"""准入 · 线索"""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ZhunruLeadsConfig(AppConfig):
    name = "zhunru.leads"
    label = "zhunru_leads"
    verbose_name = gettext_lazy("准入 · 线索")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhunru import roles
        from zhunru.auditing import register_app_models
        from zhunru.leads import checks, signal_handlers  # noqa: F401 (checks register themselves)

        register_app_models(self, exclude=("Notification", "LeadEvent"))
        signal_handlers.connect()
        lead_perms = ["view_lead", "view_leadstage", "view_leadevent", "view_leadreport", "add_leadreport",
                      "view_cohandling", "view_extension", "view_notification", "change_notification"]
        roles.grant(roles.DEPARTMENT_OFFICER, [f"zhunru_leads.{p}" for p in lead_perms])
        roles.grant(
            roles.COORDINATOR,
            [f"zhunru_leads.{p}" for p in lead_perms]
            + ["zhunru_leads.add_lead", "zhunru_leads.change_lead", "zhunru_leads.export_lead", "zhunru_leads.view_escalation",
               "zhunru_leads.add_cohandling", "zhunru_leads.view_deadlinerule", "zhunru_leads.change_deadlinerule",
               "zhunru_leads.add_deadlinerule", "zhunru_leads.view_holidayyear", "zhunru_leads.view_calendarrange"]
            # The State Council's calendar is every office's: entered by an administrator (superuser), read here.
            # Their own jurisdiction's rest and working days (LocalCalendarDay.editable_by: coordinators only).
            + [f"zhunru_leads.{a}_localcalendarday" for a in ("view", "add", "change", "delete")],
        )
        roles.grant(
            roles.EXTENSION_APPROVER,
            ["zhunru_leads.view_lead", "zhunru_leads.view_extension",
             "zhunru_leads.approve_extension", "zhunru_leads.view_leadstage", "zhunru_leads.view_leadevent",
             "zhunru_leads.view_notification", "zhunru_leads.change_notification"],
        )
        roles.grant(roles.AUDITOR, ["zhunru_leads.view_lead", "zhunru_leads.view_leadevent", "zhunru_leads.view_escalation",
                                    "zhunru_leads.view_extension", "zhunru_leads.view_leadstage",
                                    "zhunru_leads.view_leadreport", "zhunru_leads.view_cohandling",
                                    "zhunru_leads.export_lead", "zhunru_leads.view_localcalendarday"])
