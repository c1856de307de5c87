"""Wagtail admin's password reset, throttled per client address, per e-mail address and per account.

Wagtail's ``PasswordResetView`` sends a reset e-mail for every POST. Left alone, anyone can make it mail
an official over and over (or probe many addresses from one client). This middleware counts each POST to
``wagtailadmin_password_reset`` in sliding windows (``zhunru.throttling``):

- per client address and per e-mail address typed: refused with 429, ``Retry-After`` and a Chinese
  message on Wagtail's form; both are counted whether or not an account has that address, so the answer
  says nothing about which addresses have accounts;
- per account: once an account has had its allowance of e-mails, further requests are answered exactly as
  a sent one is (the "e-mail sent" page) but send nothing, so the account's existence is not given away.
"""

import logging

from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhunru import throttling
from zhunru.proxies import client_ip
from zhunru.security import conf

log = logging.getLogger(__name__)

RESET_VIEW = "wagtailadmin_password_reset"


def _key(kind: str, ident: str) -> str:
    return throttling.client_key(f"password-reset:{kind}", ident, conf.get("PASSWORD_RESET_THROTTLE_NAMESPACE"))


def _hit(kind: str, ident: str) -> throttling.Verdict:
    rates = {**conf.DEFAULTS["PASSWORD_RESET_RATES"], **conf.get("PASSWORD_RESET_RATES")}
    limit, window = throttling.parse_rate(rates[kind])
    return throttling.hit(_key(kind, ident), limit, window)


def _accounts(email: str) -> list[int]:
    """The accounts Django's PasswordResetForm would mail for this address (active, same e-mail, any case)."""
    User = get_user_model()
    field = User.get_email_field_name()
    return list(User._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
                .values_list("pk", flat=True))


class PasswordResetThrottleMiddleware:
    """Counts POSTs to Wagtail's password reset view; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if request.method != "POST" or match is None or match.url_name != RESET_VIEW:
            return None
        verdict = _hit("client", client_ip(request) or "unknown")
        email = (request.POST.get("email") or "").strip().lower()
        if verdict and email:
            verdict = _hit("address", email)
        if not verdict:
            return self.refused(request, verdict)
        if email:
            over = [pk for pk in _accounts(email) if not _hit("account", str(pk))]
            if over:
                log.warning("密码重置请求过于频繁，本次未发送邮件（账号 %s）", ", ".join(map(str, over)))
                return redirect("wagtailadmin_password_reset_done")
        return None

    def refused(self, request, verdict: throttling.Verdict):
        from wagtail.admin.views.account import get_password_reset_form

        wait = verdict.retry_after
        when = _("{wait} 秒").format(wait=wait) if wait < 60 else _("{value} 分钟").format(value=-(-wait // 60))
        form = get_password_reset_form()(request.POST)
        form.add_error(None, _("重置密码的请求过于频繁，请在 {when}后再试。").format(when=when))
        response = render(request, "wagtailadmin/account/password_reset/form.html", {"form": form}, status=429)
        response["Retry-After"] = str(wait)
        return response
