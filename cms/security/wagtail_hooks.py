"""Two-factor authentication in the Wagtail admin: its pages and a link on the account page."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from zhunru.security import views


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("zhunru-2fa/", views.two_factor, name="zhunru_2fa"),
        path("zhunru-2fa/verify/", views.verify, name="zhunru_2fa_verify"),
    ]


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    return {
        "url": reverse("zhunru_2fa"),
        "label": _("两步验证"),
        "help_text": _("用手机上的身份验证器生成验证码，登录时在密码之外再输入一次，防止密码泄露后账号被盗用。"),
    }


@hooks.register("construct_reports_menu")
def hide_site_history_from_department_users(request, menu_items):
    """Site history and the page types report span every jurisdiction: superusers only (see the middleware);
    others read 审计日志."""
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name not in ("site-history", "page-types-usage")]


@hooks.register("construct_main_menu")
def hide_form_pages_listing(request, menu_items):
    """The form pages listing names every Site in its filter: superusers only (see the middleware)."""
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "forms"]
