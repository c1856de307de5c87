"""`make run`'s `ensure_admin`: one superuser whose random password is kept in var/admin-password.txt (owner
only), the same on every run, a new one when the file is gone; the demo accounts' password printed beside it."""

import io
import stat

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command

from zhunru.demo_accounts import DEMO_PASSWORD, DEMO_SALT

pytestmark = pytest.mark.django_db


def ensure_admin() -> str:
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_the_admin_keeps_its_password_until_the_file_is_gone(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    first = ensure_admin()
    password_file = settings.VAR_DIR / "admin-password.txt"
    password = password_file.read_text(encoding="utf-8")
    assert f"用户名：admin  密码：{password}" in first and len(password) >= 16
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)

    assert f"密码：{password}" in ensure_admin()  # run again: same account, same password
    assert get_user_model().objects.filter(username="admin").count() == 1

    password_file.unlink()  # lost: a new password, written down again
    third = ensure_admin()
    new = password_file.read_text(encoding="utf-8")
    assert new != password and f"密码：{new}" in third
    admin.refresh_from_db()
    assert admin.check_password(new) and not admin.check_password(password)
    assert "演示账号" not in third  # no demo account on this database


def test_the_demo_password_is_printed_while_demo_accounts_use_it(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    get_user_model().objects.create(username="changjiang-coordinator",
                                    password=make_password(DEMO_PASSWORD, DEMO_SALT))
    assert "演示账号 1 个" in ensure_admin() and DEMO_PASSWORD in ensure_admin()
