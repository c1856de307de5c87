"""System checks: the middleware of the security app in a working order."""

from django.conf import settings
from django.core import checks

OTP = "django_otp.middleware.OTPMiddleware"
TWO_FACTOR = "zhunru.security.middleware.TwoFactorMiddleware"


@checks.register(checks.Tags.security)
def two_factor_middleware(app_configs, **kwargs):
    middleware = list(settings.MIDDLEWARE)
    if TWO_FACTOR not in middleware:
        return [checks.Warning(
            "两步验证未生效：MIDDLEWARE 中没有 zhunru.security.middleware.TwoFactorMiddleware。",
            hint=f"在 {OTP} 之后加入 {TWO_FACTOR}。", id="zhunru_security.W001",
        )]
    if OTP not in middleware or middleware.index(OTP) > middleware.index(TWO_FACTOR):
        return [checks.Error(
            f"{TWO_FACTOR} 必须位于 {OTP} 之后。", hint="django-otp 的中间件为 request.user 提供 is_verified()。",
            id="zhunru_security.E001",
        )]
    return []
