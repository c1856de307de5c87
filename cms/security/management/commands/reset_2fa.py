from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhunru.security import twofactor


class Command(BaseCommand):
    help = _("重置用户的两步验证（如手机丢失）：删除其身份验证器，用户下次登录后须重新启用（若角色要求）。")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--note", default="", help=_("重置原因，记入审计日志"))

    def handle(self, *args, username: str, note: str, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("用户 {username} 不存在。").format(username=username))
        count = twofactor.reset(user, note=note or _("管理员通过命令行重置两步验证"))
        self.stdout.write(_("已删除 {username} 的 {count} 个身份验证器。").format(username=username, count=count))
