"""Admin pages of two-factor authentication: enrol / status / disable, and the code after the password."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from cms.security import twofactor
from cms.security.forms import CodeForm


def _next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("wagtailadmin_home")


def two_factor(request):
    """两步验证: enrol with a QR code and a first code, or see the status and switch it off."""
    user = request.user
    device = twofactor.confirmed_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is None:
            problem = twofactor.confirm(request, twofactor.enrolment_device(user), code)
            if problem is None:
                messages.success(request, "两步验证已启用。今后登录时，输入密码后还需输入身份验证器中的验证码。")
                return redirect(_next(request) if request.POST.get("next") else reverse("zhunru_2fa"))
        else:
            problem = twofactor.disable(request, code)
            if problem is None:
                messages.success(request, "两步验证已停用。")
                return redirect("zhunru_2fa")
        form.add_error("code", problem)
    context = {
        "page_title": "两步验证",
        "header_title": "两步验证",
        "header_icon": "lock",
        "form": form,
        "enrolled": device is not None,
        "required": twofactor.required_for(user),
        "next": request.GET.get("next", ""),
    }
    if device is None:
        pending = twofactor.enrolment_device(user)
        context.update(qr_svg=twofactor.qr_svg(pending), secret=twofactor.secret(pending))
    return TemplateResponse(request, "zhunru_security/two_factor.html", context)


def verify(request):
    """The code asked for after the password, before any other admin page."""
    if twofactor.pending_step(request.user) != "verify":
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = twofactor.verify(request, form.cleaned_data["code"])
        if problem is None:
            return redirect(_next(request))
        form.add_error("code", problem)
    context = {"page_title": "两步验证", "header_title": "输入验证码", "header_icon": "lock", "form": form,
               "next": _next(request)}
    return TemplateResponse(request, "zhunru_security/two_factor_verify.html", context)
