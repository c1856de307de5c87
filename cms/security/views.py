"""Admin pages of two-factor authentication: enrol / status / disable, and the code after the password."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from zhunru.security import twofactor
from zhunru.security.forms import CodeForm, LoginCodeForm


def _next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("wagtailadmin_home")


def two_factor(request):
    """两步验证: enrol with a QR code and a first code, or see the status and switch it off."""
    user = request.user
    device = twofactor.confirmed_device(user)
    regenerating = request.method == "POST" and request.POST.get("action") == "regenerate"
    # Two forms on one page (new backup codes, switch off): distinct prefixes keep their field ids apart.
    regen_form = CodeForm(request.POST if regenerating else None, prefix="regen")
    form = regen_form if regenerating else CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is None:
            problem = twofactor.confirm(request, twofactor.enrolment_device(user), code)
            if problem is None:
                messages.success(request, _("两步验证已启用。今后登录时，输入密码后还需输入身份验证器中的验证码。"))
                # The backup codes are shown once, on this page; it links on to where the user was going.
                target = reverse("zhunru_2fa")
                if request.POST.get("next"):
                    target += "?" + urlencode({"next": _next(request)})
                return redirect(target)
        elif regenerating:
            problem = twofactor.regenerate_backup_codes(request, code)
            if problem is None:
                messages.success(request, _("已生成新的备用验证码，原有备用验证码全部作废。"))
                return redirect("zhunru_2fa")
        else:
            problem = twofactor.disable(request, code)
            if problem is None:
                messages.success(request, _("两步验证已停用。"))
                return redirect("zhunru_2fa")
        form.add_error("code", problem)
    context = {
        "page_title": _("两步验证"),
        "header_title": _("两步验证"),
        "header_icon": "lock",
        "form": CodeForm() if regenerating else form,
        "regen_form": regen_form,
        "enrolled": device is not None,
        "required": twofactor.required_for(user),
        "next": request.GET.get("next", ""),
        "fresh_codes": twofactor.pop_fresh_codes(request),
        "codes_left": twofactor.backup_codes_left(user) if device is not None else 0,
    }
    if device is None:
        pending = twofactor.enrolment_device(user)
        context.update(qr_svg=twofactor.qr_svg(pending), secret=twofactor.secret(pending))
    return TemplateResponse(request, "zhunru_security/two_factor.html", context)


def verify(request):
    """The code asked for after the password, before any other admin page."""
    if twofactor.pending_step(request.user) != "verify":
        return redirect(_next(request))
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = twofactor.verify(request, form.cleaned_data["code"])
        if problem is None:
            return redirect(_next(request))
        form.add_error("code", problem)
    context = {"page_title": _("两步验证"), "header_title": _("输入验证码"), "header_icon": "lock", "form": form,
               "next": _next(request)}
    return TemplateResponse(request, "zhunru_security/two_factor_verify.html", context)
