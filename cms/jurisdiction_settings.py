"""辖区设置: one admin page per jurisdiction where its coordinator (or a superuser) edits the office's own
settings — office name, government, higher office, lead rule name and number formats, closing time, the case
register's settings and the jurisdiction's provincial credit platform. Complaint channels are the portal's
Hotline rows (their admin is scoped to the same jurisdictions). A foreign jurisdiction answers 404.
"""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru import roles
from zhunru.audit.recording import record
from zhunru.models import Jurisdiction


def settings_jurisdictions(user):
    """Jurisdictions whose settings ``user`` may change: superusers all; a coordinator (not an auditor)
    the jurisdictions of the departments they belong to; anyone else none."""
    from zhunru.scoping import user_jurisdictions

    if not user.is_authenticated:
        return Jurisdiction.objects.none()
    if user.is_superuser:
        return Jurisdiction.objects.all()
    if roles.COORDINATOR not in roles.held(user):
        return Jurisdiction.objects.none()
    return user_jurisdictions(user)


def jurisdiction_limited_form(form_class):
    """``form_class`` whose ``jurisdiction`` choice offers only the jurisdictions the user may set up; for
    anyone but a superuser the choice is required (an empty one would mean "national" or "global")."""

    class JurisdictionLimitedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            user = getattr(self, "for_user", None)
            field = self.fields.get("jurisdiction")
            if field is None or user is None or user.is_superuser:
                return
            field.queryset = settings_jurisdictions(user)
            field.required = True

    JurisdictionLimitedForm.__name__ = f"JurisdictionLimited{form_class.__name__}"
    return JurisdictionLimitedForm


def _validate_number_format(value: str) -> None:
    from zhunru.cases.models.register import validate_number_format

    validate_number_format(value)


class JurisdictionSettingsForm(forms.ModelForm):
    class Meta:
        model = Jurisdiction
        fields = ["office_name", "escalates_to", "parent", "higher_office", "lead_rule_name", "lead_number_format",
                  "office_closes_at"]
        widgets = {"office_closes_at": forms.TimeInput(format="%H:%M", attrs={"placeholder": gettext_lazy("如 17:30")})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Not itself nor anything under it (a cycle would make the higher office its own child).
            below, frontier = {self.instance.pk}, {self.instance.pk}
            while frontier:
                frontier = set(Jurisdiction.objects.filter(parent__in=frontier).values_list("pk", flat=True)) - below
                below |= frontier
            self.fields["parent"].queryset = Jurisdiction.objects.exclude(pk__in=below)
        self.fields["lead_number_format"].validators.append(_validate_number_format)


class RegisterSettingsForm(forms.ModelForm):
    class Meta:
        fields = ["number_format", "archive_number_format", "review_days_major", "review_days_important",
                  "review_days_general", "keeper_email"]

    @classmethod
    def for_model(cls):
        from zhunru.cases.models import RegisterSettings

        return forms.modelform_factory(RegisterSettings, form=cls, fields=cls.Meta.fields)


def _https_by_default(db_field, **kwargs):
    """An endpoint typed without a scheme is https (Django 6's default; saying so now ends its warning)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class PlatformForm(forms.ModelForm):
    class Meta:
        fields = ["name", "code", "endpoint_url", "hmac_key_ref", "enabled", "feed_enabled"]

    @classmethod
    def for_model(cls):
        from zhunru.credit.models import CreditPlatform

        return forms.modelform_factory(CreditPlatform, form=cls, fields=cls.Meta.fields,
                                       formfield_callback=_https_by_default)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # all empty: the jurisdiction has no provincial platform of its own

    def is_empty(self) -> bool:
        return not any(self.cleaned_data.get(name) for name in ("name", "code", "endpoint_url", "hmac_key_ref"))

    def clean(self):
        data = super().clean()
        if not self.is_empty():
            for name in ("name", "code", "endpoint_url", "hmac_key_ref"):
                if not data.get(name):
                    self.add_error(name, _("填写信用平台时此项必填。"))
        return data


def _installed(label: str) -> bool:
    return apps.is_installed(label)


def index(request):
    """The jurisdictions whose settings the user may change (straight to the page when there is one)."""
    mine = settings_jurisdictions(request.user)
    if mine.count() == 1:
        return redirect("zhunru_jurisdiction_settings", pk=mine.get().pk)
    if not mine.exists():
        raise Http404(_("没有可设置的辖区。"))
    return TemplateResponse(request, "zhunru/admin/jurisdiction_settings_index.html",
                            {"jurisdictions": mine, "header_title": _("辖区设置")})


def edit(request, pk: int):
    jurisdiction = settings_jurisdictions(request.user).filter(pk=pk).first()
    if jurisdiction is None:
        raise Http404(_("辖区不存在或您无权设置。"))
    data = request.POST if request.method == "POST" else None
    forms_ = {"jurisdiction": JurisdictionSettingsForm(data, instance=jurisdiction, prefix="j")}
    if _installed("zhunru.cases"):
        from zhunru.cases.models import RegisterSettings

        register = RegisterSettings.objects.filter(jurisdiction=jurisdiction).first() or \
            RegisterSettings.for_jurisdiction(jurisdiction)
        forms_["register"] = RegisterSettingsForm.for_model()(data, instance=register, prefix="r")
    if _installed("zhunru.credit"):
        from zhunru.credit.models import CreditPlatform

        platform = CreditPlatform.objects.filter(jurisdiction=jurisdiction).order_by("pk").first() or \
            CreditPlatform(jurisdiction=jurisdiction)
        forms_["platform"] = PlatformForm.for_model()(data, instance=platform, prefix="p")
    if request.method == "POST" and all(form.is_valid() for form in forms_.values()):
        changed = {}
        try:
            with transaction.atomic():
                for key, form in forms_.items():
                    if key == "platform" and form.is_empty():
                        continue
                    if form.has_changed() or form.instance.pk is None:
                        changed[key] = sorted(form.changed_data)
                        form.save()
                record("jurisdiction.settings_changed", actor=request.user, obj=jurisdiction, request=request,
                       changes=changed)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已保存“{jurisdiction}”的辖区设置。").format(jurisdiction=jurisdiction))
            return redirect("zhunru_jurisdiction_settings", pk=jurisdiction.pk)
    links = []
    if _installed("zhunru.portal"):
        links.append((_("投诉渠道（热线）"), reverse("wagtailsnippets_zhunru_portal_hotline:list")
                      + f"?jurisdiction={jurisdiction.pk}"))
    if _installed("zhunru.leads"):
        links.append((_("线索时限规则"), reverse("wagtailsnippets_zhunru_leads_deadlinerule:list")))
    return TemplateResponse(request, "zhunru/admin/jurisdiction_settings.html", {
        "jurisdiction": jurisdiction, "forms": forms_, "links": links,
        "header_title": _("辖区设置：{jurisdiction}").format(jurisdiction=jurisdiction),
    })
