"""Each person chooses how notification e-mails reach them: at once, or in one daily digest."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from zhunru.leads import conf
from zhunru.leads.models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_mode"]
        widgets = {"email_mode": forms.RadioSelect}


def notification_preference(request):
    preference = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference(
        user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("提醒方式已改为：{get_email_mode_display}。").format(get_email_mode_display=preference.get_email_mode_display()))
        return redirect("zhunru_notification_preference")
    return TemplateResponse(request, "zhunru_leads/admin/preference.html", {
        "form": form, "header_title": _("提醒方式"), "digest_hour": conf.get("EMAIL_DIGEST_HOUR"),
        "has_email": bool(request.user.email),
    })
