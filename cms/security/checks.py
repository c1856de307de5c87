"""System checks: the middleware of the security app in a working order."""

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

OTP = "django_otp.middleware.OTPMiddleware"
TWO_FACTOR = "zhunru.security.middleware.TwoFactorMiddleware"


@checks.register(checks.Tags.security)
def two_factor_middleware(app_configs, **kwargs):
    from zhunru.settings import TWO_FACTOR_AVAILABLE

    if not TWO_FACTOR_AVAILABLE:  # the feature is off; zhunru_cms.W001 says which extra to install
        return []
    middleware = list(settings.MIDDLEWARE)
    if TWO_FACTOR not in middleware:
        return [checks.Warning(
            _("两步验证未生效：MIDDLEWARE 中没有 zhunru.security.middleware.TwoFactorMiddleware。"),
            hint=_("在 {OTP} 之后加入 {TWO_FACTOR}。").format(OTP=OTP, TWO_FACTOR=TWO_FACTOR), id="zhunru_security.W001",
        )]
    if OTP not in middleware or middleware.index(OTP) > middleware.index(TWO_FACTOR):
        return [checks.Error(
            _("{TWO_FACTOR} 必须位于 {OTP} 之后。").format(TWO_FACTOR=TWO_FACTOR, OTP=OTP), hint=_("django-otp 的中间件为 request.user 提供 is_verified()。"),
            id="zhunru_security.E001",
        )]
    return []


PASSWORD_RESET_THROTTLE = "zhunru.security.password_reset.PasswordResetThrottleMiddleware"


@checks.register(checks.Tags.security)
def password_reset_throttle_middleware(app_configs, **kwargs):
    """Wagtail's password reset mails whoever asks, as often as asked, unless the throttle runs."""
    from wagtail.admin.views.account import password_reset_enabled

    if not password_reset_enabled() or PASSWORD_RESET_THROTTLE in settings.MIDDLEWARE:
        return []
    return [checks.Warning(
        _("管理后台的密码重置未限流：MIDDLEWARE 中没有 {PASSWORD_RESET_THROTTLE}。").format(PASSWORD_RESET_THROTTLE=PASSWORD_RESET_THROTTLE),
        hint=_("按 zhunru.settings.ZHUNRU_MIDDLEWARE 加入该中间件，或设置 WAGTAIL_PASSWORD_RESET_ENABLED = False。"),
        id="zhunru_security.W002",
    )]


@checks.register(checks.Tags.security, checks.Tags.caches)
def sessions_without_the_cache(app_configs, **kwargs):
    """Sessions kept only in the cache (Redis) sign everyone out, and refuse every sign-in, while it is down."""
    if getattr(settings, "SESSION_ENGINE", "") != "django.contrib.sessions.backends.cache":
        return []
    return [checks.Warning(
        _("会话只保存在缓存中：缓存（Redis）不可用时所有用户都无法登录。"),
        hint=_("使用默认的 django.contrib.sessions.backends.db（或 cached_db）。"), id="zhunru_security.W003",
    )]


@checks.register(checks.Tags.security, checks.Tags.database)
def demo_password_in_production(app_configs, databases=None, **kwargs):
    """Error when DEBUG is off and an account still has the public demo password of ``load_demo``.

    Runs with every ``migrate`` and ``check --database default``."""
    if settings.DEBUG or not databases:
        return []
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    from zhunru.demo_accounts import DEMO_SALT

    try:
        names = list(get_user_model().objects.filter(password__contains=f"${DEMO_SALT}$", is_active=True)
                     .values_list("username", flat=True)[:20])
    except DatabaseError:  # before the first migrate
        return []
    if not names:
        return []
    return [checks.Error(
        _("以下账号仍使用公开的演示密码：{value}。关闭 DEBUG 的环境不得保留演示密码。").format(value='、'.join(names)),
        hint=_("在管理后台为这些账号重设密码或停用，或执行 manage.py changepassword <用户名>。"),
        id="zhunru_security.E002",
    )]
