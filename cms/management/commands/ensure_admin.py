import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru.demo_accounts import DEMO_PASSWORD, DEMO_SALT, demo_usernames


class Command(BaseCommand):
    help = _("创建（或保留）本地管理员账号并打印登录信息；密码保存在 var/admin-password.txt。")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        password_file = settings.VAR_DIR / "admin-password.txt"
        password_file.parent.mkdir(parents=True, exist_ok=True)
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None or not password_file.exists():
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser(username, f"{username}@example.invalid", password)
            else:
                user.set_password(password)
                user.save()
            password_file.write_text(password, encoding="utf-8")
            password_file.chmod(0o600)
        password = password_file.read_text(encoding="utf-8").strip()
        self.stdout.write(_("管理后台：{WAGTAILADMIN_BASE_URL}/admin/  用户名：{username}  密码：{password}").format(WAGTAILADMIN_BASE_URL=settings.WAGTAILADMIN_BASE_URL, username=username, password=password))
        demo = User.objects.filter(username__in=demo_usernames(), password__contains=f"${DEMO_SALT}$").count()
        if demo:
            self.stdout.write(_("演示账号 {demo} 个（各角色，两个辖区，见 README“演示账号”），"
                              "如 changjiang-coordinator，密码：{DEMO_PASSWORD}").format(demo=demo, DEMO_PASSWORD=DEMO_PASSWORD))
