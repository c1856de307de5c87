from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru import demo, demo_accounts
from zhunru.plugins import zhunru_app_modules


class Command(BaseCommand):
    help = _("载入演示数据（两个示范辖区、部门、政策文件及各模块的示例内容），可重复运行。")

    def handle(self, *args, **options):
        demo.load(self.stdout)
        for module in zhunru_app_modules("demo"):
            if module is not demo:
                module.load(self.stdout)
        demo_accounts.load(self.stdout)
        self.stdout.write(self.style.SUCCESS(_("演示数据已就绪。")))
