"""Optional TOTP two-factor authentication for admin users, with real codes computed from the device key."""

import re

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.audit.verification import verify_chain

PASSWORD = "pw-123456!"


def code(device: TOTPDevice, ahead: int = 1) -> str:
    """The device's code ``ahead`` steps after the one it expects now (1: the next one it has not seen)."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + ahead)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits that are none of the codes the device would accept now."""
    accepted = {code(device, ahead) for ahead in range(-2, 4)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def sign_in(client, username):
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302


def actions(user) -> list[str]:
    return list(AuditEvent.objects.filter(object_id=str(user.pk), action__startswith="security.2fa")
                .values_list("action", flat=True))


@pytest.fixture
def no_throttle(settings):
    """django-otp refuses a code for 2^(n-1) s after n failures; this test is about the flow, not the delay."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.mark.django_db
def test_enrol_then_every_login_needs_the_code(client, make_user, no_throttle):
    officer = make_user("officer2fa", groups=[roles.DEPARTMENT_OFFICER])
    sign_in(client, "officer2fa")
    assert client.get("/admin/").status_code == 200  # not enrolled: the password is enough

    page = client.get("/admin/zhunru-2fa/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "两步验证二维码" in html
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    from base64 import b32encode

    shown = re.search(r'<code id="zhunru-2fa-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert shown.replace(" ", "") == b32encode(device.bin_key).decode().rstrip("=")
    assert client.get("/admin/zhunru-2fa/").content.decode().count(shown) == 1  # same key on reload

    refused = client.post("/admin/zhunru-2fa/", {"code": wrong_code(device)})
    assert refused.status_code == 200 and "验证码不正确" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    enrol_code = code(device, ahead=0)
    assert client.post("/admin/zhunru-2fa/", {"code": enrol_code}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "已启用" in client.get("/admin/zhunru-2fa/").content.decode()
    assert client.get("/admin/").status_code == 200  # this session gave the code

    # A new login: password first, then the code before any admin page.
    client.post("/admin/logout/")
    sign_in(client, "officer2fa")
    held = client.get("/admin/account/")
    assert held.status_code == 302 and held.url == "/admin/zhunru-2fa/verify/?next=%2Fadmin%2Faccount%2F"
    assert client.get("/api/v1/leads/").status_code == 401  # elsewhere the session counts as signed out
    ask = client.get(held.url)
    assert ask.status_code == 200 and "输入验证码" in ask.content.decode()
    reused = client.post(held.url, {"code": enrol_code, "next": "/admin/account/"})
    assert "已使用过" in reused.content.decode()  # a code works once
    assert client.get("/admin/").status_code == 302
    done = client.post(held.url, {"code": code(device), "next": "/admin/account/"})
    assert done.status_code == 302 and done.url == "/admin/account/"
    assert client.get("/admin/account/").status_code == 200
    assert client.get("/api/v1/leads/").status_code == 200

    # Off again, with a current code.
    assert client.post("/admin/zhunru-2fa/", {"code": code(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    client.post("/admin/logout/")
    sign_in(client, "officer2fa")
    assert client.get("/admin/").status_code == 200

    assert actions(officer) == [
        "security.2fa_enrol_failed", "security.2fa_enrolled", "security.2fa_failed", "security.2fa_verified",
        "security.2fa_disabled",
    ]
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_code_page_sends_only_to_our_own_pages(client, make_user, no_throttle):
    user = make_user("careful", groups=[roles.DEPARTMENT_OFFICER])
    device = TOTPDevice.objects.create(user=user, name="x", confirmed=True)
    sign_in(client, "careful")
    done = client.post("/admin/zhunru-2fa/verify/", {"code": code(device, ahead=0), "next": "https://evil.example/"})
    assert done.status_code == 302 and done.url == "/admin/"


@pytest.mark.django_db
def test_required_group_must_enrol_before_using_the_admin(client, make_user, settings, no_throttle):
    settings.ZHUNRU_REQUIRE_2FA_FOR = [roles.COORDINATOR]
    coordinator = make_user("coord2fa", groups=[roles.COORDINATOR])
    make_user("plain2fa", groups=[roles.DEPARTMENT_OFFICER])
    sign_in(client, "coord2fa")
    held = client.get("/admin/audit_events/")
    assert held.status_code == 302 and held.url.startswith("/admin/zhunru-2fa/?next=")
    assert client.get("/api/v1/leads/").status_code == 401
    page = client.get(held.url).content.decode()
    assert "您的角色要求启用两步验证" in page
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    done = client.post("/admin/zhunru-2fa/", {"code": code(device, ahead=0), "next": "/admin/audit_events/"})
    # The backup codes are shown once, with a link on to where the coordinator was going.
    assert done.status_code == 302 and done.url == "/admin/zhunru-2fa/?next=%2Fadmin%2Faudit_events%2F"
    shown = client.get(done.url).content.decode()
    assert shown.count("<li>") >= 10 and 'href="/admin/audit_events/"' in shown
    assert client.get("/admin/audit_events/").status_code == 200

    refused = client.post("/admin/zhunru-2fa/", {"code": code(device)})
    assert "不能停用" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()
    assert "security.2fa_disable_failed" in actions(coordinator)

    # Members of other groups are not asked.
    client.post("/admin/logout/")
    sign_in(client, "plain2fa")
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_wrong_codes_are_throttled_and_recorded(client, make_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600  # after one failure, no code is even checked for an hour
    user = make_user("guessed", groups=[roles.DEPARTMENT_OFFICER])
    device = TOTPDevice.objects.create(user=user, name="x", confirmed=True)
    sign_in(client, "guessed")
    first = client.post("/admin/zhunru-2fa/verify/", {"code": wrong_code(device)})
    assert "验证码不正确" in first.content.decode()
    second = client.post("/admin/zhunru-2fa/verify/", {"code": code(device, ahead=0)})
    assert "次数过多" in second.content.decode()
    assert client.get("/admin/").status_code == 302
    assert actions(user) == ["security.2fa_failed", "security.2fa_failed"]


@pytest.mark.django_db
def test_administrator_resets_a_lost_phone(make_user):
    user = make_user("lostphone", groups=[roles.DEPARTMENT_OFFICER])
    TOTPDevice.objects.create(user=user, name="x", confirmed=True)
    call_command("reset_2fa", "lostphone", note="手机丢失，本人电话确认")
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="security.2fa_reset", object_id=str(user.pk))
    assert event.note == "手机丢失，本人电话确认"


def backup_codes(html: str) -> list[str]:
    block = re.search(r'<ul id="zhunru-2fa-backup-codes".*?</ul>', html, re.S).group(0)
    return re.findall(r"<li>([A-Z2-9]{4}-[A-Z2-9]{4})</li>", block)


@pytest.mark.django_db
def test_backup_codes_shown_once_each_usable_once_and_regenerated(client, make_user, no_throttle):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    user = make_user("backup2fa", groups=[roles.DEPARTMENT_OFFICER])
    sign_in(client, "backup2fa")
    client.get("/admin/zhunru-2fa/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post("/admin/zhunru-2fa/", {"code": code(device, ahead=0)})
    page = client.get("/admin/zhunru-2fa/").content.decode()
    codes = backup_codes(page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'id="zhunru-2fa-codes-left">10<' in page
    assert not re.search(r'id="zhunru-2fa-backup-codes"', client.get("/admin/zhunru-2fa/").content.decode())

    # Phone not at hand: one backup code (any case, with or without the dash) lets the user in, once.
    client.post("/admin/logout/")
    sign_in(client, "backup2fa")
    assert client.get("/admin/").status_code == 302
    entered = codes[3].lower().replace("-", " ")
    assert client.post("/admin/zhunru-2fa/verify/", {"code": entered, "next": "/admin/"}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post("/admin/logout/")
    sign_in(client, "backup2fa")
    again = client.post("/admin/zhunru-2fa/verify/", {"code": codes[3], "next": "/admin/"})
    assert again.status_code == 200 and "已使用过" in again.content.decode()
    assert client.get("/admin/").status_code == 302
    assert client.post("/admin/zhunru-2fa/verify/", {"code": codes[4]}).status_code == 302

    # New codes need a current authenticator code and void the old ones.
    refused = client.post("/admin/zhunru-2fa/", {"action": "regenerate", "regen-code": wrong_code(device)})
    assert refused.status_code == 200 and StaticToken.objects.filter(device__user=user).count() == 8
    assert "验证码不正确" in refused.content.decode()
    assert client.post("/admin/zhunru-2fa/", {"action": "regenerate", "regen-code": code(device)}).status_code == 302
    regenerated = client.get("/admin/zhunru-2fa/").content.decode()
    fresh = backup_codes(regenerated)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == {
        c.replace("-", "") for c in fresh}
    assert "security.2fa_backup_code_used" in actions(user) and "security.2fa_backup_codes_generated" in actions(user)

    # An administrator's reset removes the backup codes too.
    call_command("reset_2fa", "backup2fa")
    assert not StaticDevice.objects.filter(user=user).exists()
