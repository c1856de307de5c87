"""TOTP two-factor authentication for admin users (django-otp): who must use it, devices, codes, QR.

django-otp and segno are the optional extra ``zhunru[2fa]``: this module is imported by the security views
and middleware in every installation, so it imports them only where a function needs them.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from zhunru.audit.recording import record
from zhunru.security import conf

if TYPE_CHECKING:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice


def _totp_devices():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects


def _static_devices():
    from django_otp.plugins.otp_static.models import StaticDevice

    return StaticDevice.objects


def _static_tokens():
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken


def otp_login(request, device) -> None:
    from django_otp import login

    login(request, device)

DEVICE_NAME = gettext_lazy("身份验证器")
BACKUP_DEVICE_NAME = gettext_lazy("备用验证码")
BACKUP_CODE_COUNT = 10
# Eight characters without look-alikes (no 0/O, 1/I/L): about 39 bits each, tried online only (throttled).
BACKUP_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def required_for(user) -> bool:
    """Whether ZHUNRU_REQUIRE_2FA_FOR makes this user enrol (group names, "__superusers__", "__all__")."""
    names = set(conf.get("REQUIRE_2FA_FOR"))
    if not names:
        return False
    if "__all__" in names or ("__superusers__" in names and user.is_superuser):
        return True
    return user.groups.filter(name__in=names).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return _totp_devices().devices_for_user(user, confirmed=True).first()


def pending_step(user) -> str | None:
    """What this signed-in session still owes: "verify" (a code), "enrol" (required, no device) or None."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or is_verified():
        return None
    if _totp_devices().devices_for_user(user, confirmed=True).exists():
        return "verify"
    if required_for(user):
        return "enrol"
    return None


def enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed device, created on first visit; it stays the same until confirmed."""
    device = _totp_devices().devices_for_user(user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = _totp_devices().create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an authenticator app."""
    encoded = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def qr_svg(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=gettext("两步验证二维码")
    )


def check_code(device: TOTPDevice, code: str) -> str | None:
    """None when ``code`` is the device's current code (it cannot be used twice); otherwise why not."""
    from django_otp.models import VerifyNotAllowed

    allowed, data = device.verify_is_allowed()
    if not allowed:
        if (data or {}).get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            return gettext("验证码错误次数过多（{value} 次），请稍后再试。").format(value=data.get('failure_count'))
        return gettext("暂时不能验证，请稍后再试。")
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == device.digits):
        device.throttle_increment(commit=True)
        return gettext("请输入身份验证器显示的 6 位数字验证码。")
    if not device.verify_token(code):
        return gettext("验证码不正确或已使用过，请输入身份验证器当前显示的验证码。")
    return None


def normalize_backup_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def looks_like_backup_code(code: str) -> bool:
    normalized = normalize_backup_code(code)
    return len(normalized) == 8 and all(ch in BACKUP_ALPHABET for ch in normalized)


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Ten fresh one-time backup codes (XXXX-XXXX) replacing any earlier ones; shown to the user once."""
    # Keep the device (a session verified by a backup code refers to it); replace its tokens.
    device = _static_devices().filter(user=user).order_by("pk").first()
    if device is None:
        device = _static_devices().create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    _static_devices().filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = ["".join(secrets.choice(BACKUP_ALPHABET) for _ in range(8)) for _ in range(BACKUP_CODE_COUNT)]
    StaticToken = _static_tokens()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def backup_codes_left(user) -> int:
    return _static_tokens().objects.filter(device__user=user, device__confirmed=True).count()


def _check_backup_code(user, code: str) -> tuple[StaticDevice | None, str | None]:
    device = _static_devices().devices_for_user(user, confirmed=True).first()
    if device is None:
        return None, gettext("您没有可用的备用验证码。")
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        return None, gettext("验证码错误次数过多，请稍后再试。")
    if not device.verify_token(normalize_backup_code(code)):
        return None, gettext("备用验证码不正确或已使用过。")
    return device, None


@transaction.atomic
def confirm(request, device: TOTPDevice, code: str) -> str | None:
    """Finish enrolment with the first code; the session counts as verified from then on."""
    problem = check_code(device, code)
    if problem:
        record("security.2fa_enrol_failed", request=request, obj=request.user, note=problem)
        return problem
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _totp_devices().filter(user=device.user, confirmed=False).delete()
    otp_login(request, device)
    record("security.2fa_enrolled", request=request, obj=request.user, note=gettext("启用两步验证（TOTP）"))
    request.session[FRESH_CODES_KEY] = new_backup_codes(request.user)
    return None


FRESH_CODES_KEY = "zhunru_2fa_fresh_backup_codes"


def pop_fresh_codes(request) -> list[str]:
    """Backup codes generated in this session and not shown yet (they are shown once)."""
    return request.session.pop(FRESH_CODES_KEY, [])


@transaction.atomic
def regenerate_backup_codes(request, code: str) -> str | None:
    """New backup codes for an enrolled user who proves possession with a current authenticator code."""
    device = confirmed_device(request.user)
    if device is None:
        return gettext("您尚未启用两步验证。")
    problem = check_code(device, code)
    if problem:
        record("security.2fa_backup_codes_failed", request=request, obj=request.user, note=problem)
        return problem
    request.session[FRESH_CODES_KEY] = new_backup_codes(request.user)
    record("security.2fa_backup_codes_generated", request=request, obj=request.user, note=gettext("重新生成备用验证码"))
    return None


@transaction.atomic
def verify(request, code: str) -> str | None:
    """The code asked for after the password (authenticator or one backup code); marks the session verified."""
    device = confirmed_device(request.user)
    if device is None:
        return gettext("您尚未启用两步验证。")
    if looks_like_backup_code(code):
        static, problem = _check_backup_code(request.user, code)
        if problem:
            record("security.2fa_failed", request=request, obj=request.user, note=problem)
            return problem
        otp_login(request, static)
        left = backup_codes_left(request.user)
        record("security.2fa_backup_code_used", request=request, obj=request.user, note=gettext("使用备用验证码，剩余 {left} 个").format(left=left))
        return None
    problem = check_code(device, code)
    if problem:
        record("security.2fa_failed", request=request, obj=request.user, note=problem)
        return problem
    otp_login(request, device)
    record("security.2fa_verified", request=request, obj=request.user, note=gettext("两步验证通过"))
    return None


@transaction.atomic
def disable(request, code: str) -> str | None:
    """Switch two-factor authentication off, with a current code; not when the user's role requires it."""
    if required_for(request.user):
        problem = gettext("您的角色要求使用两步验证，不能停用。如更换手机，请联系系统管理员重置。")
        record("security.2fa_disable_failed", request=request, obj=request.user, note=problem)
        return problem
    device = confirmed_device(request.user)
    if device is None:
        return gettext("您尚未启用两步验证。")
    problem = check_code(device, code)
    if problem:
        record("security.2fa_disable_failed", request=request, obj=request.user, note=problem)
        return problem
    _totp_devices().filter(user=request.user).delete()
    _static_devices().filter(user=request.user).delete()
    record("security.2fa_disabled", request=request, obj=request.user, note=gettext("停用两步验证"))
    return None


@transaction.atomic
def reset(user, *, note: str = "") -> int:
    """Remove a user's devices (lost phone); an administrator's action, recorded."""
    count, _ = _totp_devices().filter(user=user).delete()
    _static_devices().filter(user=user).delete()
    record("security.2fa_reset", obj=user, note=note or gettext("管理员重置两步验证"))
    return count
